/** Retries with backoff, jitter, a cap, per-attempt timeouts and Retry-After; ambiguous failures are never resent blindly. */
export { executeWithRetry, describeError } from './execute';
export {
  resolveRetryOptions, DEFAULT_MAX_ATTEMPTS, DEFAULT_INITIAL_DELAY_MS, DEFAULT_MULTIPLIER, DEFAULT_MAX_DELAY_MS,
  DEFAULT_JITTER, DEFAULT_ATTEMPT_TIMEOUT_MS, DEFAULT_MAX_RETRY_AFTER_MS,
} from './options';
export type { RetryOptions, ResolvedRetryOptions, AttemptContext, RetryEvent } from './options';
export { backoffDelay } from './backoff';
export type { BackoffParams } from './backoff';
export { classifyFailure, statusOf, networkCodeOf } from './classify';
export type { FailureKind } from './classify';
export { parseRetryAfter, retryAfterFromError, telegramRetryAfter } from './retry-after';
export { ensureOk, MAX_ERROR_BODY_CHARS } from './http';
