/** Retry options: every default a named `DEFAULT_*` constant, merged and checked (conflicts named) in one function. */
import { ConfigError } from '../errors';
import { assertOption } from '../errors/options';
import type { FailureKind } from './classify';

/** Attempts in all, the first included: 4 (so up to 3 retries). */
export const DEFAULT_MAX_ATTEMPTS = 4;
/** Wait before the first retry: 500 ms. */
export const DEFAULT_INITIAL_DELAY_MS = 500;
/** Each further wait is this many times longer. */
export const DEFAULT_MULTIPLIER = 2;
/** No wait is longer than 30 s (the cap). */
export const DEFAULT_MAX_DELAY_MS = 30_000;
/** Up to 20 % is taken off each wait at random, so clients that failed together do not retry together. */
export const DEFAULT_JITTER = 0.2;
/** One attempt may take 10 s; then its AbortSignal fires and it counts as a timeout. */
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 10_000;
/** A platform asking to wait longer than 60 s (`Retry-After` or a body hint) ends the retries instead. */
export const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;

/** One attempt's view: its number and the signal that fires at its timeout (pass it to `fetch`). */
export interface AttemptContext {
  /** 1 for the first attempt. */
  attempt: number;
  /** Aborted when the attempt's timeout fires or the caller's `signal` aborts. */
  signal: AbortSignal;
}

/** What `onRetry` is told before each wait. */
export interface RetryEvent {
  /** The attempt that just failed (1-based). */
  attempt: number;
  error: unknown;
  kind: FailureKind;
  /** How long the next wait is, in ms. */
  delayMs: number;
}

/** Options of `executeWithRetry`. Every field is optional. */
export interface RetryOptions {
  /** Attempts in all, the first included (1 = never retry). Default {@link DEFAULT_MAX_ATTEMPTS} (4). */
  maxAttempts?: number;
  /** Wait before the first retry, in ms. Default {@link DEFAULT_INITIAL_DELAY_MS} (500). */
  initialDelayMs?: number;
  /** Growth of each further wait (≥ 1). Default {@link DEFAULT_MULTIPLIER} (2). */
  multiplier?: number;
  /** Longest wait, in ms (the cap); at least `initialDelayMs`. Default {@link DEFAULT_MAX_DELAY_MS} (30 s). */
  maxDelayMs?: number;
  /** Fraction (0–1) of each wait taken off at random. Default {@link DEFAULT_JITTER} (0.2). */
  jitter?: number;
  /** Time allowed to one attempt, in ms; its signal aborts then. Default {@link DEFAULT_ATTEMPT_TIMEOUT_MS} (10 s). */
  attemptTimeoutMs?: number;
  /** Longest platform-requested wait honoured, in ms; a longer one ends the retries. Default {@link DEFAULT_MAX_RETRY_AFTER_MS} (60 s). */
  maxRetryAfterMs?: number;
  /** Time allowed to all attempts and waits together, in ms; a wait that would pass it ends the retries. Default: none. */
  maxElapsedMs?: number;
  /**
   * The operation may safely run twice (the platform de-duplicates, e.g. by an idempotency key).
   * Then a failure after the request may have reached the platform (timeout, reset connection) is
   * retried; otherwise it ends at once with `AmbiguousSendError`. Default `false`.
   */
  idempotent?: boolean;
  /**
   * A platform's own wait hint, in ms, read from an error (e.g. Telegram's `parameters.retry_after`);
   * consulted before the built-in readers (`data.retryAfterMs`, a `retry-after` header). Default: none.
   */
  retryAfter?: (error: unknown) => number | undefined;
  /** Overrides how an error is classified; return undefined to use the built-in rules. Default: none. */
  classify?: (error: unknown) => FailureKind | undefined;
  /** Called before each wait (for logs and metrics). Default: none. */
  onRetry?: (event: RetryEvent) => void;
  /** Aborts the whole operation (the current attempt and any wait). Default: none. */
  signal?: AbortSignal;
  /** Waits `ms`; injectable for tests. Default: a timer that the signal cancels. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Clock in ms; injectable for tests. Default `Date.now`. */
  now?: () => number;
  /** Random number in [0, 1) for jitter; injectable for tests. Default `Math.random`. */
  random?: () => number;
}

