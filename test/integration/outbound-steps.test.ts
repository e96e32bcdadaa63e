/** The outbound steps alone, in memory: idempotency, rate limit, event outbox, options, scrubbing, and the composed pipeline. */
import { PlatformError } from '../../src/errors';
import { defineIntegration } from '../../src/integration';
import { telegramSecretToken } from '../../src/security';
import { EventOutbox, publishEvent } from '../../src/integration/outbound/events';
import { idempotencyStoreKey, withIdempotency } from '../../src/integration/outbound/idempotency';
import { resolveOutboundOptions } from '../../src/integration/outbound/options';
import { DEFAULT_RATE_LIMIT, DEFAULT_RATE_LIMITS, rateLimitFor, takeRateLimitToken } from '../../src/integration/outbound/rate-limit';
import { scrubSecrets } from '../../src/integration/outbound/scrub';
import { sendMessage, type SendPipeline } from '../../src/integration/outbound/send-message';
import { MemoryStore } from '../../src/store';

import { channel, pipeline as sendPipeline, quietLogger, type Recorded } from './outbound/send/helpers';

const idem = { ttlMs: 60_000, claimTtlMs: 10_000, waitMs: 2_000, pollMs: 5 };

describe('withIdempotency', () => {
  it('sends once for 20 concurrent calls; the others get the first result', async () => {
    const store = new MemoryStore();
    let sends = 0;
    const send = async () => { sends++; await new Promise((r) => setTimeout(r, 30)); return { messageId: 'm1', attempts: 1 }; };
    const results = await Promise.all(Array.from({ length: 20 }, () => withIdempotency(store, 'k', 'key', idem, send, () => 1)));
    expect(sends).toBe(1);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(new Set(results.map((r) => r.messageId))).toEqual(new Set(['m1']));
  });

  it('frees the key after a definite failure, remembers an ambiguous one, and answers 409 past the wait bound', async () => {
    const store = new MemoryStore();
    await expect(withIdempotency(store, 'a', 'a', idem, async () => { throw new PlatformError('x', { status: 400 }); }, () => 1)).rejects.toMatchObject({ type: 'PLATFORM_ERROR' });
    await expect(withIdempotency(store, 'a', 'a', idem, async () => ({ messageId: 'ok', attempts: 1 }), () => 1)).resolves.toMatchObject({ duplicate: false });
    const ambiguous = Object.assign(new Error('timed out'), { type: 'SEND_AMBIGUOUS' });
    await expect(withIdempotency(store, 'b', 'b', idem, async () => { throw ambiguous; }, () => 1)).rejects.toBe(ambiguous);
    await expect(withIdempotency(store, 'b', 'b', idem, async () => ({ messageId: 'never', attempts: 1 }), () => 1)).rejects.toMatchObject({ type: 'SEND_AMBIGUOUS', data: { replayed: true } });
    await store.set('c', 'pending:someone-else', 10_000);
    await expect(withIdempotency(store, 'c', 'c', { ...idem, waitMs: 50 }, async () => ({ messageId: 'x', attempts: 1 }), () => 1)).rejects.toMatchObject({ code: 409 });
  });
});

describe('rate limit', () => {
  it('waits for the bucket to refill, then refuses past the bound with retryAfterMs', async () => {
    let now = 0;
    const store = new MemoryStore({ now: () => now });
    const sleep = async (ms: number) => { now += ms; };
    const limit = { capacity: 2, refillPerSecond: 10 };
    expect(await takeRateLimitToken(store, 'r', limit, 1000, sleep)).toBe(0);
    expect(await takeRateLimitToken(store, 'r', limit, 1000, sleep)).toBe(0);
    const waited = await takeRateLimitToken(store, 'r', limit, 1000, sleep);
    expect(waited).toBeGreaterThanOrEqual(100);
    expect(waited).toBeLessThan(120);
    await expect(takeRateLimitToken(store, 'r', limit, 50, sleep)).rejects.toMatchObject({ code: 429, data: { retryAfterMs: expect.any(Number) } });
  });

  it('per platform defaults, overridden by the option, then by channel settings (false turns it off)', () => {
    expect(rateLimitFor(channel(), undefined)).toEqual(DEFAULT_RATE_LIMITS.telegram);
    expect(rateLimitFor(channel({ platform: 'other' }), undefined)).toEqual(DEFAULT_RATE_LIMIT);
    expect(rateLimitFor(channel(), { capacity: 3, refillPerSecond: 1 })).toEqual({ capacity: 3, refillPerSecond: 1 });
    expect(rateLimitFor(channel({ settings: { rateLimit: { capacity: 9, refillPerSecond: 9 } } }), { capacity: 3, refillPerSecond: 1 })).toEqual({ capacity: 9, refillPerSecond: 9 });
    expect(rateLimitFor(channel({ settings: { rateLimit: false } }), undefined)).toBe(false);
  });
});

