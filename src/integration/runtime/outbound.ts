/** The outbound part of an integration's runtime: options, counters, the event outbox and the send pipeline bound to the service. */
import type { Context, Service } from 'moleculer';
import { ConfigError } from '../../errors';
import type { AppContext, IntegrationConfig } from '../../types';
import { newCounters, type OutboundCounters } from '../outbound/counters';
import { EventOutbox } from '../outbound/events';
import type { ResolvedOutboundOptions } from '../outbound/options';
import type { SendPipeline } from '../outbound/send/pipeline';
import type { IntegrationServiceConfig } from '../types';
import type { SharedParts } from './inbound';

/** What the outbound actions share within one service. */
export interface OutboundRuntime {
  options: ResolvedOutboundOptions;
  counters: OutboundCounters;
  outbox: EventOutbox;
  startedAt: number;
  /** `<ns>.outbound.send`. */
  queueChannel: string;
  /** The channel config for a call (memoized briefly). */
  lookup(ctx: Context, channelId: string): Promise<IntegrationConfig | null>;
  /** The send pipeline for one call (`ctx` reaches the hooks). */
  pipeline(ctx: Context): SendPipeline;
}

/** The outbound part (from `createIntegrationRuntime`); its outbox is closed by the runtime's `dispose`. */
export function createOutboundRuntime<TPayload, TChannel extends IntegrationConfig>(
  service: Service,
  config: IntegrationServiceConfig<TPayload, TChannel>,
  options: ResolvedOutboundOptions,
  { store, publish, names, lookup }: SharedParts,
): OutboundRuntime {
  const counters = newCounters();
  const outbox = new EventOutbox(publish, service.logger, options.eventRetryIntervalMs);
  const channels = { sent: names.MESSAGE_SENT, failed: names.MESSAGE_FAILED };
  const transform = config.transform ? (message: Parameters<NonNullable<SendPipeline['transform']>>[0], channel: IntegrationConfig) => config.transform!.call(service, message, channel as TChannel) : undefined;
  return {
    options, counters, outbox, startedAt: Date.now(), queueChannel: names.OUTBOUND_SEND,
    lookup: (ctx, channelId) => lookup(channelId, ctx),
    pipeline: (ctx) => ({
      integration: service.name,
      platform: config.spec.platform,
      channels,
      lookupChannel: (channelId) => lookup(channelId, ctx),
      store,
      transform,
      send: (message, channel, attempt) => {
        if (!config.sendMessage) throw new ConfigError(`integration ${service.name} cannot send messages (no sendMessage hook)`);
        return config.sendMessage.call(service, ctx as unknown as AppContext, message, channel as TChannel, attempt);
      },
      publish, outbox, logger: service.logger, options, counters,
    }),
  };
}