export type ResolvedRetryOptions = Required<Omit<RetryOptions, 'maxElapsedMs' | 'retryAfter' | 'classify' | 'onRetry' | 'signal'>> &
  Pick<RetryOptions, 'maxElapsedMs' | 'retryAfter' | 'classify' | 'onRetry' | 'signal'>;

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = () => { clearTimeout(timer); reject(signal?.reason); };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const check = (ok: boolean, option: string, rule: string, value: unknown) => assertOption(ok, 'executeWithRetry', option, rule, value);

/** Merges `options` over the defaults; throws `ConfigError` naming the option (or both options of a conflict). */
export function resolveRetryOptions(options: RetryOptions = {}): ResolvedRetryOptions {
  const o: ResolvedRetryOptions = {
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    initialDelayMs: options.initialDelayMs ?? DEFAULT_INITIAL_DELAY_MS,
    multiplier: options.multiplier ?? DEFAULT_MULTIPLIER,
    maxDelayMs: options.maxDelayMs ?? Math.max(DEFAULT_MAX_DELAY_MS, options.initialDelayMs ?? 0),
    jitter: options.jitter ?? DEFAULT_JITTER,
    attemptTimeoutMs: options.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS,
    maxRetryAfterMs: options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS,
    maxElapsedMs: options.maxElapsedMs,
    idempotent: options.idempotent ?? false,
    retryAfter: options.retryAfter,
    classify: options.classify,
    onRetry: options.onRetry,
    signal: options.signal,
    sleep: options.sleep ?? defaultSleep,
    now: options.now ?? Date.now,
    random: options.random ?? Math.random,
  };
  check(Number.isInteger(o.maxAttempts) && o.maxAttempts >= 1, 'maxAttempts', 'must be an integer ≥ 1', o.maxAttempts);
  check(Number.isFinite(o.initialDelayMs) && o.initialDelayMs >= 0, 'initialDelayMs', 'must be a number ≥ 0', o.initialDelayMs);
  check(Number.isFinite(o.multiplier) && o.multiplier >= 1, 'multiplier', 'must be a number ≥ 1', o.multiplier);
  check(Number.isFinite(o.maxDelayMs) && o.maxDelayMs >= 0, 'maxDelayMs', 'must be a number ≥ 0', o.maxDelayMs);
  check(Number.isFinite(o.jitter) && o.jitter >= 0 && o.jitter <= 1, 'jitter', 'must be a number from 0 to 1', o.jitter);
  check(Number.isFinite(o.attemptTimeoutMs) && o.attemptTimeoutMs > 0, 'attemptTimeoutMs', 'must be a number > 0', o.attemptTimeoutMs);
  check(Number.isFinite(o.maxRetryAfterMs) && o.maxRetryAfterMs >= 0, 'maxRetryAfterMs', 'must be a number ≥ 0', o.maxRetryAfterMs);
  if (o.maxElapsedMs !== undefined) check(Number.isFinite(o.maxElapsedMs) && o.maxElapsedMs > 0, 'maxElapsedMs', 'must be a number > 0', o.maxElapsedMs);
  if (o.initialDelayMs > o.maxDelayMs) {
    throw new ConfigError(`executeWithRetry: options \`initialDelayMs\` (${o.initialDelayMs}) and \`maxDelayMs\` (${o.maxDelayMs}) conflict: the first wait would exceed the cap`, { option: 'initialDelayMs, maxDelayMs' });
  }
  if (o.maxElapsedMs !== undefined && o.maxElapsedMs < o.attemptTimeoutMs) {
    throw new ConfigError(`executeWithRetry: options \`maxElapsedMs\` (${o.maxElapsedMs}) and \`attemptTimeoutMs\` (${o.attemptTimeoutMs}) conflict: one attempt could outlast the whole budget`, { option: 'maxElapsedMs, attemptTimeoutMs' });
  }
  return o;
}
