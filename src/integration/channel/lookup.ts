/** The memoized channel lookup of an integration service, shared by the inbound and outbound paths, invalidated when the registry changes. */
import type { Context, Service } from 'moleculer';
import { channelRegistry } from '../../registry';
import type { AppContext, IntegrationConfig } from '../../types';
import { DEFAULT_CHANNEL_CACHE_TTL_MS } from '../options';
import type { IntegrationServiceConfig } from '../types';
import { memoizeChannelLookup } from './cache';
import { checkChannelConfig } from './check';

export type ChannelLookup = ReturnType<typeof memoizeChannelLookup<Context>>;

/**
 * The service's channel lookup: its `getChannelConfig`, or else the broker's channel registry, checked
 * (an invalid config is logged naming the field and answered 500, see `checkChannelConfig`);
 * memoized for `inbound.channelCacheTtlMs` (default 5 s) and forgotten at once when the registry
 * service announces a change (`CHANNEL_CHANGED_EVENT`). Built once, by the integration runtime.
 */
export function createChannelLookup<TPayload, TChannel extends IntegrationConfig>(
  service: Service,
  config: IntegrationServiceConfig<TPayload, TChannel>,
): ChannelLookup {
  return memoizeChannelLookup(async (channelId: string, ctx: Context) => {
    const source = config.getChannelConfig ? 'getChannelConfig' : 'the channel registry';
    const found: unknown = config.getChannelConfig
      ? await config.getChannelConfig.call(service, ctx as unknown as AppContext, channelId)
      : await channelRegistry(service.broker).get(channelId);
    try {
      return checkChannelConfig(found, channelId, source);
    } catch (err) {
      service.logger.error(`${service.name}: ${(err as Error).message}`);
      throw err;
    }
  }, config.inbound?.channelCacheTtlMs ?? DEFAULT_CHANNEL_CACHE_TTL_MS);
}
