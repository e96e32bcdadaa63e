/**
 * The delivery history on Redis: one JSON record per delivery, a list of attempts, lexically sorted indexes
 * per subscription and outcome. Every key carries the retention as its TTL (refreshed on write) and the
 * indexes are trimmed by age, so the history stays bounded whatever the traffic.
 */
import Redis, { type RedisOptions } from 'ioredis';
import { closeRedisClient } from '../../store/redis-close';
import type { DeliveryAttempt, DeliveryOutcome } from '../types';
import {
  DEFAULT_HISTORY_RETENTION_MS, DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, applyChange, indexMember, timeBound,
  type Claim, type ClaimOptions, type DeliveryChange, type DeliveryPage, type HistoryStore, type PendingAttempt, type StoredDelivery,
} from './types';

const OUTCOMES: DeliveryOutcome[] = ['pending', 'succeeded', 'failed'];
/** Share of creates that also trim the indexes by age. */
const TRIM_PROBABILITY = 0.02;

// A delivery joins its conversation's queue once; answers its position.
// A queue is a sorted set by the event's stored time, so it keeps the events' order whatever order they join in.
const ENQUEUE = `
redis.call('ZADD', KEYS[1], 'NX', ARGV[3], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return redis.call('ZRANK', KEYS[1], ARGV[1])`;
// Reserves the next attempt number and writes its intent, in one round trip.
const BEGIN = `
local n = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local intent = cjson.decode(ARGV[1])
intent['attempt'] = n
redis.call('HSET', KEYS[2], tostring(n), cjson.encode(intent))
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return n`;
// Reads a delivery and, if it may be attempted now, reserves the attempt number and writes the intent (one round trip).
// KEYS: d, a, i, n. ARGV: intent JSON, scheduled (1/0), now ms, due margin ms, ttl ms.
const CLAIM = `
local raw = redis.call('GET', KEYS[1])
if not raw then return {'missing'} end
if redis.call('HLEN', KEYS[3]) > 0 then return {'interrupted'} end
local count = redis.call('LLEN', KEYS[2])
if ARGV[2] == '1' then
  local d = cjson.decode(raw)
  if d['outcome'] ~= 'pending' then return {'ended', raw, count} end
  local due = tonumber(d['dueAtMs'])
  if due and due - tonumber(ARGV[3]) > tonumber(ARGV[4]) then return {'notDue', raw, count} end
end
local n = redis.call('INCR', KEYS[4])
redis.call('PEXPIRE', KEYS[4], ARGV[5])
local intent = cjson.decode(ARGV[1])
intent['attempt'] = n
redis.call('HSET', KEYS[3], tostring(n), cjson.encode(intent))
redis.call('PEXPIRE', KEYS[3], ARGV[5])
return {'begun', raw, count, n}`;
// A new delivery (only if absent) and its index entries; now and then the indexes trimmed by age.
// KEYS: d, x:all, x:<outcome>, x:pending, x:succeeded, x:failed, j. ARGV: record, ttl, member, trim cutoff ('' = none), job.
const CREATE = `
local created = redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX')
if created then redis.call('SET', KEYS[7], ARGV[5], 'PX', ARGV[2]) end
for i = 2, 3 do
  redis.call('ZADD', KEYS[i], 0, ARGV[3])
  redis.call('PEXPIRE', KEYS[i], ARGV[2])
end
if ARGV[4] ~= '' then
  for i = 2, 6 do redis.call('ZREMRANGEBYLEX', KEYS[i], '-', ARGV[4]) end
end
if created then return 1 end
return 0`;
// The attempt's record, its intent cleared, the delivery's new state and indexes, the failing mark cleared on success.
// KEYS: a, i, d, x:pending, x:succeeded, x:failed, x:all, f. ARGV: attempt, attempt no, delivery, ttl, member, outcome, succeeded.
const FINISH = `
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('HDEL', KEYS[2], ARGV[2])
redis.call('SET', KEYS[3], ARGV[3], 'PX', ARGV[4])
local idx = { pending = KEYS[4], succeeded = KEYS[5], failed = KEYS[6] }
for o, k in pairs(idx) do
  if o ~= ARGV[6] then redis.call('ZREM', k, ARGV[5]) end
end
for _, k in ipairs({ idx[ARGV[6]], KEYS[7] }) do
  redis.call('ZADD', k, 0, ARGV[5])
  redis.call('PEXPIRE', k, ARGV[4])
end
if ARGV[7] == '1' then redis.call('DEL', KEYS[8]) end
return 1`;
const DEQUEUE = `
redis.call('ZREM', KEYS[1], ARGV[1])
return redis.call('ZRANGE', KEYS[1], 0, 0)[1]`;

