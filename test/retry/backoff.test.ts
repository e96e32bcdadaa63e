/** Backoff schedules (property tests): never decrease, never pass the cap, start at or below the initial delay. */
import fc from 'fast-check';
import { backoffDelay } from '../../src/retry';

describe('backoffDelay', () => {
  it('is non-decreasing and capped for any parameters and random draws', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 10_000 }), fc.double({ min: 1, max: 5, noNaN: true }), fc.integer({ min: 0, max: 100_000 }),
      fc.double({ min: 0, max: 1, noNaN: true }), fc.array(fc.double({ min: 0, max: 0.9999, noNaN: true }), { minLength: 1, maxLength: 20 }),
      (initial, multiplier, extra, jitter, draws) => {
        const params = { initialDelayMs: initial, multiplier, maxDelayMs: initial + extra, jitter };
        let previous = 0;
        draws.forEach((r, i) => {
          const delay = backoffDelay(i + 1, params, () => r, previous);
          expect(delay).toBeGreaterThanOrEqual(previous);
          expect(delay).toBeLessThanOrEqual(params.maxDelayMs);
          if (i === 0) expect(delay).toBeLessThanOrEqual(initial);
          previous = delay;
        });
      },
    ));
  });

  it('grows exponentially without jitter', () => {
    const params = { initialDelayMs: 100, multiplier: 2, maxDelayMs: 1000, jitter: 0 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, params, Math.random))).toEqual([100, 200, 400, 800, 1000]);
  });
});
