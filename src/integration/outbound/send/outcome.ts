/**
 * Step: what a send ends with — the `message.sent` event and the answer, or the `message.failed` event
 * and the error — every string scrubbed of the channel's secrets (the platform, or a tenant's URL, may
 * echo the Authorization header into a message id, metadata, an error: anywhere it can reach).
 */
import type { ChannelErrorInfo, IntegrationMessageFailedPayload, IntegrationMessageSentPayload } from '../../../channels/payloads';
import { ERROR_TYPES, isErrorType } from '../../../errors';
import type { IntegrationConfig } from '../../../types';
import type { OutboundCounters } from '../counters';
import { scrubError, scrubSecrets } from '../scrub';
import type { ClaimEnd } from './end-claim';
import type { Delivery } from './deliver';
import type { SendRequest, SentMessage } from './pipeline';

function errorInfo(err: unknown): ChannelErrorInfo {
  const e = (err ?? {}) as { name?: unknown; message?: unknown; code?: unknown; type?: unknown; retryable?: unknown };
  return {
    name: typeof e.name === 'string' ? e.name : 'Error',
    message: typeof e.message === 'string' ? e.message : String(err),
    ...(typeof e.code === 'number' || typeof e.code === 'string' ? { code: e.code } : {}),
    ...(typeof e.type === 'string' ? { type: e.type } : {}),
    ...(typeof e.retryable === 'boolean' ? { retryable: e.retryable } : {}),
  };
}

/** The `message.sent` event and the answer's message (both scrubbed). */
export function sentOutcome(integration: string, channel: IntegrationConfig, request: SendRequest, sent: SentMessage, now = Date.now()): { event: IntegrationMessageSentPayload; answer: SentMessage } {
  const event: IntegrationMessageSentPayload = scrubSecrets({
    tenantId: channel.tenantId, channelId: channel.id, integration, messageId: sent.messageId, message: request.message, attempts: sent.attempts, sentAt: now,
    ...(sent.metadata === undefined ? {} : { metadata: sent.metadata }), ...(request.idempotencyKey ? { idempotencyKey: request.idempotencyKey } : {}),
  }, channel);
  const answer: SentMessage = event.metadata
    ? { messageId: event.messageId, metadata: event.metadata, attempts: sent.attempts }
    : { messageId: event.messageId, attempts: sent.attempts };
  return { event, answer };
}

/**
 * The `message.failed` event and the error to throw: a scrubbed copy of the delivery's error, with
 * `data.attempts` when its `data` has none; and how the idempotency claim ends (ambiguous is remembered).
 */
export function failedOutcome(
  integration: string, channel: IntegrationConfig, request: SendRequest, failed: { error: unknown; attempts: number }, now = Date.now(),
): { event: IntegrationMessageFailedPayload; error: unknown; end: ClaimEnd } {
  const retryCount = Math.max(0, failed.attempts - 1);
  const event: IntegrationMessageFailedPayload = scrubSecrets({
    tenantId: channel.tenantId, channelId: channel.id, integration, message: request.message, error: errorInfo(failed.error), retryCount, failedAt: now,
    ...(request.idempotencyKey ? { idempotencyKey: request.idempotencyKey } : {}),
  }, channel);
  const error = scrubError(failed.error, channel, { attempts: failed.attempts });
  const end: ClaimEnd = isErrorType(error, ERROR_TYPES.SEND_AMBIGUOUS)
    ? { status: 'ambiguous', message: (error as Error).message, attempts: attemptsOfScrubbed(error, failed.attempts) }
    : { status: 'failed' };
  return { event, error, end };
}

function attemptsOfScrubbed(error: unknown, fallback: number): number {
  const n = (error as { data?: { attempts?: unknown } } | null)?.data?.attempts;
  return typeof n === 'number' ? n : fallback;
}

/** The service's counters for one finished delivery. */
export function countOutcome(counters: OutboundCounters, delivery: Delivery): void {
  if (delivery.ok) counters.sent++;
  else {
    counters.failed++;
    if (isErrorType(delivery.error, ERROR_TYPES.SEND_AMBIGUOUS)) counters.ambiguous++;
  }
  counters.retries += Math.max(0, delivery.attempts - 1);
}
