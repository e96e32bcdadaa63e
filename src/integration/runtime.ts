/** The per-service inbound runtime: claims store, memoized channel lookup, publisher — built when the service is created. */
import type { Service, ServiceBroker } from 'moleculer';
import { channelNames } from '../channels';
import { ConfigError } from '../errors';
import { acquireStore, releaseStore, runtimeOf as brokerRuntime } from '../store';
import type { IntegrationConfig, WebhookEvent } from '../types';
import type { InboundRuntime } from './inbound/actions';
import { slackUrlVerification } from './inbound/challenge';
import { channelLookupOf } from './channel-lookup';
import type { InboundPipeline } from './inbound/receive-webhook';
import type { Publisher } from './inbound/publish';
import { customVerifier, schemeVerifier } from './inbound/verify';
import type { ResolvedInboundOptions } from './options';
import type { IntegrationServiceConfig } from './types';
import type { StatusPublisher } from './inbound/publish-statuses';

const RUNTIME = Symbol('switchboard.inbound');

type WithRuntime = Service & { [RUNTIME]?: InboundRuntime };

/** The runtime of a service built by `defineIntegration`; throws if it was not created yet. */
export function inboundRuntimeOf(service: Service): InboundRuntime {
  const runtime = (service as WithRuntime)[RUNTIME];
  if (!runtime) throw new ConfigError(`service ${service.name}: inbound runtime missing (was it created by defineIntegration?)`);
  return runtime;
}

/** The default publisher: `broker.sendToChannel` (the channels middleware), which resolves after the PubAck. */
export function brokerPublisher(broker: ServiceBroker): Publisher {
  return (channel, payload, options) => {
    const send = (broker as Partial<Pick<ServiceBroker, 'sendToChannel'>>).sendToChannel;
    if (typeof send !== 'function') {
      throw new ConfigError('broker.sendToChannel is missing: add the channels middleware (createChannelsMiddleware) to the broker config');
    }
    return send.call(broker, channel, payload, options);
  };
}

/** Fails the service start (not each webhook) when the broker cannot publish to channels. */
export function assertCanPublish(service: Service): void {
  if (typeof (service.broker as Partial<Pick<ServiceBroker, 'sendToChannel'>>).sendToChannel !== 'function') {
    throw new ConfigError(`service ${service.name}: broker.sendToChannel is missing — add createChannelsMiddleware() to the broker's middlewares (createBrokerConfig does)`);
  }
}

/** Builds and attaches the runtime (call from `created`). */
export function createInboundRuntime<TPayload, TChannel extends IntegrationConfig>(
  service: Service,
  config: IntegrationServiceConfig<TPayload, TChannel>,
  options: ResolvedInboundOptions,
): InboundRuntime {
  const store = acquireStore(service.broker);
  const publish = brokerPublisher(service.broker);
  const names = channelNames(brokerRuntime(service.broker).namespace);
  const receivedChannel = names.MESSAGE_RECEIVED;
  const verify = config.validateSignature
    ? customVerifier((input, channel) => config.validateSignature!.call(service, input, channel as TChannel))
    : schemeVerifier(config.webhookSignature!);
  type Hook<R> = (webhook: WebhookEvent<unknown>) => R;
  const bind = <R>(fn: ((this: Service, webhook: WebhookEvent<TPayload>) => R) | undefined): Hook<R> | undefined =>
    fn ? (webhook) => fn.call(service, webhook as WebhookEvent<TPayload>) : undefined;
  const challenge = config.webhookChallenge === false ? undefined : bind(config.webhookChallenge ?? slackUrlVerification);
  const lookup = channelLookupOf(service, config);

  const base: Omit<InboundPipeline, 'lookupChannel'> = {
    integration: service.name,
    platform: config.spec.platform,
    verify,
    challenge,
    validateWebhook: bind(config.validateWebhook),
    eventId: bind(config.eventId),
    normalize: (webhook, channel) => config.normalize.call(service, webhook as WebhookEvent<TPayload>, channel as TChannel),
    // Delivery receipts (the `statuses` hook), published after the messages.
    statuses: config.statuses ? (webhook, channel) => config.statuses!.call(service, webhook as WebhookEvent<TPayload>, channel as TChannel) : undefined,
    statusChannel: names.MESSAGE_STATUS,
    publishStatus: publish as unknown as StatusPublisher,
    store,
    publish,
    receivedChannel,
    options,
    onCommitFailed: (key) => service.logger.warn(`inbound: event ${key} stored but not marked done (store unavailable); a retry is de-duplicated by msg id`),
  };
  const runtime: InboundRuntime = {
    options,
    pipeline: (ctx) => ({ ...base, lookupChannel: (channelId) => lookup(channelId, ctx) }),
  };
  (service as WithRuntime)[RUNTIME] = runtime;
  return runtime;
}

/** Releases the broker's store (call from `stopped`). */
export async function disposeInboundRuntime(service: Service): Promise<void> {
  const runtime = (service as WithRuntime)[RUNTIME];
  if (!runtime) return;
  delete (service as WithRuntime)[RUNTIME];
  await releaseStore(service.broker);
}
