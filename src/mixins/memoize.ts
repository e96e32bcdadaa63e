/** Memoize: results by key in the broker's cacher, with a TTL, single-flight per process, and invalidation. */
import { createHash } from 'node:crypto';
import { Cachers, Context, type Service, type ServiceSchema } from 'moleculer';
import { ConfigError } from '../errors';

/** TTL used when none is given, in seconds. */
export const DEFAULT_MEMOIZE_TTL_SECONDS = 60;

/** How long a cache read or write may take before memoize gives up on it and runs (or returns) without the cache, in ms. */
export const DEFAULT_MEMOIZE_CACHE_TIMEOUT_MS = 1000;

/** Prefix of every memoized entry inside the cacher (which adds its own `MOL-<namespace>-` prefix on top). */
export const MEMOIZE_KEY_PREFIX = 'memo:';

/** Options of `this.memoize()`. */
export interface MemoizeOptions {
  /** Time to live in whole seconds (the cacher's unit; Redis `EX`). Default `DEFAULT_MEMOIZE_TTL_SECONDS` (60). */
  ttl?: number;
  /**
   * Longest wait for the cacher, in ms. A read that takes longer (Redis down or reconnecting) counts as a
   * miss, a write that takes longer is abandoned; the call itself never fails because of the cache.
   * Default `DEFAULT_MEMOIZE_CACHE_TIMEOUT_MS` (1000).
   */
  cacheTimeoutMs?: number;
}

/** Declarative memoize on a method: `methods: { find: { memoize: { ttl: 30 }, handler(id) {...} } }`. */
export interface MethodMemoizeOptions<TArgs extends readonly unknown[] = unknown[]> extends MemoizeOptions {
  /**
   * Builds the key (after `<method>:`) from the arguments. Default: a hash of the arguments as stable JSON,
   * with Moleculer `Context` arguments left out (so `getConfig(ctx, id)` is keyed by `id` only).
   */
  key?: (...args: TArgs) => string;
}

/** Declarative memoize on an action: `actions: { get: { memoize: { ttl: 30 }, handler(ctx) {...} } }`. */
export interface ActionMemoizeOptions<TCtx = Context> extends MemoizeOptions {
  /**
   * Builds the key (after `<action>:`) from the context. Default: a hash of `ctx.params`,
   * `ctx.meta.tenantId` and `ctx.meta.user.id`, so one tenant or user never sees another's result.
   */
  key?: (ctx: TCtx) => string;
}

/** What every `defineService` service offers as `this.memoize` / `this.invalidateMemoized`. */
export interface MemoizeApi {
  /**
   * Returns the cached result for `key`, or runs `fn`, stores its result for `ttl` seconds and returns it.
   * Concurrent calls with the same key in this process share one run of `fn`. Errors are not cached.
   * Keys are scoped to the service (`memo:<service fullName>:<key>`). Results must be JSON-serializable
   * when the cacher is Redis; with the memory cacher the same object is returned to every caller.
   */
  memoize<T>(key: string, fn: () => T | Promise<T>, options?: MemoizeOptions): Promise<T>;
  /**
   * Removes a memoized key, or every key matching a pattern: `*` matches any run of characters,
   * `?` one character (`'channel:*'`). Declarative memoizes live under `<method or action>:`.
   */
  invalidateMemoized(keyOrPattern: string): Promise<void>;
}

type Cacher = InstanceType<typeof Cachers.Base>;

interface Flight {
  promise: Promise<unknown>;
  /** Invalidated while running: the result is returned but not stored. */
  stale: boolean;
}

/** In-flight runs per cacher, so services sharing a cacher share flights for the same full key. */
const flightsByCacher = new WeakMap<Cacher, Map<string, Flight>>();
/** Fallback memory cacher per service, when the broker has none. */
const fallbackCachers = new WeakMap<Service, Cacher>();