type ScriptedRedis = Redis & {
  whEnqueue(key: string, id: string, ttlMs: number, score: number): Promise<number>;
  whDequeue(key: string, id: string): Promise<string | null>;
  whCreate(d: string, all: string, own: string, p: string, s: string, f: string, j: string, record: string, ttl: number, member: string, cutoff: string, job: string): Promise<number>;
  whFinish(a: string, i: string, d: string, p: string, s: string, f: string, all: string, failing: string, attempt: string, n: number, delivery: string, ttl: number, member: string, outcome: string, succeeded: string): Promise<number>;
  whBegin(counter: string, intents: string, intent: string, ttlMs: number): Promise<number>;
  whClaim(d: string, a: string, i: string, n: string, intent: string, scheduled: string, now: number, margin: number, ttl: number): Promise<[string, string?, number?, number?]>;
};

export interface RedisHistoryOptions {
  /** A `redis://` URL or an ioredis client (not closed by the store). */
  redis: string | Redis;
  /** Key prefix. Default `switchboard:wh:`. */
  prefix?: string;
  /** How long deliveries and attempts are kept. Default {@link DEFAULT_HISTORY_RETENTION_MS} (30 days). */
  retentionMs?: number;
  redisOptions?: RedisOptions;
}

/** Fail fast (the job is then not acknowledged and comes back) rather than queue commands while Redis is down. */
const REDIS_DEFAULTS: RedisOptions = {
  enableAutoPipelining: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 3_000, connectTimeout: 2_000,
  retryStrategy: (times) => Math.min(times * 100, 2_000),
};

async function exec(multi: ReturnType<Redis['multi']>): Promise<void> {
  const res = await multi.exec();
  if (!res) throw new Error('history: transaction aborted');
  for (const [err] of res) if (err) throw err;
}

/** A delivery's record without its job (the job, with the event's payload, is written once, apart). */
function state(d: StoredDelivery): string {
  const { job: _job, ...rest } = d;
  return JSON.stringify(rest);
}

export class RedisHistory implements HistoryStore {
  readonly kind = 'redis' as const;
  private readonly r: ScriptedRedis;
  private readonly owns: boolean;
  private readonly p: string;
  private readonly ttl: number;
  private readyOnce: Promise<void> | null = null;

  constructor(o: RedisHistoryOptions) {
    this.owns = typeof o.redis === 'string';
    const client = typeof o.redis === 'string' ? new Redis(o.redis, { ...REDIS_DEFAULTS, ...o.redisOptions }) : o.redis;
    client.defineCommand('whEnqueue', { numberOfKeys: 1, lua: ENQUEUE });
    client.defineCommand('whDequeue', { numberOfKeys: 1, lua: DEQUEUE });
    client.defineCommand('whCreate', { numberOfKeys: 7, lua: CREATE });
    client.defineCommand('whFinish', { numberOfKeys: 8, lua: FINISH });
    client.defineCommand('whBegin', { numberOfKeys: 2, lua: BEGIN });
    client.defineCommand('whClaim', { numberOfKeys: 4, lua: CLAIM });
    client.on('error', () => undefined);
    this.r = client as ScriptedRedis;
    this.p = o.prefix ?? 'switchboard:wh:';
    this.ttl = o.retentionMs ?? DEFAULT_HISTORY_RETENTION_MS;
  }

  private async c(): Promise<ScriptedRedis> {
    if (this.r.status === 'ready') return this.r;
    if (!this.readyOnce) {
      this.readyOnce = new Promise<void>((resolve, reject) => {
        const ok = () => { this.r.off('error', bad); resolve(); };
        const bad = (e: Error) => { this.r.off('ready', ok); this.readyOnce = null; reject(e); };
        this.r.once('ready', ok);
        this.r.once('error', bad);
      });
    }
    await this.readyOnce;
    return this.r;
  }

