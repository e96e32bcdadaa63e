/** The composer: the order of the steps and what each outcome leaves behind (store, events, counters). */
import { PlatformError } from '../../../../src/errors';
import { idempotencyStoreKey } from '../../../../src/integration/outbound/idempotency';
import { sendMessage } from '../../../../src/integration/outbound/send-message';
import { message, pipeline, TOKEN } from './helpers';

describe('sendMessage (composer)', () => {
  it('with a key: one store call claims and takes the token; the outcome is remembered and announced', async () => {
    const p = pipeline();
    const claim = jest.spyOn(p.store, 'claimAndTakeTokens');
    const take = jest.spyOn(p.store, 'takeTokens');
    const out = await sendMessage(p, { channelId: 'c1', message, idempotencyKey: 'k' });
    expect(out).toEqual({ integration: 'tg', channelId: 'c1', idempotencyKey: 'k', messageId: 'm-x', attempts: 1, duplicate: false });
    expect(claim).toHaveBeenCalledTimes(1);
    expect(claim.mock.calls[0]![3].map((b) => b.key)).toEqual(['ratelimit:tg:c1', 'ratelimit:tg:c1:conv:x']);
    // the memory store composes its own atomic operations; what matters is that the composer asked once
    expect(take).toHaveBeenCalledTimes(1);
    expect(await p.store.get(idempotencyStoreKey('tg', 't1', 'c1', 'k'))).toMatch(/^done:.*"messageId":"m-x"/);
    expect(p.events.map((e) => [e.channel, e.msgID])).toEqual([['ns.sent', 'tg:c1:sent:k']]);
    expect(p.counters).toMatchObject({ sent: 1, failed: 0, duplicates: 0 });
  });

  it('a duplicate answers the first result without a token, a send or an event', async () => {
    const send = jest.fn(async () => ({ messageId: 'first' }));
    const p = pipeline({ send });
    await sendMessage(p, { channelId: 'c1', message, idempotencyKey: 'k' });
    const take = jest.spyOn(p.store, 'takeTokens');
    expect(await sendMessage(p, { channelId: 'c1', message, idempotencyKey: 'k' })).toMatchObject({ messageId: 'first', duplicate: true });
    expect(send).toHaveBeenCalledTimes(1);
    expect(take).not.toHaveBeenCalled();
    expect(p.events).toHaveLength(1);
    expect(p.counters.duplicates).toBe(1);
  });

  it('a definite failure: message.failed, the key freed, a scrubbed error thrown', async () => {
    const p = pipeline({ send: async () => { throw new PlatformError(`HTTP 400 for ${TOKEN}`, { status: 400 }); } });
    await expect(sendMessage(p, { channelId: 'c1', message, idempotencyKey: 'k' })).rejects.toMatchObject({ code: 502, message: 'HTTP 400 for [redacted]', data: { attempts: 1 } });
    expect(await p.store.get(idempotencyStoreKey('tg', 't1', 'c1', 'k'))).toBeNull();
    expect(p.events.map((e) => [e.channel, e.msgID])).toEqual([['ns.failed', 'tg:c1:failed:k']]);
    expect(p.counters).toMatchObject({ sent: 0, failed: 1 });
  });

  it('a refused token: 429 and message.failed with no attempt; the key freed', async () => {
    const p = pipeline({}, { rateLimit: { capacity: 1, refillPerSecond: 0.01 }, maxRateLimitWaitMs: 10 });
    await sendMessage(p, { channelId: 'c1', message, idempotencyKey: 'a' });
    await expect(sendMessage(p, { channelId: 'c1', message, idempotencyKey: 'b' })).rejects.toMatchObject({ code: 429 });
    expect(p.events[1]).toMatchObject({ channel: 'ns.failed', payload: { retryCount: 0, error: { type: 'RATE_LIMITED' } } });
    expect(await p.store.get(idempotencyStoreKey('tg', 't1', 'c1', 'b'))).toBeNull();
    expect(p.counters).toMatchObject({ rateLimited: 1, failed: 1 });
  });

  it('without a key: the token alone, an id generated for the send', async () => {
    const p = pipeline();
    const claim = jest.spyOn(p.store, 'claimAndTakeTokens');
    const out = await sendMessage(p, { channelId: 'c1', message });
    expect(out).toMatchObject({ messageId: 'm-x', duplicate: false });
    expect(out).not.toHaveProperty('idempotencyKey');
    expect(claim).not.toHaveBeenCalled();
    expect(p.events[0]!.msgID).toMatch(/^tg:c1:sent:[0-9a-f-]{36}$/);
  });
});