/** The cacher memoize uses for `service`: the broker's, or a private memory cacher. */
export function memoizeCacher(service: Service): Cacher {
  const brokerCacher = service.broker.cacher as Cacher | undefined;
  if (brokerCacher) return brokerCacher;
  let own = fallbackCachers.get(service);
  if (!own) {
    own = new Cachers.Memory();
    own.init(service.broker);
    fallbackCachers.set(service, own);
  }
  return own;
}

function flightsOf(cacher: Cacher): Map<string, Flight> {
  let flights = flightsByCacher.get(cacher);
  if (!flights) {
    flights = new Map();
    flightsByCacher.set(cacher, flights);
  }
  return flights;
}

/** Throws a `ConfigError` naming `where` unless `ttl` is a whole number of seconds ≥ 1. */
export function validateTtl(ttl: unknown, where: string): number {
  if (ttl === undefined) return DEFAULT_MEMOIZE_TTL_SECONDS;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1) {
    throw new ConfigError(`${where}: memoize 'ttl' must be a whole number of seconds ≥ 1 (got ${String(ttl)}).`, {
      option: 'ttl',
      where,
    });
  }
  return ttl;
}

function validateCacheTimeout(ms: unknown): number {
  if (ms === undefined) return DEFAULT_MEMOIZE_CACHE_TIMEOUT_MS;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) {
    throw new ConfigError(`memoize 'cacheTimeoutMs' must be a positive number of ms (got ${String(ms)}).`, { option: 'cacheTimeoutMs' });
  }
  return ms;
}

function validateKey(key: unknown): string {
  if (typeof key !== 'string' || key === '') {
    throw new ConfigError(`memoize key must be a non-empty string (got ${typeof key === 'string' ? "''" : typeof key}).`, { option: 'key' });
  }
  if (/[*?]/.test(key)) {
    throw new ConfigError(`memoize key '${key}' must not contain '*' or '?' (they are invalidation patterns).`, { option: 'key', key });
  }
  return key;
}

function scope(service: Service): string {
  return `${MEMOIZE_KEY_PREFIX}${service.fullName}:`;
}

/** Stored form: a wrapper so `null`/`undefined` results are hits, not misses. */
interface Stored {
  v?: unknown;
  u?: 1;
}