  private k = {
    d: (id: string) => `${this.p}d:${id}`,
    j: (id: string) => `${this.p}j:${id}`,
    a: (id: string) => `${this.p}a:${id}`,
    n: (id: string) => `${this.p}n:${id}`,
    i: (id: string) => `${this.p}i:${id}`,
    x: (sub: string, which: DeliveryOutcome | 'all') => `${this.p}x:${sub}:${which}`,
    f: (sub: string) => `${this.p}f:${sub}`,
    q: (key: string) => `${this.p}q:${key}`,
  };

  async createDelivery(d: StoredDelivery): Promise<{ delivery: StoredDelivery; created: boolean }> {
    const r = await this.c();
    // one command: the record (only if absent) and its index entries (idempotent for the same member); the
    // indexes trimmed by age now and then (every key also expires): bounded without a cost on every delivery
    const x = (w: DeliveryOutcome | 'all') => this.k.x(d.subscriptionId, w);
    const cutoff = Math.random() < TRIM_PROBABILITY ? `(${timeBound(Date.now() - this.ttl)}` : '';
    const created = await r.whCreate(this.k.d(d.deliveryId), x('all'), x(d.outcome), x('pending'), x('succeeded'), x('failed'), this.k.j(d.deliveryId),
      state(d), this.ttl, indexMember(d), cutoff, JSON.stringify(d.job));
    if (Number(created) === 1) return { delivery: d, created: true };
    const existing = await this.getDelivery(d.deliveryId);
    if (existing) return { delivery: existing, created: false };
    await r.set(this.k.d(d.deliveryId), state(d), 'PX', this.ttl); // expired meanwhile
    await r.set(this.k.j(d.deliveryId), JSON.stringify(d.job), 'PX', this.ttl);
    return { delivery: d, created: true };
  }

  private indexMoves(m: ReturnType<Redis['multi']>, d: StoredDelivery): void {
    const member = indexMember(d);
    for (const o of OUTCOMES) if (o !== d.outcome) m.zrem(this.k.x(d.subscriptionId, o), member);
    for (const which of [d.outcome, 'all'] as const) {
      m.zadd(this.k.x(d.subscriptionId, which), 0, member);
      m.pexpire(this.k.x(d.subscriptionId, which), this.ttl);
    }
  }

  async saveDelivery(d: StoredDelivery): Promise<void> {
    const r = await this.c();
    const m = r.multi();
    m.set(this.k.d(d.deliveryId), state(d), 'PX', this.ttl);
    m.set(this.k.j(d.deliveryId), JSON.stringify(d.job), 'PX', this.ttl);
    this.indexMoves(m, d);
    await exec(m);
  }

  async getDelivery(id: string): Promise<StoredDelivery | null> {
    const r = await this.c();
    const [raw, job, count, last] = await Promise.all([r.get(this.k.d(id)), r.get(this.k.j(id)), r.llen(this.k.a(id)), r.lindex(this.k.a(id), -1)]);
    if (!raw || !job) return null;
    const d = JSON.parse(raw) as StoredDelivery;
    d.job = JSON.parse(job) as StoredDelivery['job'];
    d.attemptCount = count;
    if (last) d.lastAttemptAt = (JSON.parse(last) as DeliveryAttempt).at;
    return d;
  }

  async attempts(id: string): Promise<DeliveryAttempt[]> {
    const r = await this.c();
    return (await r.lrange(this.k.a(id), 0, -1)).map((s) => JSON.parse(s) as DeliveryAttempt);
  }

  async claimAttempt(id: string, pending: Omit<PendingAttempt, 'attempt'>, o: ClaimOptions): Promise<Claim> {
    const r = await this.c();
    if (!o.job) {
      // without the job in hand, the slow path (the job is read with the record)
      const d = await this.getDelivery(id);
      if (!d) return { kind: 'missing' };
      return this.claimAttempt(id, pending, { ...o, job: d.job });
    }
    const [kind, raw, count, n] = await r.whClaim(this.k.d(id), this.k.a(id), this.k.i(id), this.k.n(id), JSON.stringify(pending), o.scheduled ? '1' : '0', o.nowMs, o.dueMarginMs, this.ttl);
    if (kind === 'missing' || kind === 'interrupted') return { kind };
    const delivery = JSON.parse(raw!) as StoredDelivery;
    delivery.job = o.job;
    delivery.attemptCount = Number(count);
    if (kind === 'ended') return { kind, delivery };
    if (kind === 'notDue') return { kind, delivery, waitMs: Math.max(1, (delivery.dueAtMs ?? o.nowMs) - o.nowMs) };
    return { kind: 'begun', delivery, attempt: Number(n) };
  }

