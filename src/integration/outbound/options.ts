/** Outbound options: every default a named `DEFAULT_*` constant, merged and checked (conflicts named) in one function. */
import { ConfigError } from '../../errors';
import { assertIntOption } from '../../errors/options';
import { resolveRetryOptions, type RetryOptions } from '../../retry';
import { checkRateLimit, type ConversationRateLimit, type RateLimit } from './rate-limit';

/** A send's idempotency key (and its first result) is kept 24 h. */
export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** A send in flight holds its key at most 5 min (a crashed node frees it after that). */
export const DEFAULT_IDEMPOTENCY_CLAIM_TTL_MS = 5 * 60 * 1000;
/** A second call with a key whose send is in flight waits up to 30 s for the first result, then gets 409. */
export const DEFAULT_IDEMPOTENCY_WAIT_MS = 30_000;
/** Over the rate limit, a send waits up to 5 s for a token, then fails with `RateLimitError` (429). */
export const DEFAULT_MAX_RATE_LIMIT_WAIT_MS = 5_000;
/** `i_healthCheck` and `i_validateCredentials` give the integration's hook 5 s. */
export const DEFAULT_CHECK_TIMEOUT_MS = 5_000;
/** A `message.sent`/`message.failed` event is published up to 5 times before it is handed to the background outbox. */
export const DEFAULT_EVENT_PUBLISH_ATTEMPTS = 5;
/** The background outbox retries unpublished events every 5 s until they are stored. */
export const DEFAULT_EVENT_RETRY_INTERVAL_MS = 5_000;
/** Queued sends: 10 at a time per node. */
export const DEFAULT_QUEUE_MAX_IN_FLIGHT = 10;
/** Queued sends are not redelivered after a failure (each already ran its own retries): it goes to the dead letter. */
export const DEFAULT_QUEUE_MAX_RETRIES = 0;

/** How a queued send (`<ns>.outbound.send`) is consumed. */
export interface OutboundQueueOptions {
  /** Consume the queue. Default true. */
  enabled?: boolean;
  /** Queued sends processed at once per node. Default {@link DEFAULT_QUEUE_MAX_IN_FLIGHT} (10). */
  maxInFlight?: number;
  /** Redeliveries after a failed send (which already ran its retries), then the dead letter. Default {@link DEFAULT_QUEUE_MAX_RETRIES} (0). */
  maxRetries?: number;
}

/** How an integration's outbound actions behave. Every field is optional. */
export interface OutboundOptions {
  /** Retry policy of `sendMessage` (see `executeWithRetry`); `idempotent` below decides ambiguous failures. */
  retry?: Omit<RetryOptions, 'signal' | 'onRetry' | 'idempotent'>;
  /**
   * The platform de-duplicates a resend (it accepts the idempotency key passed to `sendMessage`), so a
   * timeout after the request may have arrived is retried. Default false: such a send fails as ambiguous.
   */
  idempotent?: boolean;
  /** How long an idempotency key remembers its first result, in ms. Default {@link DEFAULT_IDEMPOTENCY_TTL_MS} (24 h). */
  idempotencyTtlMs?: number;
  /** How long a send in flight holds its key, in ms; longer than a send with all its retries. Default {@link DEFAULT_IDEMPOTENCY_CLAIM_TTL_MS} (5 min). */
  idempotencyClaimTtlMs?: number;
  /** How long a call waits for a concurrent send with the same key, in ms, before 409. Default {@link DEFAULT_IDEMPOTENCY_WAIT_MS} (30 s). */
  idempotencyWaitMs?: number;
  /**
   * The per-channel token bucket, and an optional one per conversation (`perConversation`), shared by
   * all nodes (Redis): `{ capacity, refillPerSecond, perConversation?: { capacity, refillPerSecond } }`.
   * Default: by platform (see `DEFAULT_RATE_LIMITS`; Telegram 30/s per bot and 1/s per chat after a
   * burst of 3); a channel's `settings.rateLimit` replaces it whole; `false` turns it off.
   */
  rateLimit?: RateLimit | false;
  /**
   * The bucket of one conversation, when it differs from `rateLimit.perConversation` (the Telegram
   * integration gives group chats Telegram's 20 messages/minute). Return undefined for the default.
   */
  conversationRateLimit?: ConversationRateLimit;
  /** How long a send waits for a token, in ms, before `RateLimitError`. Default {@link DEFAULT_MAX_RATE_LIMIT_WAIT_MS} (5 s). */
  maxRateLimitWaitMs?: number;
  /** Time given to `checkHealth` / `validateCredentials`, in ms. Default {@link DEFAULT_CHECK_TIMEOUT_MS} (5 s). */
  checkTimeoutMs?: number;
  /** Publish attempts of a sent/failed event before the outbox takes it. Default {@link DEFAULT_EVENT_PUBLISH_ATTEMPTS} (5). */
  eventPublishAttempts?: number;
  /** Interval of the outbox's retries, in ms. Default {@link DEFAULT_EVENT_RETRY_INTERVAL_MS} (5 s). */
  eventRetryIntervalMs?: number;
  /** The queued-send consumer. */
  queue?: OutboundQueueOptions;
}

