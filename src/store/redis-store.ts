/** KeyValueStore on Redis (ioredis): shared by every node; compare-and-set and token buckets as Lua scripts. */
import Redis, { type RedisOptions } from 'ioredis';
import { closeRedisClient } from './redis-close';
import { isSentinelUrl, parseSentinelUrl } from './redis-url';
import type { ClaimAndTokens, KeyValueStore, TokenBucket, TokenBucketOptions, TokenBucketResult } from './types';

const REPLACE_IF_EQUALS = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0`;

const DELETE_IF_EQUALS = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

// Refill by elapsed server time (one clock for every node), then take one token.
const TAKE_TOKEN = `
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) / 1000 * rate)
local allowed = 0
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  wait = math.ceil((1 - tokens) / rate * 1000)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate * 1000) + 1000)
return { allowed, math.floor(tokens), wait }`;

// All or nothing over several buckets: every bucket refilled, one token taken from each only if each has
// one; else the longest wait. The buckets are KEYS[k+1..] with (capacity, rate) pairs in ARGV from a+1, then a
// clock override in ms (or '' for the server's TIME); `n`, `allowed`, `remaining` and `wait` are left set.
function takeAllTokensLua(k: number, a: number): string {
  return `
local n = #KEYS - ${k}
local now = tonumber(ARGV[${a} + 2 * n + 1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local levels = {}
local wait = 0
for i = 1, n do
  local capacity = tonumber(ARGV[${a} + 2 * i - 1])
  local rate = tonumber(ARGV[${a} + 2 * i])
  local state = redis.call('HMGET', KEYS[${k} + i], 'tokens', 'at')
  local tokens = tonumber(state[1]) or capacity
  local at = tonumber(state[2]) or now
  tokens = math.min(capacity, tokens + math.max(0, now - at) / 1000 * rate)
  levels[i] = tokens
  if tokens < 1 then wait = math.max(wait, math.ceil((1 - tokens) / rate * 1000)) end
end
local allowed = 0
if wait == 0 then allowed = 1 end
local remaining = -1
for i = 1, n do
  local capacity = tonumber(ARGV[${a} + 2 * i - 1])
  local rate = tonumber(ARGV[${a} + 2 * i])
  local tokens = levels[i] - allowed
  if remaining < 0 or tokens < remaining then remaining = tokens end
  redis.call('HSET', KEYS[${k} + i], 'tokens', tostring(tokens), 'at', now)
  redis.call('PEXPIRE', KEYS[${k} + i], math.ceil(capacity / rate * 1000) + 1000)
end
if allowed == 0 then remaining = 0 end`;
}

// takeAllTokensLua over every key: { allowed, remaining, wait }.
const TAKE_TOKENS = `${takeAllTokensLua(0, 0)}
return { allowed, math.floor(remaining), wait }`;

// SET NX PX the claim (KEYS[1] to ARGV[1] for ARGV[2] ms); when it was set, takeAllTokensLua over KEYS[2..]
// (pairs from ARGV[3]); when it was not, the value holding the key. Returns { 1, allowed, remaining, wait }
// (no buckets: { 1 }), or { 0, current }.
const CLAIM_AND_TAKE_TOKENS = `
if not redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then
  return { 0, redis.call('GET', KEYS[1]) }
end
if #KEYS == 1 then return { 1 } end
${takeAllTokensLua(1, 2)}
return { 1, allowed, math.floor(remaining), wait }`;

type ScriptedRedis = Redis & {
  sbReplaceIfEquals(key: string, expected: string, value: string, ttlMs: number): Promise<number>;
  sbDeleteIfEquals(key: string, expected: string): Promise<number>;
  sbTakeToken(key: string, capacity: number, rate: number): Promise<[number, number, number]>;
  sbTakeTokens(numKeys: number, ...args: Array<string | number>): Promise<[number, number, number]>;
  sbClaimAndTakeTokens(numKeys: number, ...args: Array<string | number>): Promise<[1, number?, number?, number?] | [0, string | null]>;
};

export interface RedisStoreOptions {
  /** A `redis://` URL, or an ioredis client to use (then the store does not close it). */
  redis: string | Redis;
  /** Prefix for every key. Default `switchboard:`. */
  prefix?: string;
  /** Extra ioredis options when `redis` is a URL. */
  redisOptions?: RedisOptions;
}

/**
 * Fail fast when Redis is down: commands reject at once instead of queueing (the SDK then answers 503).
 * Auto-pipelining: the commands of concurrent requests leave in one write — the webhook path's main Redis cost.
 * (Corking the socket per turn instead was cheaper alone, 8 vs 15 µs per claim + commit, but cost more in the
 * whole inbound pipeline: 1.38–1.40× the peer's CPU per request against 1.15–1.21×; BENCHMARKS.md, issue 12.)
 */
const DEFAULT_REDIS_OPTIONS: RedisOptions = {
  enableAutoPipelining: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  commandTimeout: 2_000,
  connectTimeout: 2_000,
  retryStrategy: (times) => Math.min(times * 100, 2_000),
};

/** A client for a `redis://` URL or a `redis+sentinel://` set (see `redis-url.ts`). */
function newRedisClient(url: string, options: RedisOptions): Redis {
  return isSentinelUrl(url) ? new Redis({ ...options, ...parseSentinelUrl(url) }) : new Redis(url, options);
}

export class RedisStore implements KeyValueStore {
  readonly kind = 'redis' as const;
  private readonly client: ScriptedRedis;
  private readonly ownsClient: boolean;
  private readonly prefix: string;
  private connectedOnce = false;

  constructor(options: RedisStoreOptions) {
    this.prefix = options.prefix ?? 'switchboard:';
    this.ownsClient = typeof options.redis === 'string';
    const client = typeof options.redis === 'string'
      ? newRedisClient(options.redis, { ...DEFAULT_REDIS_OPTIONS, ...options.redisOptions })
      : options.redis;
    client.defineCommand('sbReplaceIfEquals', { numberOfKeys: 1, lua: REPLACE_IF_EQUALS });
    client.defineCommand('sbDeleteIfEquals', { numberOfKeys: 1, lua: DELETE_IF_EQUALS });
    client.defineCommand('sbTakeToken', { numberOfKeys: 1, lua: TAKE_TOKEN });
    client.defineCommand('sbTakeTokens', { lua: TAKE_TOKENS });
    client.defineCommand('sbClaimAndTakeTokens', { lua: CLAIM_AND_TAKE_TOKENS });
    this.client = client as ScriptedRedis;
    this.client.on('ready', () => { this.connectedOnce = true; });
    // Errors surface on the commands that fail; without a listener ioredis would print each reconnect error.
    this.client.on('error', () => undefined);
  }

  private k(key: string) { return this.prefix + key; }

  /** Resolves once connected; rejects on the first connection error. */
  async ready(): Promise<void> {
    if (this.client.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const onReady = () => { cleanup(); resolve(); };
      const onError = (err: Error) => { cleanup(); reject(err); };
      const cleanup = () => { this.client.off('ready', onReady); this.client.off('error', onError); };
      this.client.once('ready', onReady);
      this.client.once('error', onError);
    });
  }

  /**
   * Runs `command` on the client once its first connection is made (commands fail fast, unqueued, after that);
   * when it is, at once, without an await in between (the webhook path's commands leave in the same turn).
   */
  private run<T>(command: (redis: ScriptedRedis) => Promise<T>): Promise<T> {
    if (!this.connectedOnce && this.client.status !== 'ready') return this.ready().then(() => command(this.client));
    try {
      return command(this.client);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  get(key: string) {
    return this.run((redis) => redis.get(this.k(key)));
  }

  set(key: string, value: string, ttlMs?: number): Promise<void> {
    return this.run(async (redis) => {
      if (ttlMs === undefined) await redis.set(this.k(key), value);
      else await redis.set(this.k(key), value, 'PX', ttlMs);
    });
  }

  setIfAbsent(key: string, value: string, ttlMs: number) {
    return this.run(async (redis) => (await redis.set(this.k(key), value, 'PX', ttlMs, 'NX')) === 'OK');
  }

  replaceIfEquals(key: string, expected: string, value: string, ttlMs: number) {
    return this.run(async (redis) => (await redis.sbReplaceIfEquals(this.k(key), expected, value, ttlMs)) === 1);
  }

  delete(key: string) {
    return this.run(async (redis) => (await redis.del(this.k(key))) > 0);
  }

  deleteIfEquals(key: string, expected: string) {
    return this.run(async (redis) => (await redis.sbDeleteIfEquals(this.k(key), expected)) === 1);
  }

  ttl(key: string) {
    return this.run((redis) => redis.pttl(this.k(key)));
  }

  addToSet(key: string, member: string): Promise<void> {
    return this.run(async (redis) => { await redis.sadd(this.k(key), member); });
  }

  removeFromSet(key: string, member: string): Promise<void> {
    return this.run(async (redis) => { await redis.srem(this.k(key), member); });
  }

  setMembers(key: string) {
    return this.run((redis) => redis.smembers(this.k(key)));
  }

  takeToken(key: string, { capacity, refillPerSecond }: TokenBucketOptions): Promise<TokenBucketResult> {
    return this.run(async (redis) => {
      const [allowed, remaining, wait] = await redis.sbTakeToken(this.k(key), capacity, refillPerSecond);
      return { allowed: allowed === 1, remaining, retryAfterMs: wait };
    });
  }

  takeTokens(buckets: TokenBucket[], nowMs?: number): Promise<TokenBucketResult> {
    return this.run(async (redis) => {
      const keys = buckets.map((b) => this.k(b.key));
      const args = buckets.flatMap((b) => [b.capacity, b.refillPerSecond]);
      const [allowed, remaining, wait] = await redis.sbTakeTokens(keys.length, ...keys, ...args, nowMs === undefined ? '' : Math.floor(nowMs));
      return { allowed: allowed === 1, remaining, retryAfterMs: wait };
    });
  }

  /** See {@link KeyValueStore.claimAndTakeTokens}: one script, one round trip. */
  claimAndTakeTokens(key: string, value: string, ttlMs: number, buckets: TokenBucket[], nowMs?: number): Promise<ClaimAndTokens> {
    return this.run(async (redis) => {
      const args: Array<string | number> = [this.k(key)];
      for (const b of buckets) args.push(this.k(b.key));
      args.push(value, ttlMs);
      for (const b of buckets) args.push(b.capacity, b.refillPerSecond);
      args.push(nowMs === undefined ? '' : Math.floor(nowMs));
      const reply = await redis.sbClaimAndTakeTokens(buckets.length + 1, ...args);
      if (reply[0] === 0) return { claimed: false, current: reply[1] ?? null };
      if (buckets.length === 0) return { claimed: true };
      return { claimed: true, token: { allowed: reply[1] === 1, remaining: reply[2] ?? 0, retryAfterMs: reply[3] ?? 0 } };
    });
  }

  async ping() {
    try {
      return (await this.run((redis) => redis.ping())) === 'PONG';
    } catch {
      return false;
    }
  }

  async close() {
    if (this.ownsClient) await closeRedisClient(this.client);
  }
}
