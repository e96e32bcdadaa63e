/** One memoized channel lookup per integration service, shared by the inbound and outbound paths, invalidated when the registry changes. */
import type { Context, Service } from 'moleculer';
import { channelRegistry } from '../registry';
import type { AppContext, IntegrationConfig } from '../types';
import { memoizeChannelLookup } from './inbound/channel-cache';
import { DEFAULT_CHANNEL_CACHE_TTL_MS } from './options';
import type { IntegrationServiceConfig } from './types';

const LOOKUP = Symbol('switchboard.channelLookup');

export type ChannelLookup = ReturnType<typeof memoizeChannelLookup<Context>>;

type WithLookup = Service & { [LOOKUP]?: ChannelLookup };

/**
 * The service's channel lookup: its `getChannelConfig`, or else the broker's channel registry;
 * memoized for `inbound.channelCacheTtlMs` (default 5 s) and forgotten at once when the registry
 * service announces a change (`CHANNEL_CHANGED_EVENT`).
 */
export function channelLookupOf<TPayload, TChannel extends IntegrationConfig>(
  service: Service,
  config: IntegrationServiceConfig<TPayload, TChannel>,
): ChannelLookup {
  const existing = (service as WithLookup)[LOOKUP];
  if (existing) return existing;
  const lookup = memoizeChannelLookup(async (channelId: string, ctx: Context) => {
    if (config.getChannelConfig) return (await config.getChannelConfig.call(service, ctx as unknown as AppContext, channelId)) ?? null;
    return channelRegistry(service.broker).get(channelId);
  }, config.inbound?.channelCacheTtlMs ?? DEFAULT_CHANNEL_CACHE_TTL_MS);
  (service as WithLookup)[LOOKUP] = lookup;
  return lookup;
}
