/** Retry options: defaults, invalid values and conflicts, each error naming the option. */
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_DELAY_MS, resolveRetryOptions } from '../../src/retry';

describe('resolveRetryOptions', () => {
  it('fills the defaults', () => {
    const o = resolveRetryOptions();
    expect(o.maxAttempts).toBe(DEFAULT_MAX_ATTEMPTS);
    expect(o.maxDelayMs).toBe(DEFAULT_MAX_DELAY_MS);
    expect(o.idempotent).toBe(false);
  });

  it.each([
    [{ maxAttempts: 0 }, /`maxAttempts`/],
    [{ maxAttempts: 1.5 }, /`maxAttempts`/],
    [{ jitter: 2 }, /`jitter`/],
    [{ multiplier: 0.5 }, /`multiplier`/],
    [{ attemptTimeoutMs: 0 }, /`attemptTimeoutMs`/],
    [{ initialDelayMs: -1 }, /`initialDelayMs`/],
    [{ maxRetryAfterMs: Number.NaN }, /`maxRetryAfterMs`/],
  ])('rejects %j', (options, message) => {
    expect(() => resolveRetryOptions(options)).toThrow(message);
  });

  it('rejects conflicting options, naming both', () => {
    expect(() => resolveRetryOptions({ initialDelayMs: 5000, maxDelayMs: 1000 })).toThrow(/`initialDelayMs`.*`maxDelayMs`/);
    expect(() => resolveRetryOptions({ maxElapsedMs: 1000, attemptTimeoutMs: 5000 })).toThrow(/`maxElapsedMs`.*`attemptTimeoutMs`/);
  });

  it('raises the default cap to a larger initial delay instead of conflicting with a default', () => {
    expect(resolveRetryOptions({ initialDelayMs: 60_000 }).maxDelayMs).toBe(60_000);
  });
});
