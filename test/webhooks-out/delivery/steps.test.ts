/** The delivery's small steps on their own: signing (checked by the official library), schedule, verdicts, options, ids (the capped read is guardedRequest's, in test/security/guarded-request.test.ts). */
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { ConfigError } from '../../../src/errors';
import { deliveryHeaders } from '../../../src/webhooks-out/delivery/sign';
import { nextWaitMs } from '../../../src/webhooks-out/delivery/schedule';
import { judgeAttempt } from '../../../src/webhooks-out/delivery/judge';
import { DEFAULT_RETRY_SCHEDULE_MS, resolveDeliveryOptions } from '../../../src/webhooks-out/delivery/options';
import { deliveryIdFor, newDeliveryId } from '../../../src/webhooks-out/delivery/ids';
import type { AttemptResult } from '../../../src/webhooks-out/delivery/attempt';
import { newSecret } from './helpers';

describe('signing', () => {
  test('every secret signs id.timestamp.body; the official library verifies with each, and refuses a changed body', () => {
    const secrets = [newSecret(), newSecret()];
    const body = Buffer.from(JSON.stringify({ type: 'message.received', timestamp: new Date().toISOString(), data: { text: 'ü 🎉' } }));
    const ts = Math.floor(Date.now() / 1000);
    const h = deliveryHeaders(secrets, 'msg_abc', ts, body);
    expect(h['webhook-timestamp']).toBe(String(ts));
    for (const s of secrets) expect(new Webhook(s).verify(body.toString(), h)).toMatchObject({ data: { text: 'ü 🎉' } });
    expect(() => new Webhook(secrets[0]!).verify(body.toString().replace('ü', 'u'), h)).toThrow();
    expect(() => new Webhook(newSecret()).verify(body.toString(), h)).toThrow();
  });
});

describe('the retry schedule', () => {
  const o = resolveDeliveryOptions();
  test('defaults: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h with ±20 % jitter; then none', () => {
    expect([...DEFAULT_RETRY_SCHEDULE_MS]).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
    const low = resolveDeliveryOptions({ random: () => 0 });
    const high = resolveDeliveryOptions({ random: () => 1 });
    expect(nextWaitMs(1, low)).toBe(4_000);
    expect(nextWaitMs(1, high)).toBe(6_000);
    expect(nextWaitMs(7, high)).toBe(43_200_000);
    expect(nextWaitMs(8, o)).toBeUndefined();
  });
  test('any attempt, any random: inside ±jitter of its slot, never negative', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 7 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, r) => {
      const w = nextWaitMs(n, resolveDeliveryOptions({ random: () => r }))!;
      const base = DEFAULT_RETRY_SCHEDULE_MS[n - 1]!;
      return w >= Math.floor(base * 0.8) && w <= Math.ceil(base * 1.2);
    }));
  });
  test('Retry-After replaces the wait, clamped to its bounds', () => {
    expect(nextWaitMs(1, o, 60_000)).toBe(60_000);
    expect(nextWaitMs(1, o, 10)).toBe(1_000);
    expect(nextWaitMs(1, o, 10 * 24 * 3_600_000)).toBe(24 * 3_600_000);
    expect(nextWaitMs(8, o, 60_000)).toBeUndefined();
  });
});

describe('verdicts', () => {
  const r = (status?: number, headers: Record<string, string> = {}, retryAfterMs?: number): AttemptResult => ({
    request: { url: 'http://x', method: 'POST', headers: {}, bodyBytes: 1 }, durationMs: 1, at: new Date().toISOString(),
    ...(status ? { response: { status, headers, body: '' } } : { error: { code: 'ECONNREFUSED', message: 'refused' } }),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
  test.each([[200, 'succeeded'], [204, 'succeeded'], [410, 'gone'], [301, 'failed'], [500, 'failed'], [404, 'failed']])('%i → %s', (status, kind) => {
    expect(judgeAttempt(r(status)).kind).toBe(kind);
  });
  test('3xx is a REDIRECT failure naming its Location; no status is the connection error', () => {
    expect(judgeAttempt(r(302, { location: 'http://10.0.0.1/' }))).toMatchObject({ kind: 'failed', error: { code: 'REDIRECT', message: expect.stringContaining('10.0.0.1') } });
    expect(judgeAttempt(r())).toMatchObject({ kind: 'failed', error: { code: 'ECONNREFUSED' } });
  });
  test('Retry-After counts for 429/502/503/504 only', () => {
    for (const s of [429, 502, 503, 504]) expect(judgeAttempt(r(s, {}, 2_000))).toMatchObject({ retryAfterMs: 2_000 });
    expect(judgeAttempt(r(500, {}, 2_000))).not.toHaveProperty('retryAfterMs');
  });
});

describe('options', () => {
  test.each([
    [{ retryScheduleMs: [1, -5] }, 'retryScheduleMs'],
    [{ jitter: 1.5 }, 'jitter'],
    [{ attemptDeadlineMs: 0 }, 'attemptDeadlineMs'],
    [{ retryAfterMinMs: 10, retryAfterMaxMs: 5 }, 'retryAfterMaxMs'],
    [{ concurrency: 0.5 }, 'concurrency'],
  ])('%j is refused, naming the option', (bad, option) => {
    expect(() => resolveDeliveryOptions(bad as never)).toThrow(ConfigError);
    expect(() => resolveDeliveryOptions(bad as never)).toThrow(option);
  });
});

describe('ids', () => {
  test('a delivery id derives from (event, subscription): stable, distinct, `msg_` + 27', () => {
    expect(deliveryIdFor('e1', 's1')).toBe(deliveryIdFor('e1', 's1'));
    expect(deliveryIdFor('e1', 's1')).not.toBe(deliveryIdFor('e1', 's2'));
    expect(deliveryIdFor('e1', 's1')).not.toBe(deliveryIdFor('e2', 's1'));
    expect(deliveryIdFor('e1s', '1')).not.toBe(deliveryIdFor('e1', 's1'));
    expect(deliveryIdFor('e', 's')).toMatch(/^msg_[A-Za-z0-9]{27}$/);
    expect(newDeliveryId()).not.toBe(newDeliveryId());
  });
});

