/** The channel registry service: channel CRUD and secret rotation for the operator API, seeded from SWITCHBOARD_CHANNELS at start. */
import type { ServiceSchema } from 'moleculer';
import { channelRegistry, channelRegistryActions, parseChannelsSource, seedChannels } from '@switchboard/sdk';

const registry: ServiceSchema = {
  name: 'registry',
  actions: channelRegistryActions(),
  async started() {
    // Channels already in the store are kept as they are, so changes made through the API survive a restart.
    const channels = parseChannelsSource(process.env.SWITCHBOARD_CHANNELS);
    if (channels.length === 0) return;
    const { written, kept } = await seedChannels(channelRegistry(this.broker), channels);
    this.logger.info(`registry: ${written} channel(s) registered from SWITCHBOARD_CHANNELS, ${kept} already present`);
  },
};

export default registry;
