/** `createRegistryService()`: channel CRUD and secret rotation for the operator API, seeded from `SWITCHBOARD_CHANNELS`. */
import type { ServiceSchema } from 'moleculer';
import { channelRegistry, channelRegistryActions, parseChannelsSource, seedChannels } from '../registry';
import type { MoleculerLogger } from '../types/moleculer';

/** Options of `createRegistryService`. */
export interface RegistryServiceOptions {
  /** Service name. Default `'registry'` (the operator API calls `registry.*`). */
  name?: string;
  /** Where the channels to seed at start come from. Default: the `SWITCHBOARD_CHANNELS` variable (JSON or a file path). */
  channelsSource?: () => string | undefined;
}

/**
 * The channel registry service. At start it registers the channels of `SWITCHBOARD_CHANNELS`; channels
 * already in the store are kept as they are, so changes made through the API survive a restart.
 */
export function createRegistryService(options: RegistryServiceOptions = {}): ServiceSchema {
  const source = options.channelsSource ?? (() => process.env.SWITCHBOARD_CHANNELS);
  return {
    name: options.name ?? 'registry',
    actions: channelRegistryActions(),
    async started(this: { broker: Parameters<typeof channelRegistry>[0]; logger: MoleculerLogger }) {
      const channels = parseChannelsSource(source());
      if (channels.length === 0) return;
      const { written, kept } = await seedChannels(channelRegistry(this.broker), channels);
      this.logger.info(`registry: ${written} channel(s) registered from SWITCHBOARD_CHANNELS, ${kept} already present`);
    },
  } as unknown as ServiceSchema;
}
