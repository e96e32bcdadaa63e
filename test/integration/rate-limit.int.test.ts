/**
 * Send pacing: the channel bucket and the per-conversation bucket, taken together (all or nothing), on
 * real Redis and on the memory store. Time is a fake clock the buckets read and the waits advance, so
 * the assertions are about when each send is allowed, never about how long the test took.
 */
import { ERROR_TYPES } from '../../src/errors';
import {
  DEFAULT_RATE_LIMITS, rateLimitBuckets, rateLimitFor, takeRateLimitTokens, type RateLimit,
} from '../../src/integration/outbound/rate-limit';
import { resolveOutboundOptions } from '../../src/integration/outbound/options';
import { telegramConversationRateLimit } from '../../src/platforms/telegram';
import { MemoryStore, RedisStore, type KeyValueStore } from '../../src/store';
import type { IntegrationConfig } from '../../src/types';
import { startRedis, type ServerProcess } from '../harness/servers';

let redis: ServerProcess;
let n = 0;
beforeAll(async () => { redis = await startRedis(); });
afterAll(async () => { await redis.cleanup(); });

/** A clock the store reads (`now`) and the waits move (`sleep`), without jitter. */
function fakeClock(start = 1_000_000) {
  const clock = { t: start, now: () => clock.t, sleep: async (ms: number) => { clock.t += ms; }, jitter: () => 0 };
  return clock;
}

const TELEGRAM: RateLimit = DEFAULT_RATE_LIMITS.telegram!;

const backends: Array<[string, () => Promise<KeyValueStore>]> = [
  ['redis', async () => { const s = new RedisStore({ redis: redis.url, prefix: `rl${n++}:` }); await s.ready(); return s; }],
  ['memory', async () => new MemoryStore()],
];

describe.each(backends)('send pacing on the %s store', (_name, make) => {
  let store: KeyValueStore;
  beforeEach(async () => { store = await make(); });
  afterEach(async () => { await store.close(); });

  it('a burst of 10 to one chat: 3 at once, then one per second (Telegram defaults), none refused', async () => {
    const clock = fakeClock();
    const start = clock.t;
    const grantedAt: number[] = [];
    for (let i = 0; i < 10; i++) {
      await takeRateLimitTokens(store, rateLimitBuckets('tg', 'bot1', '42', TELEGRAM), 60_000, clock);
      grantedAt.push(clock.t - start);
    }
    expect(grantedAt.slice(0, 3)).toEqual([0, 0, 0]);
    for (let i = 3; i < 10; i++) expect(grantedAt[i]! - grantedAt[i - 1]!).toBeGreaterThanOrEqual(1000);
    expect(grantedAt[9]).toBeLessThanOrEqual(7 * 1000 + 10);
  });

  it('a chat held back does not hold back the others', async () => {
    const clock = fakeClock();
    for (let i = 0; i < 3; i++) await takeRateLimitTokens(store, rateLimitBuckets('tg', 'bot1', 'busy', TELEGRAM), 0, clock);
    await expect(takeRateLimitTokens(store, rateLimitBuckets('tg', 'bot1', 'busy', TELEGRAM), 0, clock)).rejects.toMatchObject({ code: 429 });
    await expect(takeRateLimitTokens(store, rateLimitBuckets('tg', 'bot1', 'quiet', TELEGRAM), 0, clock)).resolves.toBe(0);
  });

  it('the bot-wide bucket caps sends to many chats at 30 at once, then ~33 ms apart', async () => {
    const clock = fakeClock();
    const start = clock.t;
    const waits: number[] = [];
    for (let i = 0; i < 35; i++) {
      await takeRateLimitTokens(store, rateLimitBuckets('tg', 'bot1', `chat-${i}`, TELEGRAM), 60_000, clock);
      waits.push(clock.t - start);
    }
    expect(waits.slice(0, 30).every((w) => w === 0)).toBe(true);
    for (let i = 30; i < 35; i++) expect(waits[i]! - waits[i - 1]!).toBeGreaterThanOrEqual(33);
  });

  it('all or nothing: a send refused by its chat spends no bot-wide token', async () => {
    const clock = fakeClock();
    for (let i = 0; i < 3; i++) await takeRateLimitTokens(store, rateLimitBuckets('tg', 'bot2', 'a', TELEGRAM), 0, clock);
    for (let i = 0; i < 20; i++) {
      await expect(takeRateLimitTokens(store, rateLimitBuckets('tg', 'bot2', 'a', TELEGRAM), 0, clock)).rejects.toMatchObject({ type: ERROR_TYPES.RATE_LIMITED });
    }
    // 30 - 3 tokens are left for other chats, at the same instant
    for (let i = 0; i < 27; i++) await takeRateLimitTokens(store, rateLimitBuckets('tg', 'bot2', `other-${i}`, TELEGRAM), 0, clock);
    await expect(takeRateLimitTokens(store, rateLimitBuckets('tg', 'bot2', 'one-more', TELEGRAM), 0, clock)).rejects.toMatchObject({ code: 429 });
  });

  it('a Telegram group (negative chat id): a burst of 3, then 20 a minute (one per 3 s); a private chat keeps 1/s', async () => {
    const clock = fakeClock();
    const start = clock.t;
    const grantedAt: number[] = [];
    for (let i = 0; i < 5; i++) {
      await takeRateLimitTokens(store, rateLimitBuckets('tg', 'bot5', '-1001234567890', TELEGRAM, telegramConversationRateLimit), 60_000, clock);
      grantedAt.push(clock.t - start);
    }
    expect(grantedAt.slice(0, 3)).toEqual([0, 0, 0]);
    expect(grantedAt[3]! - grantedAt[2]!).toBeGreaterThanOrEqual(3000);
    expect(grantedAt[4]! - grantedAt[3]!).toBeGreaterThanOrEqual(3000);
    expect(rateLimitBuckets('tg', 'bot5', '1111111', TELEGRAM, telegramConversationRateLimit)[1]).toMatchObject({ capacity: 3, refillPerSecond: 1 });
    // a limit without a per-chat bucket has none for groups either
    expect(rateLimitBuckets('tg', 'bot5', '-100', { capacity: 5, refillPerSecond: 5 }, telegramConversationRateLimit)).toHaveLength(1);
  });

  it('concurrent takers on one chat: exactly the burst gets through', async () => {
    const clock = fakeClock();
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => takeRateLimitTokens(store, rateLimitBuckets('tg', 'bot3', 'x', TELEGRAM), 0, clock)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
  });

  it('over the wait bound: RateLimitError with the wait the buckets need', async () => {
    const clock = fakeClock();
    const limit: RateLimit = { capacity: 100, refillPerSecond: 100, perConversation: { capacity: 1, refillPerSecond: 0.5 } };
    await takeRateLimitTokens(store, rateLimitBuckets('tg', 'bot4', 'x', limit), 0, clock);
    const err = await takeRateLimitTokens(store, rateLimitBuckets('tg', 'bot4', 'x', limit), 1500, clock)
      .then(() => { throw new Error('expected a RateLimitError'); }, (e: unknown) => e as { code: number; retryable: boolean; data: { retryAfterMs: number } });
    expect(err).toMatchObject({ code: 429, retryable: true });
    expect(err.data.retryAfterMs).toBe(2000);
    // 2 s later it goes
    clock.t += 2000;
    await expect(takeRateLimitTokens(store, rateLimitBuckets('tg', 'bot4', 'x', limit), 0, clock)).resolves.toBe(0);
  });
});

