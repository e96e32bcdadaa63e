/**
 * The one runtime of an integration service — its store, publisher, memoized channel lookup, the inbound
 * pipeline and the outbound send — built once, in `created` of {@link integrationRuntimeMixin}.
 */
import type { Service } from 'moleculer';
import { channelNames, type ChannelNames } from '../../channels/names';
import { ConfigError } from '../../errors';
import { acquireStore, releaseStore, runtimeOf as brokerRuntime, type KeyValueStore } from '../../store';
import type { IntegrationConfig } from '../../types';
import { createChannelLookup, type ChannelLookup } from '../channel/lookup';
import type { InboundRuntime } from '../inbound/actions';
import type { ResolvedInboundOptions } from '../options';
import type { ResolvedOutboundOptions } from '../outbound/options';
import type { IntegrationServiceConfig } from '../types';
import { createInboundRuntime } from './inbound';
import { createOutboundRuntime, type OutboundRuntime } from './outbound';
import { brokerPublisher, type ChannelPublisher } from './publisher';

export { assertCanPublish, brokerPublisher, cannotPublishError } from './publisher';
export type { ChannelPublisher } from './publisher';
export { brokerMessageFinder } from './inbound';
export type { OutboundRuntime } from './outbound';

const RUNTIME = Symbol('switchboard.integration');

/** Everything an integration service's actions, consumers and the gateway's in-process path use. */
export interface IntegrationRuntime {
  integration: string;
  store: KeyValueStore;
  publish: ChannelPublisher;
  names: ChannelNames;
  /** The memoized channel lookup, shared by both directions; `invalidate` on a registry change. */
  lookup: ChannelLookup;
  /** The webhook side; absent for a service without one (the outbound actions mixed into a plain service). */
  inbound?: InboundRuntime;
  outbound: OutboundRuntime;
}

/** The resolved options a runtime is built with (resolved when the service is defined, so errors name the option early). */
export interface RuntimeOptions {
  inbound?: ResolvedInboundOptions;
  outbound: ResolvedOutboundOptions;
}

type WithRuntime = Service & { [RUNTIME]?: IntegrationRuntime };

/** Builds and attaches the service's runtime (once; a second call returns the first). */
export function createIntegrationRuntime<TPayload, TChannel extends IntegrationConfig>(
  service: Service, config: IntegrationServiceConfig<TPayload, TChannel>, options: RuntimeOptions,
): IntegrationRuntime {
  const existing = (service as WithRuntime)[RUNTIME];
  if (existing) return existing;
  const shared = {
    store: acquireStore(service.broker),
    publish: brokerPublisher(service.broker, service.name),
    names: channelNames(brokerRuntime(service.broker).namespace),
    lookup: createChannelLookup(service, config),
  };
  const runtime: IntegrationRuntime = {
    integration: service.name,
    ...shared,
    ...(options.inbound ? { inbound: createInboundRuntime(service, config, options.inbound, shared) } : {}),
    outbound: createOutboundRuntime(service, config, options.outbound, shared),
  };
  (service as WithRuntime)[RUNTIME] = runtime;
  return runtime;
}

/** The runtime of a service built by `defineIntegration` (or with the runtime mixin), or undefined. */
export function findIntegrationRuntime(service: Service | null | undefined): IntegrationRuntime | undefined {
  return service ? (service as WithRuntime)[RUNTIME] : undefined;
}

/** The runtime of a service built by `defineIntegration`; throws if it was not created yet. */
export function integrationRuntimeOf(service: Service): IntegrationRuntime {
  const runtime = (service as WithRuntime)[RUNTIME];
  if (!runtime) throw new ConfigError(`service ${service.name}: integration runtime missing (was it created by defineIntegration, or with outboundMixin?)`);
  return runtime;
}

/** The inbound side of the service's runtime; throws when there is none. */
export function inboundRuntimeOf(service: Service): InboundRuntime {
  const inbound = integrationRuntimeOf(service).inbound;
  if (!inbound) throw new ConfigError(`service ${service.name}: no inbound side (it has no normalize/webhookSignature)`);
  return inbound;
}

/** The inbound side of the service's runtime, or undefined (another kind of service, or not created yet). */
export function findInboundRuntime(service: Service | null | undefined): InboundRuntime | undefined {
  return findIntegrationRuntime(service)?.inbound;
}

/** Closes the event outbox and releases the broker's store (from `stopped`). */
export async function disposeIntegrationRuntime(service: Service): Promise<void> {
  const runtime = (service as WithRuntime)[RUNTIME];
  if (!runtime) return;
  delete (service as WithRuntime)[RUNTIME];
  await runtime.outbound.outbox.close();
  await releaseStore(service.broker);
}
