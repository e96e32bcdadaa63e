/** The send pipeline: channel → idempotency → rate limit → transform → sendMessage with retries → sent/failed event. */
import { randomUUID } from 'node:crypto';
import type { ChannelErrorInfo, IntegrationMessageFailedPayload, IntegrationMessageSentPayload } from '../../channels/payloads';
import { ERROR_TYPES, isErrorType, UnavailableError } from '../../errors';
import { executeWithRetry } from '../../retry';
import type { KeyValueStore } from '../../store';
import type { IntegrationConfig, OutboundMessage, SendResult } from '../../types';
import type { OutboundCounters } from './counters';
import { publishEvent, type EventOutbox, type EventPublisher, type OutboxLogger } from './events';
import { idempotencyStoreKey, withIdempotency } from './idempotency';
import type { ResolvedOutboundOptions } from './options';
import { rateLimitBuckets, rateLimitFor, takeRateLimitTokens } from './rate-limit';
import { resolveOwnedChannel } from './resolve-channel';
import { scrubError, scrubSecrets } from './scrub';
import { recordRateLimitWait } from '../../metrics/context';
import { retryLogger } from '../../metrics/retry-log';

/** What one attempt of `sendMessage` is told: pass `signal` to `fetch`, `idempotencyKey` to the platform. */
export interface SendAttempt {
  /** 1 for the first attempt. */
  attempt: number;
  /** Fires at the attempt's timeout. */
  signal: AbortSignal;
  /** The same on every attempt of one send: the caller's key, or one generated for this send. */
  idempotencyKey: string;
}

/** What a send needs: the integration's hooks bound to its service, the store, the publisher and options. */
export interface SendPipeline {
  integration: string;
  platform: string;
  /** `<ns>.processing.message.sent` and `.failed`. */
  channels: { sent: string; failed: string };
  lookupChannel(channelId: string): Promise<IntegrationConfig | null>;
  store: KeyValueStore;
  transform?: (message: OutboundMessage, channel: IntegrationConfig) => OutboundMessage | Promise<OutboundMessage>;
  send(message: OutboundMessage, channel: IntegrationConfig, attempt: SendAttempt): Promise<SendResult>;
  publish: EventPublisher;
  outbox: EventOutbox;
  logger: OutboxLogger;
  options: ResolvedOutboundOptions;
  counters: OutboundCounters;
}

/** `i_sendMessage` params (and a queued send's payload). */
export interface SendRequest {
  channelId: string;
  message: OutboundMessage;
  /** The same key within its TTL sends once; later calls get the first result. */
  idempotencyKey?: string;
  /** The caller's tenant; when set it must own the channel (403). */
  tenantId?: string;
}

/** What `i_sendMessage` answers. */
export interface SendOutcome {
  integration: string;
  channelId: string;
  /** The platform's id for the sent message. */
  messageId: string;
  metadata?: Record<string, unknown>;
  /** Attempts the send took (of the first send, for a duplicate). */
  attempts: number;
  /** True when answered from the idempotency key's first result, without sending. */
  duplicate: boolean;
  idempotencyKey?: string;
}

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

/** Attempts recorded on an error by `executeWithRetry` (`data.attempts`), else 1. */
function attemptsOf(err: unknown): number {
  const n = (err as { data?: { attempts?: unknown } } | null)?.data?.attempts;
  return typeof n === 'number' ? n : 1;
}

/** Store failures (Redis down) become 503: fail closed, never send without the idempotency and rate-limit checks. */
async function guardStore<T>(what: string, fn: () => Promise<T>, passThrough: () => unknown = () => undefined): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err === passThrough()) throw err;
    if (err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'number') throw err;
    throw new UnavailableError(`${what}: the store is unavailable`, undefined, err);
  }
}

/** Takes a token from the channel's bucket and the conversation's (waiting up to the bound); resolves at once without a limit. */
function rateLimit(p: SendPipeline, channel: IntegrationConfig, conversationId: string | undefined): Promise<void> {
  const limit = rateLimitFor(channel, p.options.rateLimit);
  if (!limit) return Promise.resolve();
  const buckets = rateLimitBuckets(p.integration, channel.id, conversationId, limit, p.options.conversationRateLimit);
  return guardStore('rate limit', () => takeRateLimitTokens(p.store, buckets, p.options.maxRateLimitWaitMs))
    .then((waited) => recordRateLimitWait(waited), (err: unknown) => { if (isErrorType(err, ERROR_TYPES.RATE_LIMITED)) p.counters.rateLimited++; throw err; });
}

interface Delivered {
  result: { messageId: string; metadata?: Record<string, unknown>; attempts: number };
  /** The `message.sent` publish, still running (it never rejects: what fails goes to the outbox). */
  event: Promise<void>;
}