describe('which limit applies', () => {
  const channel = (settings: Record<string, unknown> = {}, platform = 'telegram'): IntegrationConfig =>
    ({ id: 'c', tenantId: 't', platform, credentials: {}, secrets: [], settings, status: 'active' });

  it('Telegram: 30/s per bot and a bucket per chat; a channel setting replaces the whole limit', () => {
    expect(rateLimitFor(channel(), undefined)).toEqual({ capacity: 30, refillPerSecond: 30, perConversation: { capacity: 3, refillPerSecond: 1 } });
    const own = { capacity: 10, refillPerSecond: 5, perConversation: { capacity: 1, refillPerSecond: 2 } };
    expect(rateLimitFor(channel({ rateLimit: own }), undefined)).toEqual(own);
    expect(rateLimitBuckets('tg', 'c', 'chat', { capacity: 10, refillPerSecond: 5 })).toHaveLength(1);
    expect(rateLimitBuckets('tg', 'c', 'chat', own).map((b) => b.key)).toEqual(['ratelimit:tg:c', 'ratelimit:tg:c:conv:chat']);
    expect(rateLimitBuckets('tg', 'c', 'a:b', own)[1]!.key).toBe('ratelimit:tg:c:conv:a%3Ab');
  });

  it('an invalid perConversation is refused with the option named', () => {
    expect(() => resolveOutboundOptions('t', { rateLimit: { capacity: 1, refillPerSecond: 1, perConversation: { capacity: 0, refillPerSecond: 1 } } }))
      .toThrow(/outbound\.rateLimit.*perConversation\.capacity/);
    // a channel setting that is invalid is ignored in favour of the option
    const bad = { capacity: 1, refillPerSecond: 1, perConversation: { capacity: 1, refillPerSecond: -1 } };
    expect(rateLimitFor(channel({ rateLimit: bad }), { capacity: 7, refillPerSecond: 7 })).toEqual({ capacity: 7, refillPerSecond: 7 });
  });
});
