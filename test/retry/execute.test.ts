/** executeWithRetry: what is retried, how long it waits, and what it never resends. */
import { PlatformError, TimeoutError } from '../../src/errors';
import { executeWithRetry, telegramRetryAfter, type RetryOptions } from '../../src/retry';

/** Records waits instead of sleeping; the clock advances by each wait. */
function fakeTime() {
  let now = 1_000_000;
  const waits: number[] = [];
  const options: Pick<RetryOptions, 'sleep' | 'now' | 'random'> = {
    sleep: async (ms) => { waits.push(ms); now += ms; },
    now: () => now,
    random: () => 0.5,
  };
  return { waits, options };
}

const platform = (status: number, data: Record<string, unknown> = {}) => new PlatformError(`HTTP ${status}`, { status, ...data });
const netError = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(code), { code }) });

describe('executeWithRetry', () => {
  it('retries a 500 and returns the success, with backoff and jitter', async () => {
    const t = fakeTime();
    let calls = 0;
    const result = await executeWithRetry(async ({ attempt }) => {
      calls++;
      if (attempt < 3) throw platform(500);
      return 'ok';
    }, { ...t.options, initialDelayMs: 100, jitter: 0.2 });
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(t.waits).toEqual([90, 180]); // 100 and 200, less 10 % (jitter 0.2 × random 0.5)
  });

  it('fails at once on a 400, after one attempt, with the original error', async () => {
    const t = fakeTime();
    let calls = 0;
    const err = platform(400);
    await expect(executeWithRetry(async () => { calls++; throw err; }, t.options)).rejects.toBe(err);
    expect(calls).toBe(1);
    expect(t.waits).toEqual([]);
  });

  it('gives up after maxAttempts with RetryExhaustedError carrying the attempts and the cause', async () => {
    const t = fakeTime();
    const last = platform(503);
    const err = await executeWithRetry(async () => { throw last; }, { ...t.options, maxAttempts: 3 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'RETRY_EXHAUSTED', data: { attempts: 3, lastError: { status: 503 } } });
    expect((err as Error).cause).toBe(last);
    expect(t.waits).toHaveLength(2);
  });

  it('honours Retry-After over a shorter backoff, and gives up when it asks for more than maxRetryAfterMs', async () => {
    const t = fakeTime();
    let calls = 0;
    await executeWithRetry(async () => { if (calls++ === 0) throw platform(429, { retryAfterMs: 1000 }); return 1; }, t.options);
    expect(t.waits).toEqual([1000]);
    const err = await executeWithRetry(async () => { throw platform(429, { retryAfterMs: 120_000 }); }, t.options).catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'RETRY_EXHAUSTED', data: { attempts: 1, retryAfterMs: 120_000 } });
  });

  it('takes a platform hint through the retryAfter hook (Telegram parameters.retry_after)', async () => {
    const t = fakeTime();
    let calls = 0;
    await executeWithRetry(async () => {
      if (calls++ === 0) throw platform(429, { body: { ok: false, error_code: 429, parameters: { retry_after: 3 } } });
      return 1;
    }, { ...t.options, retryAfter: telegramRetryAfter });
    expect(t.waits).toEqual([3000]);
  });

  it('retries network errors from before the request was sent, and names the system code when it gives up', async () => {
    const t = fakeTime();
    let calls = 0;
    await expect(executeWithRetry(async () => { if (calls++ < 2) throw netError('ECONNREFUSED'); return 'ok'; }, t.options)).resolves.toBe('ok');
    await expect(executeWithRetry(async () => { throw netError('ECONNREFUSED'); }, { ...t.options, maxAttempts: 2 }))
      .rejects.toMatchObject({ type: 'RETRY_EXHAUSTED', message: 'gave up after 2 attempts: fetch failed (ECONNREFUSED)' });
  });

  it('does not resend after a timeout unless idempotent', async () => {
    let calls = 0;
    const hang = ({ signal }: { signal: AbortSignal }) => new Promise<string>((resolve, reject) => {
      calls++;
      if (calls >= 2) return resolve('second');
      signal.addEventListener('abort', () => reject(signal.reason));
    });
    const err = await executeWithRetry(hang, { attemptTimeoutMs: 20 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'SEND_AMBIGUOUS', data: { attempts: 1 } });
    expect((err as Error).cause).toBeInstanceOf(TimeoutError);
    expect(calls).toBe(1);
    calls = 0;
    await expect(executeWithRetry(hang, { attemptTimeoutMs: 20, idempotent: true, initialDelayMs: 1 })).resolves.toBe('second');
    expect(calls).toBe(2);
  });

  it('times out an attempt that ignores its signal, and treats a reset connection as ambiguous', async () => {
    const started = Date.now();
    const err = await executeWithRetry(() => new Promise(() => undefined), { attemptTimeoutMs: 30 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'SEND_AMBIGUOUS' });
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(executeWithRetry(async () => { throw netError('ECONNRESET'); }, fakeTime().options)).rejects.toMatchObject({ type: 'SEND_AMBIGUOUS' });
  });

  it('stops when the caller aborts, during a wait', async () => {
    const controller = new AbortController();
    const promise = executeWithRetry(async () => { throw platform(500); }, {
      signal: controller.signal, initialDelayMs: 10_000, onRetry: () => setTimeout(() => controller.abort(new Error('stop')), 5),
    });
    await expect(promise).rejects.toThrow('stop');
  });

  it('respects maxElapsedMs and tells onRetry about each wait', async () => {
    const t = fakeTime();
    const events: number[] = [];
    const err = await executeWithRetry(async () => { throw platform(502); }, {
      ...t.options, maxAttempts: 10, initialDelayMs: 1000, jitter: 0, attemptTimeoutMs: 1000, maxElapsedMs: 6000,
      onRetry: (e) => events.push(e.delayMs),
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'RETRY_EXHAUSTED', message: expect.stringContaining('maxElapsedMs') });
    expect(events).toEqual([1000, 2000]);
  });

  it('lets classify override the rules', async () => {
    const t = fakeTime();
    let calls = 0;
    await expect(executeWithRetry(async () => { if (calls++ === 0) throw platform(400); return 'ok'; }, {
      ...t.options, classify: (e) => ((e as PlatformError).data as { status: number }).status === 400 ? 'retryable' : undefined,
    })).resolves.toBe('ok');
  });
});