/**
 * Rate limit (`token`, the pending take), transform, send with retries, then start the
 * `message.sent` publish; failures publish `message.failed` (awaited) and rethrow.
 */
async function deliver(p: SendPipeline, channel: IntegrationConfig, request: SendRequest, sendKey: string, token: Promise<void>): Promise<Delivered> {
  let attempts = 0;
  const base = { tenantId: channel.tenantId, channelId: channel.id, integration: p.integration };
  try {
    await token;
    const message = p.transform ? await p.transform(request.message, channel) : request.message;
    const result = await executeWithRetry(({ attempt, signal }) => {
      attempts = attempt;
      return p.send(message, channel, { attempt, signal, idempotencyKey: sendKey });
    }, { ...p.options.retry, idempotent: p.options.idempotent, onRetry: retryLogger(p.logger, p.integration, channel.id) });
    p.counters.sent++;
    p.counters.retries += attempts - 1;
    // Every string of the event and of the answer is scrubbed: the platform (or a tenant's URL) may echo
    // the Authorization header into the message id, the metadata, anywhere it can reach.
    const payload: IntegrationMessageSentPayload = scrubSecrets({
      ...base, messageId: String(result.messageId), message: request.message, attempts, sentAt: Date.now(),
      ...(result.metadata === undefined ? {} : { metadata: result.metadata }), ...(request.idempotencyKey ? { idempotencyKey: request.idempotencyKey } : {}),
    }, channel);
    const metadata = payload.metadata;
    const event = publishEvent(p.publish, p.outbox, p.logger, p.channels.sent, payload, `${p.integration}:${channel.id}:sent:${sendKey}`, p.options.eventPublishAttempts)
      .then((stored) => { if (!stored) p.counters.eventsDeferred++; });
    return { result: { messageId: payload.messageId, ...(metadata ? { metadata } : {}), attempts }, event };
  } catch (err) {
    const tries = Math.max(attempts, isErrorType(err, ERROR_TYPES.RETRY_EXHAUSTED) || isErrorType(err, ERROR_TYPES.SEND_AMBIGUOUS) ? attemptsOf(err) : attempts);
    p.counters.failed++;
    if (isErrorType(err, ERROR_TYPES.SEND_AMBIGUOUS)) p.counters.ambiguous++;
    p.counters.retries += Math.max(0, tries - 1);
    const payload: IntegrationMessageFailedPayload = scrubSecrets({
      ...base, message: request.message, error: errorInfo(err), retryCount: Math.max(0, tries - 1), failedAt: Date.now(),
      ...(request.idempotencyKey ? { idempotencyKey: request.idempotencyKey } : {}),
    }, channel);
    if (!(await publishEvent(p.publish, p.outbox, p.logger, p.channels.failed, payload, `${p.integration}:${channel.id}:failed:${sendKey}`, p.options.eventPublishAttempts))) p.counters.eventsDeferred++;
    scrubError(err, channel);
    if (err && typeof err === 'object' && (err as { data?: unknown }).data && typeof (err as { data: unknown }).data === 'object') {
      (err as { data: Record<string, unknown> }).data.attempts ??= tries;
    }
    throw err;
  }
}

/**
 * Sends one message through the pipeline; see `SendOutcome`. The idempotency commit and the
 * `message.sent` publish run side by side; the answer waits for both (the event's PubAck included).
 */
export async function sendMessage(p: SendPipeline, request: SendRequest): Promise<SendOutcome> {
  const channel = await resolveOwnedChannel((id) => p.lookupChannel(id), request.channelId, p.platform, request.tenantId);
  const common = { integration: p.integration, channelId: channel.id, ...(request.idempotencyKey ? { idempotencyKey: request.idempotencyKey } : {}) };
  if (request.idempotencyKey === undefined) {
    const { result, event } = await deliver(p, channel, request, randomUUID(), rateLimit(p, channel, request.message?.conversationId));
    await event;
    return { ...common, ...result, duplicate: false };
  }
  const key = request.idempotencyKey;
  let sendError: unknown;
  let event: Promise<void> | undefined;
  const run = async () => {
    try {
      // The token is taken only once the key is ours: duplicates waiting on the key never spend one.
      const delivered = await deliver(p, channel, request, key, rateLimit(p, channel, request.message?.conversationId));
      event = delivered.event;
      return delivered.result;
    } catch (err) {
      sendError = err;
      throw err;
    }
  };
  const result = await guardStore('idempotency', () => withIdempotency(
    p.store, idempotencyStoreKey(p.integration, channel.tenantId, channel.id, key), key,
    { ttlMs: p.options.idempotencyTtlMs, claimTtlMs: p.options.idempotencyClaimTtlMs, waitMs: p.options.idempotencyWaitMs },
    run, attemptsOf,
  ), () => sendError);
  if (event) await event;
  if (result.duplicate) p.counters.duplicates++;
  return { ...common, ...result };
}
