/** executeWithRetry: runs an operation with a per-attempt timeout, retrying only failures that can succeed. */
import { AmbiguousSendError, RetryExhaustedError, TimeoutError } from '../errors';
import { backoffDelay } from './backoff';
import { classifyFailure, networkCodeOf, type FailureKind } from './classify';
import { resolveRetryOptions, type AttemptContext, type ResolvedRetryOptions, type RetryOptions } from './options';
import { retryAfterFromError } from './retry-after';

/** A plain description of an error, safe to log and to put in events and dead-letter headers. */
export function describeError(error: unknown): { name: string; message: string; code?: number | string; type?: string; status?: number } {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const e = error as Error & { code?: unknown; type?: unknown; data?: { status?: unknown } };
  // `fetch failed` says nothing; the system code on its cause does (ECONNREFUSED, UND_ERR_SOCKET...).
  const network = networkCodeOf(error);
  return {
    name: e.name,
    message: network && !e.message.includes(network) ? `${e.message} (${network})` : e.message,
    ...(typeof e.code === 'number' || typeof e.code === 'string' ? { code: e.code } : {}),
    ...(typeof e.type === 'string' ? { type: e.type } : {}),
    ...(typeof e.data?.status === 'number' ? { status: e.data.status } : {}),
  };
}

/** Runs one attempt: its own AbortController, fired by the timeout or the caller's signal. */
async function runAttempt<T>(fn: (ctx: AttemptContext) => Promise<T>, attempt: number, o: ResolvedRetryOptions): Promise<T> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(o.signal?.reason);
  o.signal?.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new TimeoutError(`attempt ${attempt} timed out after ${o.attemptTimeoutMs} ms`, { attempt, timeoutMs: o.attemptTimeoutMs });
      controller.abort(err);
      reject(err);
    }, o.attemptTimeoutMs);
  });
  try {
    return await Promise.race([fn({ attempt, signal: controller.signal }), timeout]);
  } catch (err) {
    // An abort caused by our timer surfaces as the timeout, whatever the operation threw.
    if (controller.signal.aborted && controller.signal.reason instanceof TimeoutError) throw controller.signal.reason;
    throw err;
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Runs `fn` until it succeeds or retrying cannot help. Each attempt gets an `AbortSignal` that
 * fires at `attemptTimeoutMs`. Failures are classified (see `classifyFailure`, or `options.classify`):
 * - `fatal` (a 4xx other than 408/429, a programming error) → rethrown at once, unchanged;
 * - `ambiguous` (timeout, connection reset: the request may have reached the platform) → retried
 *   only with `idempotent: true`, else `AmbiguousSendError` at once — no blind resend;
 * - `retryable` → waits (exponential backoff with jitter, capped, or longer when the platform asks
 *   with `Retry-After`/a hint) and tries again, up to `maxAttempts`, then `RetryExhaustedError`
 *   with the last error as `cause`.
 * The caller's `signal` aborting ends everything with its reason.
 */
export async function executeWithRetry<T>(fn: (ctx: AttemptContext) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const o = resolveRetryOptions(options);
  const started = o.now();
  let previousDelay = 0;
  for (let attempt = 1; ; attempt++) {
    if (o.signal?.aborted) throw o.signal.reason;
    let kind: FailureKind;
    try {
      return await runAttempt(fn, attempt, o);
    } catch (error) {
      if (o.signal?.aborted) throw error;
      kind = o.classify?.(error) ?? classifyFailure(error);
      const data = { attempts: attempt, lastError: describeError(error) };
      if (kind === 'fatal') throw error;
      if (kind === 'ambiguous' && !o.idempotent) {
        throw new AmbiguousSendError(`attempt ${attempt} failed after the request may have reached the platform (${describeError(error).message}); not resent because the operation is not idempotent`, data, error);
      }
      if (attempt >= o.maxAttempts) {
        throw new RetryExhaustedError(`gave up after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${describeError(error).message}`, data, error);
      }
      const hint = o.retryAfter?.(error) ?? retryAfterFromError(error, o.now());
      if (hint !== undefined && hint > o.maxRetryAfterMs) {
        throw new RetryExhaustedError(`the platform asked to wait ${hint} ms, more than maxRetryAfterMs (${o.maxRetryAfterMs}); gave up after ${attempt} attempt${attempt === 1 ? '' : 's'}`, { ...data, retryAfterMs: hint }, error);
      }
      const backoff = backoffDelay(attempt, o, o.random, previousDelay);
      previousDelay = backoff;
      const delayMs = hint === undefined ? backoff : Math.max(hint, backoff);
      if (o.maxElapsedMs !== undefined && o.now() - started + delayMs + o.attemptTimeoutMs > o.maxElapsedMs) {
        throw new RetryExhaustedError(`gave up after ${attempt} attempt${attempt === 1 ? '' : 's'}: another would pass maxElapsedMs (${o.maxElapsedMs}); last error: ${describeError(error).message}`, data, error);
      }
      o.onRetry?.({ attempt, error, kind, delayMs });
      await o.sleep(delayMs, o.signal);
    }
  }
}