describe('events', () => {
  it('a publish that keeps failing goes to the outbox, is retried in the background with the same msg id, and never dropped', async () => {
    const logger = quietLogger();
    let failures = 3;
    const published: string[] = [];
    const publish = jest.fn(async (_c: string, _p: unknown, o: { msgID: string }) => {
      if (failures-- > 0) throw new Error('NATS down');
      published.push(o.msgID);
    });
    const outbox = new EventOutbox(publish, logger, 20);
    expect(await publishEvent(publish, outbox, logger, 'ch', { a: 1 }, 'id-1', 2)).toBe(false);
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('id-1'));
    expect(outbox.size).toBe(1);
    const deadline = Date.now() + 2000;
    while (outbox.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(outbox.size).toBe(0);
    expect(published).toEqual(['id-1']);
    await outbox.close();
  });

  it('on close, what is still pending is logged at error level with its payload', async () => {
    const logger = quietLogger();
    const outbox = new EventOutbox(async () => { throw new Error('down'); }, logger, 10_000);
    outbox.add('ch', { messageId: 'm-77' }, 'id-77');
    await outbox.close();
    expect(logger.error).toHaveBeenCalledWith(expect.stringContaining('id-77'), expect.stringContaining('m-77'));
  });
});

describe('resolveOutboundOptions', () => {
  it('names the option, and both options of a conflict', () => {
    expect(() => resolveOutboundOptions('t', { maxRateLimitWaitMs: -1 })).toThrow(/outbound\.maxRateLimitWaitMs/);
    expect(() => resolveOutboundOptions('t', { rateLimit: { capacity: 0, refillPerSecond: 1 } })).toThrow(/outbound\.rateLimit/);
    expect(() => resolveOutboundOptions('t', { retry: { initialDelayMs: 10, maxDelayMs: 1 } })).toThrow(/outbound\.retry.*initialDelayMs.*maxDelayMs/);
    expect(() => resolveOutboundOptions('t', { idempotencyTtlMs: 1000, idempotencyClaimTtlMs: 5000 })).toThrow(/idempotencyTtlMs.*idempotencyClaimTtlMs/);
    expect(resolveOutboundOptions('t').queue).toEqual({ enabled: true, maxInFlight: 10, maxRetries: 0 });
  });

  it('defineIntegration rejects a bad outbound option at definition time', () => {
    expect(() => defineIntegration({
      name: 'bad', spec: { id: 'bad', name: 'Bad', platform: 'bad', version: '1', status: 'ACTIVE', capabilities: [] },
      webhookSignature: telegramSecretToken(), normalize: () => [], outbound: { checkTimeoutMs: 0 },
    })).toThrow(/defineIntegration\("bad"\): option `outbound.checkTimeoutMs`/);
  });
});

describe('scrubSecrets', () => {
  it('replaces credential and secret values wherever they appear', () => {
    const out = scrubSecrets({ a: 'token TOKEN-123456 here', b: ['whsec_abcdef'], c: { d: 1 } }, channel());
    expect(out).toEqual({ a: 'token [redacted] here', b: ['[redacted]'], c: { d: 1 } });
  });
});

