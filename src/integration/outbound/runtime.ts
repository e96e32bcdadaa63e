/** The per-service outbound runtime: store, memoized channel lookup, publisher, outbox and counters — built when the service is created. */
import type { Context, Service } from 'moleculer';
import { channelNames } from '../../channels/names';
import { ConfigError } from '../../errors';
import { acquireStore, releaseStore, runtimeOf as brokerRuntime } from '../../store';
import type { AppContext, IntegrationConfig } from '../../types';
import { channelLookupOf } from '../channel-lookup';
import type { IntegrationServiceConfig } from '../types';
import { brokerPublisher } from '../publisher';
import { newCounters, type OutboundCounters } from './counters';
import { EventOutbox } from './events';
import { resolveOutboundOptions, type ResolvedOutboundOptions } from './options';
import type { SendPipeline } from './send-message';

const RUNTIME = Symbol('switchboard.outbound');

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
  dispose(): Promise<void>;
}

type WithRuntime = Service & { [RUNTIME]?: OutboundRuntime };

/** The service's outbound runtime, built on first use if `created` has not built it. */
export function outboundRuntimeOf<TPayload, TChannel extends IntegrationConfig>(service: Service, config: IntegrationServiceConfig<TPayload, TChannel>): OutboundRuntime {
  return (service as WithRuntime)[RUNTIME] ?? createOutboundRuntime(service, config);
}

/** Builds and attaches the runtime (from the service's `created`). */
export function createOutboundRuntime<TPayload, TChannel extends IntegrationConfig>(service: Service, config: IntegrationServiceConfig<TPayload, TChannel>): OutboundRuntime {
  const existing = (service as WithRuntime)[RUNTIME];
  if (existing) return existing;
  const where = `defineIntegration(${JSON.stringify(config.name)})`;
  const options = resolveOutboundOptions(where, config.outbound);
  const store = acquireStore(service.broker);
  const names = channelNames(brokerRuntime(service.broker).namespace);
  const counters = newCounters();
  const publish = brokerPublisher(service.broker);
  const outbox = new EventOutbox(publish, service.logger, options.eventRetryIntervalMs);
  const cached = channelLookupOf(service, config);

  const runtime: OutboundRuntime = {
    options, counters, outbox, startedAt: Date.now(), queueChannel: names.OUTBOUND_SEND,
    lookup: (ctx, channelId) => cached(channelId, ctx),
    pipeline: (ctx) => ({
      integration: service.name,
      platform: config.spec.platform,
      channels: { sent: names.MESSAGE_SENT, failed: names.MESSAGE_FAILED },
      lookupChannel: (channelId) => cached(channelId, ctx),
      store,
      transform: config.transform ? (message, channel) => config.transform!.call(service, message, channel as TChannel) : undefined,
      send: (message, channel, attempt) => {
        if (!config.sendMessage) throw new ConfigError(`integration ${service.name} cannot send messages (no sendMessage hook)`);
        return config.sendMessage.call(service, ctx as unknown as AppContext, message, channel as TChannel, attempt);
      },
      publish, outbox, logger: service.logger, options, counters,
    }),
    async dispose() {
      delete (service as WithRuntime)[RUNTIME];
      await outbox.close();
      await releaseStore(service.broker);
    },
  };
  (service as WithRuntime)[RUNTIME] = runtime;
  return runtime;
}

/** Closes the outbox and releases the store (from the service's `stopped`). */
export async function disposeOutboundRuntime(service: Service): Promise<void> {
  await (service as WithRuntime)[RUNTIME]?.dispose();
}
