/** `i_receiveWebhook`: the inbound steps in order — body format, channel, channel access, verify, rate limit, parse, challenge, validate, event id, then `storeEvent` (claim, normalize, publish from where an earlier delivery stopped, commit), answer. */
import type { ChannelAuthentication } from '../../security';
import type { KeyValueStore } from '../../store';
import type { IntegrationConfig, NormalizedMessage, NormalizedStatus, WebhookEvent } from '../../types';
import type { ResolvedInboundOptions } from '../options';
import type { StoredWebhook, WebhookAnswerBody, WebhookChallengeAnswer } from '../types';
import { answerStored } from './answers';
import { parseFormPayload, requestBodyFormat } from './body-format';
import { limitInboundRate } from './inbound-rate-limit';
import { resolveEventId } from './event-id';
import { parsePayload, validatePayload } from './parse';
import type { Publisher } from './publish';
import type { InboundRequest } from './request';
import { resolveChannel } from '../channel/resolve';
import type { MessageFinder } from './resolve-unsure';
import { verifySignature, type SignatureVerifier } from './verify';
import type { StatusPublisher } from './publish-statuses';
import { storeEvent } from './store-event';

/** Everything the pipeline needs, each edge injectable. */
export interface InboundPipeline {
  /** The integration service name. */
  integration: string;
  /** `spec.platform`; a channel of another platform is unknown here. */
  platform: string;
  lookupChannel(channelId: string): Promise<IntegrationConfig | null>;
  verify: SignatureVerifier;
  challenge?: (webhook: WebhookEvent<unknown>) => WebhookChallengeAnswer | undefined;
  validateWebhook?: (webhook: WebhookEvent<unknown>) => boolean | Promise<boolean>;
  eventId?: (webhook: WebhookEvent<unknown>) => unknown;
  normalize(webhook: WebhookEvent<unknown>, channel: IntegrationConfig): NormalizedMessage[] | Promise<NormalizedMessage[]>;
  /** The delivery receipts a webhook carries (published after its messages). Default: none. */
  statuses?: (webhook: WebhookEvent<unknown>, channel: IntegrationConfig) => NormalizedStatus[] | Promise<NormalizedStatus[]>;
  store: KeyValueStore;
  publish: Publisher;
  /** Looks an unconfirmed publish up in the stream (the channels adapter's `findMessage`); absent → publish it again. */
  findMessage?: MessageFinder;
  /** `<ns>.processing.message.received`. */
  receivedChannel: string;
  /** `<ns>.processing.message.status`; needed when `statuses` is set. */
  statusChannel?: string;
  /** Publishes a receipt once stored. Default: `publish` (the broker's `sendToChannel` takes any payload). */
  publishStatus?: StatusPublisher;
  options: ResolvedInboundOptions;
  /** Clock for timestamp checks, ms. Default `Date.now`. */
  now?: () => number;
  /** Told when a commit did not land (the messages are stored; retries are de-duplicated by msg id). */
  onCommitFailed?: (key: string) => void;
  /** The channel's own checks before the signature (`allowedSources` 403, `basicAuth` 401); returns what passed. */
  admit?: (channel: IntegrationConfig, request: InboundRequest) => ChannelAuthentication[];
  /** The public URL a URL-signing scheme (Twilio) checks. */
  publicUrl?: (channel: IntegrationConfig, request: InboundRequest) => string | undefined;
  /** The HTTP answer once the messages are stored (`answers`); default: the stored result. */
  answer?: (webhook: WebhookEvent<unknown>, stored: StoredWebhook, fallback: ReceiveWebhookResult) => Promise<ReceiveWebhookResult>;
}

/** The 200 answers: messages stored, a duplicate, or a challenge. Every failure is thrown as a Switchboard error. */
export type ReceiveWebhookResult =
  | { success: true; messages: number; eventId: string }
  | { success: true; duplicate: true; messages: 0; eventId: string }
  | WebhookChallengeAnswer
  | WebhookAnswerBody;

export async function receiveWebhook(p: InboundPipeline, request: InboundRequest): Promise<ReceiveWebhookResult> {
  const format = requestBodyFormat(request.headers, p.options.bodyFormats);
  const channel = await resolveChannel(p.lookupChannel, request.channelId, p.platform);
  const authenticatedBy = p.admit?.(channel, request) ?? [];
  const verified = await verifySignature(p.verify, request, channel, p.now?.(), { url: p.publicUrl?.(channel, request), authenticatedBy });
  await limitInboundRate(p.store, p.integration, channel);
  const payload = format === 'form' ? parseFormPayload(request.rawBody, p.options) : parsePayload(request.rawBody, p.options.maxJsonDepth);
  const webhook: WebhookEvent<unknown> = {
    integration: p.integration, channelId: channel.id, tenantId: channel.tenantId,
    headers: request.headers, query: request.query, rawBody: request.rawBody, payload, receivedAt: request.receivedAt,
  };
  const challenge = p.challenge?.(webhook);
  if (challenge !== undefined) return challenge;
  await validatePayload(p.validateWebhook, webhook);
  const eventId = await resolveEventId(p.eventId, webhook, verified);

  const stored = await storeEvent(p, webhook, channel, eventId);
  if (stored.duplicate) return answerStored(p.answer, webhook, { success: true, duplicate: true, messages: 0, eventId });
  return answerStored(p.answer, webhook, { success: true, messages: stored.messages, eventId });
}
