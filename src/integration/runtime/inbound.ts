/** The inbound part of an integration's runtime: the webhook pipeline bound to the service, and the webhook VCR. */
import type { Context, Service, ServiceBroker } from 'moleculer';
import { runtimeOf as brokerRuntime } from '../../store';
import type { KeyValueStore } from '../../store';
import { addressList } from '../../security';
import type { IntegrationConfig, WebhookEvent } from '../../types';
import type { ChannelNames } from '../../channels/names';
import type { ChannelLookup } from '../channel/lookup';
import type { InboundRuntime } from '../inbound/actions';
import { answerStoredWebhook } from '../inbound/answers';
import { slackUrlVerification } from '../inbound/challenge';
import { checkChannelAccess } from '../inbound/channel-access';
import { publicUrlOf } from '../inbound/public-url';
import type { StatusPublisher } from '../inbound/publish-statuses';
import { recordableHeaders, writeRecording } from '../inbound/record';
import { receiveWebhook, type InboundPipeline, type ReceiveWebhookResult } from '../inbound/receive-webhook';
import type { InboundRequest } from '../inbound/request';
import type { MessageFinder } from '../inbound/resolve-unsure';
import { customVerifier, schemeVerifier, type SignatureVerifier } from '../inbound/verify';
import type { ResolvedInboundOptions } from '../options';
import type { IntegrationServiceConfig } from '../types';
import type { ChannelPublisher } from './publisher';

/** What the inbound and outbound parts share: built once per service by `createIntegrationRuntime`. */
export interface SharedParts {
  store: KeyValueStore;
  publish: ChannelPublisher;
  names: ChannelNames;
  lookup: ChannelLookup;
}

/**
 * The default finder of unconfirmed publishes: the channels adapter's `findMessage` (on `broker.channelAdapter`,
 * where the channels middleware puts it). Undefined when the adapter has none.
 */
export function brokerMessageFinder(broker: ServiceBroker): MessageFinder | undefined {
  const adapter = (broker as unknown as { channelAdapter?: { findMessage?: MessageFinder } }).channelAdapter;
  if (typeof adapter?.findMessage !== 'function') return undefined;
  return (channel, msgID, since) => adapter.findMessage!(channel, msgID, since);
}

/** The inbound part (from `createIntegrationRuntime`): the pipeline with the service's hooks bound to it. */
export function createInboundRuntime<TPayload, TChannel extends IntegrationConfig>(
  service: Service,
  config: IntegrationServiceConfig<TPayload, TChannel>,
  options: ResolvedInboundOptions,
  { store, publish, names, lookup }: SharedParts,
): InboundRuntime {
  const receivedChannel = names.MESSAGE_RECEIVED;
  const verify = config.validateSignature
    ? customVerifier((input, channel) => config.validateSignature!.call(service, input, channel as TChannel))
    : schemeVerifier(config.webhookSignature!);
  type Hook<R> = (webhook: WebhookEvent<unknown>) => R;
  const bind = <R>(fn: ((this: Service, webhook: WebhookEvent<TPayload>) => R) | undefined): Hook<R> | undefined =>
    fn ? (webhook) => fn.call(service, webhook as WebhookEvent<TPayload>) : undefined;
  const challenge = config.webhookChallenge === false ? undefined : bind(config.webhookChallenge ?? slackUrlVerification);
  const { trustedProxies, publicUrl, recordWebhooksDir } = brokerRuntime(service.broker);
  const trusted = addressList(trustedProxies ?? []);
  if (recordWebhooksDir) service.logger.info(`webhook VCR on: verified requests are written to ${recordWebhooksDir}`);
  const answers = (config.answers ?? []).map((a) => ({ ...a, handler: (w: WebhookEvent<unknown>, stored: Parameters<typeof a.handler>[1]) => a.handler.call(service, w as WebhookEvent<TPayload>, stored) }));
  const eventType = bind(config.eventType);
  const answerRouting = {
    answers, eventType, timeoutMs: options.answerTimeoutMs,
    onFallback: (reason: string, err?: unknown) => service.logger.warn(`inbound: ${reason}; the default answer was sent`, err ?? ''),
  };

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
    findMessage: brokerMessageFinder(service.broker),
    receivedChannel,
    options,
    onCommitFailed: (key) => service.logger.warn(`inbound: event ${key} stored but not marked done (store unavailable); a retry is de-duplicated by msg id`),
    admit: (channel, request) => checkChannelAccess(channel, request, trusted),
    publicUrl: (channel, request) => publicUrlOf(channel, request, publicUrl),
    answer: answers.length > 0 ? (webhook, stored, fallback) => answerStoredWebhook(answerRouting, webhook, stored, fallback) : undefined,
  };
  // per request only the channel lookup is new (it carries the context): the rest is read through the prototype, not copied
  const pipeline = (ctx: Context): InboundPipeline => {
    const p = Object.create(base) as InboundPipeline;
    p.lookupChannel = (channelId) => lookup(channelId, ctx);
    return p;
  };
  return {
    options,
    pipeline,
    receive: (ctx, request) => (recordWebhooksDir ? recordedReceive(service, pipeline(ctx), request, recordWebhooksDir) : receiveWebhook(pipeline(ctx), request)),
  };
}

/** The answer as the gateway will write it: the status and body of a result or an error. */
function answerOf(outcome: { result: ReceiveWebhookResult } | { error: unknown }): { status: number; body: unknown } {
  if ('result' in outcome) return { status: 200, body: outcome.result };
  const e = (outcome.error ?? {}) as { code?: unknown; type?: unknown; message?: unknown };
  const status = typeof e.code === 'number' && e.code >= 400 && e.code <= 599 ? e.code : 500;
  return { status, body: { error: typeof e.type === 'string' ? e.type : 'INTERNAL_ERROR', code: status, message: status >= 500 ? 'internal error' : String(e.message ?? '') } };
}

/** The webhook VCR: runs the pipeline and, when the signature verified, writes the request and its answer to `dir`. */
async function recordedReceive(service: Service, pipeline: InboundPipeline, request: InboundRequest, dir: string): Promise<ReceiveWebhookResult> {
  let verified: IntegrationConfig | undefined;
  const verify: SignatureVerifier = async (input, channel) => {
    const result = await pipeline.verify(input, channel);
    if (result.valid) verified = channel;
    return result;
  };
  const record = async (outcome: { result: ReceiveWebhookResult } | { error: unknown }) => {
    if (!verified) return;
    try {
      await writeRecording(dir, {
        integration: pipeline.integration, channelId: verified.id, method: 'POST',
        path: request.path ?? `/webhooks/${pipeline.integration}/${verified.id}`,
        headers: recordableHeaders(request.headers, verified.secrets ?? []),
        body: request.rawBody.toString('base64'), receivedAt: request.receivedAt, answer: answerOf(outcome),
      });
    } catch (err) {
      service.logger.warn(`webhook VCR: could not write a recording to ${dir}`, err);
    }
  };
  let result: ReceiveWebhookResult;
  try {
    result = await receiveWebhook(Object.assign(Object.create(pipeline) as InboundPipeline, { verify }), request);
  } catch (error) {
    await record({ error });
    throw error;
  }
  await record({ result });
  return result;
}