function isStored(value: unknown): value is Stored {
  return typeof value === 'object' && value !== null && ('v' in value || 'u' in value);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  promise.catch(() => undefined); // a late failure after the timeout is not an unhandled rejection
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** `this.memoize` for `service`. */
export async function memoize<T>(service: Service, key: string, fn: () => T | Promise<T>, options: MemoizeOptions = {}): Promise<T> {
  const ttl = validateTtl(options.ttl, `memoize('${String(key)}') in service '${service.fullName}'`);
  const full = scope(service) + validateKey(key);
  const timeoutMs = validateCacheTimeout(options.cacheTimeoutMs);
  const cacher = memoizeCacher(service);
  const flights = flightsOf(cacher);
  const running = flights.get(full);
  if (running) return running.promise as Promise<T>;

  const flight: Flight = { promise: Promise.resolve(), stale: false };
  flight.promise = (async () => {
    try {
      let cached: unknown = null;
      try {
        cached = await withTimeout(cacher.get(full), timeoutMs, `cache read of '${full}'`);
      } catch (err) {
        service.logger.warn(`memoize: cache read of '${full}' failed; running the function`, err);
      }
      if (isStored(cached)) return (cached.u ? undefined : cached.v) as T;
      const value = await fn();
      if (!flight.stale) {
        try {
          await withTimeout(cacher.set(full, value === undefined ? { u: 1 } : { v: value }, ttl), timeoutMs, `cache write of '${full}'`);
        } catch (err) {
          service.logger.warn(`memoize: cache write of '${full}' failed`, err);
        }
      }
      return value;
    } finally {
      if (flights.get(full) === flight) flights.delete(full);
    }
  })();
  flights.set(full, flight);
  return flight.promise as Promise<T>;
}

function isPattern(keyOrPattern: string): boolean {
  return /[*?]/.test(keyOrPattern);
}

function patternRegExp(pattern: string): RegExp {
  const source = pattern
    .split(/(\*+|\?)/)
    .map((part) => (part.startsWith('*') ? '.*' : part === '?' ? '.' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

/** Longest wait for an invalidation, in ms; past it `invalidateMemoized` rejects (the entry may still be cached). */
const INVALIDATE_TIMEOUT_MS = 5000;

/** `this.invalidateMemoized` for `service`. Rejects when the cacher fails or takes over 5 s. */
export async function invalidateMemoized(service: Service, keyOrPattern: string): Promise<void> {
  if (typeof keyOrPattern !== 'string' || keyOrPattern === '') {
    throw new ConfigError('invalidateMemoized needs a non-empty key or pattern.', { option: 'keyOrPattern' });
  }
  const cacher = memoizeCacher(service);
  const flights = flightsOf(cacher);
  const full = scope(service) + keyOrPattern;
  if (isPattern(keyOrPattern)) {
    const re = patternRegExp(full);
    for (const [k, flight] of flights) {
      if (re.test(k)) {
        flight.stale = true;
        flights.delete(k);
      }
    }
    // Moleculer's memory cacher reads `*` as "no dots" and `**` as "anything"; Redis turns `**` into `*`.
    await withTimeout(cacher.clean(full.replace(/\*+/g, '**')), INVALIDATE_TIMEOUT_MS, `cache clean of '${full}'`);
  } else {
    const flight = flights.get(full);
    if (flight) {
      flight.stale = true;
      flights.delete(full);
    }
    await withTimeout(cacher.del(full), INVALIDATE_TIMEOUT_MS, `cache delete of '${full}'`);
  }
}

/** Stable JSON of memoize arguments: sorted keys, `Context` arguments dropped, cycles refused. */
export function stableKey(value: unknown): string {
  const seen = new Set<object>();
  const walk = (v: unknown): unknown => {
    if (v instanceof Context) return undefined;
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return undefined;
    if (typeof v === 'bigint') return `${v}n`;
    if (v === null || typeof v !== 'object') return v;
    if (v instanceof Date) return v.toISOString();
    if (seen.has(v)) {
      throw new ConfigError('memoize: cannot derive a key from circular arguments; give a `key` function.', { option: 'key' });
    }
    seen.add(v);
    const out = Array.isArray(v)
      ? v.filter((item) => !(item instanceof Context)).map(walk)
      : Object.fromEntries(Object.keys(v).sort().map((k) => [k, walk((v as Record<string, unknown>)[k])]));
    seen.delete(v);
    return out;
  };
  return JSON.stringify(walk(value)) ?? 'undefined';
}

/** A short hash of `stableKey(value)`, used as the default declarative key. */
export function hashKey(value: unknown): string {
  return createHash('sha1').update(stableKey(value)).digest('base64url');
}

/** Closes the private memory cacher of `service`, if it has one. */
export async function closeFallbackCacher(service: Service): Promise<void> {
  const own = fallbackCachers.get(service);
  if (own) {
    fallbackCachers.delete(service);
    await own.close();
  }
}

/** The Moleculer mixin behind `this.memoize` and `this.invalidateMemoized`. */
export function memoizeMixin(): Partial<ServiceSchema> {
  return {
    methods: {
      memoize<T>(this: Service, key: string, fn: () => T | Promise<T>, options?: MemoizeOptions): Promise<T> {
        return memoize(this, key, fn, options);
      },
      invalidateMemoized(this: Service, keyOrPattern: string): Promise<void> {
        return invalidateMemoized(this, keyOrPattern);
      },
    },
    async stopped(this: Service) {
      await closeFallbackCacher(this);
    },
  };
}
