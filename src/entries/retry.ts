/** `@switchboard/sdk/retry`: retries with backoff and Retry-After, failure classification, HTTP answer checks. */
export {
  executeWithRetry, describeError, resolveRetryOptions, backoffDelay, classifyFailure, statusOf, networkCodeOf,
  parseRetryAfter, retryAfterFromError, telegramRetryAfter, ensureOk, MAX_ERROR_BODY_CHARS,
  DEFAULT_MAX_ATTEMPTS, DEFAULT_INITIAL_DELAY_MS, DEFAULT_MULTIPLIER, DEFAULT_MAX_DELAY_MS, DEFAULT_JITTER,
  DEFAULT_ATTEMPT_TIMEOUT_MS, DEFAULT_MAX_RETRY_AFTER_MS,
} from '../retry';
export type { RetryOptions, ResolvedRetryOptions, AttemptContext, RetryEvent, BackoffParams, FailureKind } from '../retry';
