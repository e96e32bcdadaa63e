import { sendBuckets, takeToken } from '../../../../src/integration/outbound/send/take-token';
import { channel, pipeline } from './helpers';

describe('sendBuckets', () => {
  it("the channel's bucket and the conversation's (Telegram default); none with the limit off", () => {
    const p = pipeline();
    expect(sendBuckets(p, channel(), 'chat').map((b) => b.key)).toEqual(['ratelimit:tg:c1', 'ratelimit:tg:c1:conv:chat']);
    expect(sendBuckets(p, channel({ settings: { rateLimit: false } }), 'chat')).toEqual([]);
  });
});

describe('takeToken', () => {
  const bucket = [{ key: 'b', capacity: 1, refillPerSecond: 1 }];

  it('a take already allowed (with the claim) costs nothing more', async () => {
    const p = pipeline();
    p.store.takeTokens = jest.fn();
    await takeToken(p, bucket, { allowed: true, remaining: 0, retryAfterMs: 0 });
    await takeToken(p, []);
    expect(p.store.takeTokens).not.toHaveBeenCalled();
  });

  it('a refused first take is waited on within the bound, then 429 (counted)', async () => {
    const p = pipeline({}, { maxRateLimitWaitMs: 50 });
    await p.store.takeTokens(bucket);
    await expect(takeToken(p, bucket, { allowed: false, remaining: 0, retryAfterMs: 1000 })).rejects.toMatchObject({ code: 429, type: 'RATE_LIMITED' });
    expect(p.counters.rateLimited).toBe(1);
  });

  it('a short refusal is waited out', async () => {
    const p = pipeline({}, { maxRateLimitWaitMs: 1_000 });
    await expect(takeToken(p, [{ key: 'fast', capacity: 1, refillPerSecond: 100 }], { allowed: false, remaining: 0, retryAfterMs: 10 })).resolves.toBeUndefined();
  });

  it('the store down → 503', async () => {
    const p = pipeline();
    p.store.takeTokens = async () => { throw new Error('ECONNREFUSED'); };
    await expect(takeToken(p, bucket)).rejects.toMatchObject({ code: 503 });
  });
});