describe('sendMessage pipeline', () => {
  // the platform echoes the credential in the answer's metadata
  const pipeline = (over: Partial<SendPipeline> = {}): Recorded =>
    sendPipeline({ send: async (message) => ({ messageId: `m-${message.conversationId}`, metadata: { echo: 'TOKEN-123456' } }), ...over });

  it('transforms, sends and publishes message.sent; metadata scrubbed', async () => {
    const p = pipeline({ transform: (m) => ({ ...m, conversationId: `${m.conversationId}!` }) });
    const out = await sendMessage(p, { channelId: 'c1', message: { conversationId: 'x', content: { type: 'text', text: 'hi' } } });
    expect(out).toMatchObject({ messageId: 'm-x!', attempts: 1, duplicate: false, metadata: { echo: '[redacted]' } });
    expect(p.events).toEqual([expect.objectContaining({ channel: 'ns.sent', payload: expect.objectContaining({ messageId: 'm-x!', tenantId: 't1', attempts: 1 }) })]);
    expect(p.counters.sent).toBe(1);
  });

  it('a failed send publishes message.failed and rethrows; the caller\'s tenant must own the channel', async () => {
    const p = pipeline({ send: async () => { throw new PlatformError('HTTP 400 for TOKEN-123456', { status: 400 }); } });
    await expect(sendMessage(p, { channelId: 'c1', message: { conversationId: 'x', content: { type: 'text', text: 'hi' } } })).rejects.toMatchObject({ code: 502, message: 'HTTP 400 for [redacted]' });
    expect(p.events[0]).toMatchObject({ channel: 'ns.failed', payload: { retryCount: 0, error: { message: 'HTTP 400 for [redacted]' } } });
    await expect(sendMessage(p, { channelId: 'c1', tenantId: 'other', message: { conversationId: 'x', content: { type: 'text', text: 'hi' } } })).rejects.toMatchObject({ code: 403 });
    await expect(sendMessage(p, { channelId: 'zz', message: { conversationId: 'x', content: { type: 'text', text: 'hi' } } })).rejects.toMatchObject({ code: 404 });
  });

  it('calls waiting on an idempotency key spend no rate-limit token: 20 duplicates on a bucket of 1 still send once, at once', async () => {
    let sends = 0;
    const p = pipeline({
      options: resolveOutboundOptions('t', { rateLimit: { capacity: 1, refillPerSecond: 0.001 }, maxRateLimitWaitMs: 0 }),
      send: async () => { sends++; await new Promise((r) => setTimeout(r, 20)); return { messageId: 'one' }; },
    });
    const message = { conversationId: 'x', content: { type: 'text' as const, text: 'hi' } };
    const results = await Promise.all(Array.from({ length: 20 }, () => sendMessage(p, { channelId: 'c1', idempotencyKey: 'dup', message })));
    expect(sends).toBe(1);
    expect(results.every((r) => r.messageId === 'one')).toBe(true);
    expect(p.counters.rateLimited).toBe(0);
  });

  it('an idempotency key is scoped to the channel\'s tenant: a channel id reused by another tenant does not replay the old result', async () => {
    let owner = 't1';
    let sends = 0;
    const p = pipeline({
      lookupChannel: async (id) => (id === 'c1' ? channel({ tenantId: owner }) : null),
      send: async () => ({ messageId: `m${++sends}` }),
    });
    const message = { conversationId: 'x', content: { type: 'text' as const, text: 'hi' } };
    await expect(sendMessage(p, { channelId: 'c1', idempotencyKey: 'k', message })).resolves.toMatchObject({ messageId: 'm1', duplicate: false });
    await expect(sendMessage(p, { channelId: 'c1', idempotencyKey: 'k', message })).resolves.toMatchObject({ messageId: 'm1', duplicate: true });
    owner = 't2'; // c1 deleted by t1, created again by t2
    await expect(sendMessage(p, { channelId: 'c1', idempotencyKey: 'k', message })).resolves.toMatchObject({ messageId: 'm2', duplicate: false });
    expect(sends).toBe(2);
    expect(await p.store.get(idempotencyStoreKey('tg', 't1', 'c1', 'k'))).toMatch(/"messageId":"m1"/);
    expect(await p.store.get(idempotencyStoreKey('tg', 't2', 'c1', 'k'))).toMatch(/"messageId":"m2"/);
  });

  it('idempotencyStoreKey: integration, tenant, channel, key', () => {
    expect(idempotencyStoreKey('tg', 't1', 'c1', 'k')).toBe('idem:tg:t1:c1:k');
    expect(idempotencyStoreKey('tg', 'a:b', 'c', 'k')).not.toBe(idempotencyStoreKey('tg', 'a', 'b', 'c:k'));
  });

  it('a store outage fails closed with 503 before anything is sent', async () => {
    const store = new MemoryStore();
    store.setIfAbsent = async () => { throw new Error('ECONNREFUSED'); };
    store.takeToken = async () => { throw new Error('ECONNREFUSED'); };
    store.takeTokens = async () => { throw new Error('ECONNREFUSED'); };
    const send = jest.fn(async () => ({ messageId: 'm' }));
    const p = pipeline({ store, send });
    await expect(sendMessage(p, { channelId: 'c1', idempotencyKey: 'k', message: { conversationId: 'x', content: { type: 'text', text: 'hi' } } })).rejects.toMatchObject({ code: 503 });
    await expect(sendMessage(p, { channelId: 'c1', message: { conversationId: 'x', content: { type: 'text', text: 'hi' } } })).rejects.toMatchObject({ code: 503 });
    expect(send).not.toHaveBeenCalled();
  });
});
