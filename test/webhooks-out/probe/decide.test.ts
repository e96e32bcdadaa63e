/** The probe's decisions and options, alone: which subscription is probed, when again, from when it is replayed. */
import {
  afterFailure, currentState, isDue, isProbed, nextProbeWaitMs, probeOptionsFrom, replaySinceMs, resolveProbeOptions,
  PROBE_INTERVAL_VARIABLE, DEFAULT_PROBE_MAX_INTERVAL_MS, REPLAY_QUEUE_SLACK_MS,
} from '../../../src/webhooks-out/probe';
import type { Subscription } from '../../../src/webhooks-out/types';

const sub = (p: Partial<Subscription>): Subscription => ({
  id: 'sub_1', tenantId: 't1', url: 'https://example.com/h', events: ['*'], status: 'disabled', createdAt: '', updatedAt: '', ...p,
});
const at = '2026-12-01T10:00:00.000Z';

describe('which subscriptions are probed', () => {
  const o = resolveProbeOptions({ intervalMs: 1000 });

  it('by default only those disabled for failing; gone when asked; never a manual one, an active one, or one without a reason', () => {
    expect(isProbed(sub({ disabledReason: 'failing' }), o)).toBe(true);
    expect(isProbed(sub({ disabledReason: 'gone' }), o)).toBe(false);
    expect(isProbed(sub({ disabledReason: 'gone' }), { reasons: ['failing', 'gone'] })).toBe(true);
    expect(isProbed(sub({ disabledReason: 'manual' }), { reasons: ['failing', 'gone', 'manual' as never] })).toBe(false);
    expect(isProbed(sub({ disabledReason: undefined }), o)).toBe(false);
    expect(isProbed(sub({ status: 'active' }), o)).toBe(false);
  });
});

describe('when a subscription is probed again', () => {
  const o = { intervalMs: 1000, maxIntervalMs: 5000 };

  it('at once when never probed in this disabling; a state of an earlier disabling does not count', () => {
    expect(isDue(null, 0)).toBe(true);
    const old = { disabledAt: '2026-11-01T00:00:00.000Z', failures: 9, nextAtMs: Number.MAX_SAFE_INTEGER };
    expect(currentState(old, at)).toBeNull();
    expect(isDue(currentState(old, at), 0)).toBe(true);
    expect(currentState({ ...old, disabledAt: at }, at)).toMatchObject({ failures: 9 });
  });

  it('after a wait that doubles with each failure, capped; jitter moves it both ways', () => {
    expect([1, 2, 3, 4, 5, 30].map((n) => nextProbeWaitMs(n, o))).toEqual([1000, 2000, 4000, 5000, 5000, 5000]);
    expect(nextProbeWaitMs(1, o, 0.2, () => 0)).toBe(800);
    expect(nextProbeWaitMs(1, o, 0.2, () => 1)).toBe(1200);
    expect(nextProbeWaitMs(10_000, o)).toBe(5000);
  });

  it('counts failures in a row and sets the next time', () => {
    const first = afterFailure(null, at, 10_000, (n) => n * 100);
    expect(first).toEqual({ disabledAt: at, failures: 1, nextAtMs: 10_100 });
    expect(isDue(first, 10_099)).toBe(false);
    expect(isDue(first, 10_100)).toBe(true);
    expect(afterFailure(first, at, 20_000, (n) => n * 100)).toEqual({ disabledAt: at, failures: 2, nextAtMs: 20_200 });
  });
});

describe('from when a re-enabled subscription is replayed', () => {
  const bounds = { disableAfterFailingMs: 5_000, retryScheduleMs: [100, 200, 700], jitter: 0.2 };
  const disabledAt = 10_000_000;

  it('failing: the failing period, the retry schedule\'s longest span and an hour of queueing before the disabling', () => {
    expect(replaySinceMs(disabledAt, 'failing', {}, bounds)).toBe(10_000_000 - 5_000 - 1_200 - REPLAY_QUEUE_SLACK_MS);
  });
  it('gone: the retry schedule\'s span and the queueing only (deliveries still being retried when the 410 came)', () => {
    expect(replaySinceMs(disabledAt, 'gone', {}, bounds)).toBe(10_000_000 - 1_200 - REPLAY_QUEUE_SLACK_MS);
  });
  it('lookbackMs replaces both; never before 0', () => {
    expect(replaySinceMs(disabledAt, 'failing', { lookbackMs: 10 }, bounds)).toBe(9_999_990);
    expect(replaySinceMs(5, 'failing', {}, bounds)).toBe(0);
  });
});

describe('options', () => {
  it('defaults: failing only, a backoff up to 1 h (or the interval when longer)', () => {
    expect(resolveProbeOptions({ intervalMs: 60_000 })).toEqual({ intervalMs: 60_000, maxIntervalMs: DEFAULT_PROBE_MAX_INTERVAL_MS, reasons: ['failing'], concurrency: 4 });
    expect(resolveProbeOptions({ intervalMs: 2 * DEFAULT_PROBE_MAX_INTERVAL_MS }).maxIntervalMs).toBe(2 * DEFAULT_PROBE_MAX_INTERVAL_MS);
  });

  it('a bad value is a ConfigError naming the option', () => {
    expect(() => resolveProbeOptions({ intervalMs: 0 })).toThrow(/webhooks\.probe: option `intervalMs`/);
    expect(() => resolveProbeOptions({ intervalMs: 1000, maxIntervalMs: 500 })).toThrow(/`maxIntervalMs` must be an integer ≥ intervalMs \(1000\)/);
    expect(() => resolveProbeOptions({ intervalMs: 1000, reasons: ['manual' as never] })).toThrow(/`reasons`.*manual disabling is never probed/);
    expect(() => resolveProbeOptions({ intervalMs: 1000, reasons: [] })).toThrow(/`reasons`/);
    expect(() => resolveProbeOptions({ intervalMs: 1000, lookbackMs: -1 })).toThrow(/`lookbackMs`/);
    expect(() => resolveProbeOptions({ intervalMs: 1000, concurrency: 0 })).toThrow(/`concurrency`/);
  });

  it(`off by default; ${PROBE_INTERVAL_VARIABLE} turns it on; an option wins; false keeps it off`, () => {
    expect(probeOptionsFrom(undefined, {})).toBeUndefined();
    expect(probeOptionsFrom(undefined, { [PROBE_INTERVAL_VARIABLE]: ' ' })).toBeUndefined();
    expect(probeOptionsFrom(undefined, { [PROBE_INTERVAL_VARIABLE]: '30000' })).toEqual({ intervalMs: 30_000 });
    expect(probeOptionsFrom({ intervalMs: 5 }, { [PROBE_INTERVAL_VARIABLE]: '30000' })).toEqual({ intervalMs: 5 });
    expect(probeOptionsFrom(false, { [PROBE_INTERVAL_VARIABLE]: '30000' })).toBeUndefined();
    expect(() => probeOptionsFrom(undefined, { [PROBE_INTERVAL_VARIABLE]: '5m' })).toThrow(new RegExp(`${PROBE_INTERVAL_VARIABLE} must be a positive integer`));
    expect(() => probeOptionsFrom(undefined, { [PROBE_INTERVAL_VARIABLE]: '0' })).toThrow(new RegExp(PROBE_INTERVAL_VARIABLE));
  });
});