export interface ResolvedOutboundOptions {
  retry: Omit<RetryOptions, 'signal' | 'onRetry' | 'idempotent'>;
  idempotent: boolean;
  idempotencyTtlMs: number;
  idempotencyClaimTtlMs: number;
  idempotencyWaitMs: number;
  rateLimit: RateLimit | false | undefined;
  conversationRateLimit: ConversationRateLimit | undefined;
  maxRateLimitWaitMs: number;
  checkTimeoutMs: number;
  eventPublishAttempts: number;
  eventRetryIntervalMs: number;
  queue: Required<OutboundQueueOptions>;
}

const int = (where: string, option: string, value: number, min: number) => assertIntOption(where, `outbound.${option}`, value, min);

/** Merges `options` over the defaults; throws `ConfigError` naming the option (or both options of a conflict). */
export function resolveOutboundOptions(where: string, options: OutboundOptions = {}): ResolvedOutboundOptions {
  const o: ResolvedOutboundOptions = {
    retry: options.retry ?? {},
    idempotent: options.idempotent ?? false,
    idempotencyTtlMs: options.idempotencyTtlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS,
    idempotencyClaimTtlMs: options.idempotencyClaimTtlMs ?? DEFAULT_IDEMPOTENCY_CLAIM_TTL_MS,
    idempotencyWaitMs: options.idempotencyWaitMs ?? DEFAULT_IDEMPOTENCY_WAIT_MS,
    rateLimit: options.rateLimit,
    conversationRateLimit: options.conversationRateLimit,
    maxRateLimitWaitMs: options.maxRateLimitWaitMs ?? DEFAULT_MAX_RATE_LIMIT_WAIT_MS,
    checkTimeoutMs: options.checkTimeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS,
    eventPublishAttempts: options.eventPublishAttempts ?? DEFAULT_EVENT_PUBLISH_ATTEMPTS,
    eventRetryIntervalMs: options.eventRetryIntervalMs ?? DEFAULT_EVENT_RETRY_INTERVAL_MS,
    queue: {
      enabled: options.queue?.enabled ?? true,
      maxInFlight: options.queue?.maxInFlight ?? DEFAULT_QUEUE_MAX_IN_FLIGHT,
      maxRetries: options.queue?.maxRetries ?? DEFAULT_QUEUE_MAX_RETRIES,
    },
  };
  try {
    resolveRetryOptions(o.retry);
  } catch (err) {
    throw new ConfigError(`${where}: outbound.retry: ${(err as Error).message}`, { option: 'outbound.retry' }, err);
  }
  if (o.conversationRateLimit !== undefined && typeof o.conversationRateLimit !== 'function') {
    throw new ConfigError(`${where}: option \`outbound.conversationRateLimit\` must be a function`, { option: 'outbound.conversationRateLimit' });
  }
  if (typeof o.idempotent !== 'boolean') throw new ConfigError(`${where}: option \`outbound.idempotent\` must be a boolean`, { option: 'outbound.idempotent' });
  int(where, 'idempotencyTtlMs', o.idempotencyTtlMs, 1000);
  int(where, 'idempotencyClaimTtlMs', o.idempotencyClaimTtlMs, 100);
  int(where, 'idempotencyWaitMs', o.idempotencyWaitMs, 0);
  int(where, 'maxRateLimitWaitMs', o.maxRateLimitWaitMs, 0);
  int(where, 'checkTimeoutMs', o.checkTimeoutMs, 1);
  int(where, 'eventPublishAttempts', o.eventPublishAttempts, 1);
  int(where, 'eventRetryIntervalMs', o.eventRetryIntervalMs, 10);
  int(where, 'queue.maxInFlight', o.queue.maxInFlight, 1);
  int(where, 'queue.maxRetries', o.queue.maxRetries, 0);
  if (o.rateLimit !== undefined && o.rateLimit !== false) {
    const problem = checkRateLimit(o.rateLimit);
    if (problem) throw new ConfigError(`${where}: option \`outbound.rateLimit\` ${problem}`, { option: 'outbound.rateLimit' });
  }
  if (o.idempotencyTtlMs < o.idempotencyClaimTtlMs) {
    throw new ConfigError(`${where}: options \`outbound.idempotencyTtlMs\` (${o.idempotencyTtlMs}) and \`outbound.idempotencyClaimTtlMs\` (${o.idempotencyClaimTtlMs}) conflict: a result would be forgotten before its send could finish`, { option: 'outbound.idempotencyTtlMs, outbound.idempotencyClaimTtlMs' });
  }
  return o;
}
