/** Retry delay math and option resolution. */
import fc from 'fast-check';
import {
  retryDelay, resolveBackoff, resolveConsumerOptions, resolveStreamOptions, CHANNEL_CONFIG,
  DEFAULT_MAX_RETRIES, DEFAULT_DEAD_LETTER_ATTEMPTS, DEFAULT_ACK_WAIT_MS,
} from '../../src/channels';
import { ConfigError } from '../../src/errors';

describe('retryDelay', () => {
  const o = resolveBackoff('t', { initialDelayMs: 1_000, multiplier: 2, maxDelayMs: 10_000, jitter: 0 });

  it('grows exponentially from the first delay and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelay(n, o))).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
  });

  it('jitter takes off at most its fraction, chosen by the injected random source', () => {
    const j = resolveBackoff('t', { initialDelayMs: 1_000, jitter: 0.2 });
    expect(retryDelay(1, j, () => 0)).toBe(1_000);
    expect(retryDelay(1, j, () => 1)).toBe(800);
    expect(retryDelay(1, j, () => 0.5)).toBe(900);
  });

  it('property: never negative, never above the cap; without jitter the schedule never decreases', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 10_000 }), fc.double({ min: 1, max: 5, noNaN: true }), fc.integer({ min: 0, max: 100_000 }),
      fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 50 }),
      (initial, multiplier, extra, jitter, r, n) => {
        const b = resolveBackoff('p', { initialDelayMs: initial, multiplier, maxDelayMs: initial + extra, jitter });
        const d = retryDelay(n, b, () => r);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(b.maxDelayMs);
        const flat = { ...b, jitter: 0 };
        expect(retryDelay(n + 1, flat)).toBeGreaterThanOrEqual(retryDelay(n, flat));
      },
    ));
  });
});

describe('option resolution', () => {
  it('maxRetries counts retries: max_deliver = 1 + maxRetries + deadLetterAttempts', () => {
    const r = resolveConsumerOptions('c', {}, {}, 'ns.deadletter');
    expect(r.maxRetries).toBe(DEFAULT_MAX_RETRIES);
    expect(r.maxDeliver).toBe(1 + DEFAULT_MAX_RETRIES + DEFAULT_DEAD_LETTER_ATTEMPTS);
    expect(r.ackWaitMs).toBe(DEFAULT_ACK_WAIT_MS);
    expect(r.workingIntervalMs).toBe(Math.floor(DEFAULT_ACK_WAIT_MS / 3));
    expect(r.deadLettering).toEqual({ enabled: true, queueName: 'ns.deadletter' });
  });

  it('the channel definition wins over the adapter defaults; presets are consumer options', () => {
    const r = resolveConsumerOptions('c', { ...CHANNEL_CONFIG.HIGH_PRIORITY }, { maxInFlight: 3, maxRetries: 1 }, 'dl');
    expect(r.maxInFlight).toBe(50);
    expect(r.maxRetries).toBe(5);
    expect(r.retryBackoff.initialDelayMs).toBe(250);
  });

  it('rejects bad values with a ConfigError naming the option', () => {
    expect(() => resolveConsumerOptions('chan', { maxRetries: -1 }, {}, 'dl')).toThrow(/chan\.maxRetries/);
    expect(() => resolveConsumerOptions('chan', { maxInFlight: 0 }, {}, 'dl')).toThrow(ConfigError);
    expect(() => resolveBackoff('b', { initialDelayMs: 5_000, maxDelayMs: 1_000 })).toThrow(/b\.maxDelayMs/);
    expect(() => resolveStreamOptions('s', { maxAgeMs: 60_000, duplicateWindowMs: 120_000 })).toThrow(/s\.duplicateWindowMs.*maxAgeMs/);
    expect(() => resolveStreamOptions('s', { storage: 'disk' as never })).toThrow(/s\.storage/);
  });
});