  async beginAttempt(id: string, pending: Omit<PendingAttempt, 'attempt'>): Promise<number> {
    const r = await this.c();
    return Number(await r.whBegin(this.k.n(id), this.k.i(id), JSON.stringify(pending), this.ttl));
  }

  async pendingAttempts(id: string): Promise<PendingAttempt[]> {
    const r = await this.c();
    return Object.values(await r.hgetall(this.k.i(id))).map((s) => JSON.parse(s) as PendingAttempt).sort((a, b) => a.attempt - b.attempt);
  }

  async finishAttempt(record: DeliveryAttempt, d: StoredDelivery, change: DeliveryChange): Promise<StoredDelivery> {
    const r = await this.c();
    const next = applyChange(d, change, record);
    const x = (w: DeliveryOutcome | 'all') => this.k.x(d.subscriptionId, w);
    const id = d.deliveryId;
    await r.whFinish(this.k.a(id), this.k.i(id), this.k.d(id), x('pending'), x('succeeded'), x('failed'), x('all'), this.k.f(d.subscriptionId),
      JSON.stringify(record), record.attempt, state(next), this.ttl, indexMember(next), next.outcome, record.outcome === 'succeeded' ? '1' : '0');
    return next;
  }

  async listDeliveries(sub: string, opts: { outcome?: DeliveryOutcome; limit?: number; cursor?: string }): Promise<DeliveryPage> {
    const r = await this.c();
    const limit = Math.min(MAX_PAGE_LIMIT, Math.max(1, opts.limit ?? DEFAULT_PAGE_LIMIT));
    const key = this.k.x(sub, opts.outcome ?? 'all');
    const members = await r.zrevrangebylex(key, opts.cursor ? `(${opts.cursor}` : '+', '-', 'LIMIT', 0, limit + 1);
    const page = members.slice(0, limit);
    const ids = page.map((mb) => mb.slice(mb.indexOf('|') + 1));
    const raws = ids.length ? await r.mget(...ids.map((id) => this.k.d(id))) : [];
    const deliveries: Array<Omit<StoredDelivery, 'job'>> = [];
    raws.forEach((raw, i) => {
      if (raw) deliveries.push(JSON.parse(raw) as Omit<StoredDelivery, 'job'>);
      else void r.zrem(key, page[i]!).catch(() => undefined); // expired
    });
    return { deliveries, nextCursor: members.length > limit ? page[page.length - 1]! : null };
  }

  async failedSince(sub: string, sinceMs: number): Promise<string[]> {
    const r = await this.c();
    const members = await r.zrangebylex(this.k.x(sub, 'failed'), `[${timeBound(sinceMs)}`, '+');
    return members.map((mb) => mb.slice(mb.indexOf('|') + 1));
  }

  async markFailing(sub: string, nowMs: number): Promise<number> {
    const r = await this.c();
    await r.set(this.k.f(sub), String(nowMs), 'PX', this.ttl, 'NX');
    return Number(await r.get(this.k.f(sub)) ?? nowMs);
  }

  async clearFailing(sub: string): Promise<void> {
    const r = await this.c();
    await r.del(this.k.f(sub));
  }

  async enqueue(key: string, id: string, score: number): Promise<number> {
    const r = await this.c();
    return Number(await r.whEnqueue(this.k.q(key), id, this.ttl, score));
  }

  async head(key: string): Promise<string | null> {
    const r = await this.c();
    return (await r.zrange(this.k.q(key), 0, 0))[0] ?? null;
  }

  async dequeue(key: string, id: string): Promise<string | null> {
    const r = await this.c();
    return (await r.whDequeue(this.k.q(key), id)) ?? null;
  }

  async close(): Promise<void> {
    if (this.owns) await closeRedisClient(this.r, { graceful: true });
  }
}
