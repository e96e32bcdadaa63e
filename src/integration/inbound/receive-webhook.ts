/** `i_receiveWebhook`: the inbound steps in order — channel, verify, parse, claim, normalize, publish (from where an earlier delivery stopped), commit. */
import type { KeyValueStore } from '../../store';
import type { IntegrationConfig, NormalizedMessage, NormalizedStatus, WebhookEvent } from '../../types';
import type { ResolvedInboundOptions } from '../options';
import type { WebhookChallengeAnswer } from '../types';
import { claimEvent, claimKey, releaseClaim } from './claim';
import { commitEvent } from './commit';
import { resolveEventId } from './event-id';
import { normalizeWebhook } from './normalize';
import { parsePayload, validatePayload } from './parse';
import { publishMessages, type Publisher } from './publish';
import type { InboundRequest } from './request';
import { resolveChannel } from './resolve-channel';
import { verifySignature, type SignatureVerifier } from './verify';
import { publishWebhookStatuses, type StatusPublisher } from './publish-statuses';

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
}

/** The 200 answers: messages stored, a duplicate, or a challenge. Every failure is thrown as a Switchboard error. */
export type ReceiveWebhookResult =
  | { success: true; messages: number; eventId: string }
  | { success: true; duplicate: true; messages: 0; eventId: string }
  | WebhookChallengeAnswer;

export async function receiveWebhook(p: InboundPipeline, request: InboundRequest): Promise<ReceiveWebhookResult> {
  const channel = await resolveChannel(p.lookupChannel, request.channelId, p.platform);
  const verified = await verifySignature(p.verify, request, channel, p.now?.());
  const payload = parsePayload(request.rawBody, p.options.maxJsonDepth);
  const webhook: WebhookEvent<unknown> = {
    integration: p.integration, channelId: channel.id, tenantId: channel.tenantId,
    headers: request.headers, query: request.query, rawBody: request.rawBody, payload, receivedAt: request.receivedAt,
  };
  const challenge = p.challenge?.(webhook);
  if (challenge !== undefined) return challenge;
  await validatePayload(p.validateWebhook, webhook);
  const eventId = await resolveEventId(p.eventId, webhook, verified);

  const key = claimKey(p.integration, channel.tenantId, channel.id, eventId);
  const claimed = await claimEvent(p.store, key, p.options.claimTtlMs);
  if (claimed.state === 'done') return { success: true, duplicate: true, messages: 0, eventId };

  const progress = { stored: claimed.claim.from }; // an earlier delivery may have stored some already
  let count: number;
  try {
    const messages = await normalizeWebhook(p.normalize, webhook, channel, p.platform, p.options.maxMessagesPerWebhook);
    count = await publishMessages(p.publish, p.receivedChannel, messages, {
      integration: p.integration, channelId: channel.id, tenantId: channel.tenantId, eventId, receivedAt: request.receivedAt,
    }, progress);
    // Step 7b: the delivery receipts (statuses hook), after the messages.
    await publishWebhookStatuses(p, webhook, channel, { eventId, receivedAt: request.receivedAt }, progress, messages.length);
  } catch (err) {
    await releaseClaim(p.store, claimed.claim, progress.stored, p.options.doneTtlMs);
    throw err;
  }
  if (!(await commitEvent(p.store, claimed.claim, p.options.doneTtlMs))) p.onCommitFailed?.(key);
  return { success: true, messages: count, eventId };
}
