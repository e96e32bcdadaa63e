/** The key-value state the SDK keeps (claims, idempotency, rate limits, registries): one interface, Redis or memory behind it. */

/** Result of taking a token from a bucket. */
export interface TokenBucketResult {
  allowed: boolean;
  /** Tokens left after this take (rounded down). */
  remaining: number;
  /** When not allowed: how long until one token is available, in ms. */
  retryAfterMs: number;
}

export interface TokenBucketOptions {
  /** Most tokens the bucket holds (the burst). */
  capacity: number;
  /** Tokens added per second. */
  refillPerSecond: number;
}

/** One bucket of an all-or-nothing {@link KeyValueStore.takeTokens}. */
export interface TokenBucket extends TokenBucketOptions {
  key: string;
}

/** What {@link KeyValueStore.claimAndTakeTokens} found: the claim won (with the token take), or the value holding the key. */
export type ClaimAndTokens =
  | { claimed: true; /** The take from the buckets; absent when no bucket was given. */ token?: TokenBucketResult }
  | { claimed: false; /** The value that holds the key (null: it went away in between; claim again). */ current: string | null };

/**
 * Atomic operations over string keys. Keys are prefixed by the store. TTLs are in milliseconds.
 * Every operation is atomic on its own key, on Redis across all nodes.
 */
export interface KeyValueStore {
  /** `redis` when backed by Redis (shared by all nodes), `memory` when local to this process. */
  readonly kind: 'redis' | 'memory';
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Sets only when the key does not exist; true when it was set. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Replaces the value only while it still equals `expected`; true when replaced. */
  replaceIfEquals(key: string, expected: string, value: string, ttlMs: number): Promise<boolean>;
  delete(key: string): Promise<boolean>;
  /** Deletes only while the value still equals `expected` (release what you own); true when deleted. */
  deleteIfEquals(key: string, expected: string): Promise<boolean>;
  /** Remaining time to live in ms; -1 without expiry, -2 when absent. */
  ttl(key: string): Promise<number>;
  addToSet(key: string, member: string): Promise<void>;
  removeFromSet(key: string, member: string): Promise<void>;
  setMembers(key: string): Promise<string[]>;
  /** Takes one token from the bucket at `key` (created full). */
  takeToken(key: string, options: TokenBucketOptions): Promise<TokenBucketResult>;
  /**
   * Takes one token from every bucket, or from none: allowed only when each has a token; otherwise
   * `retryAfterMs` is the longest wait among them. `nowMs` replaces the store's clock (Redis: the
   * server's) — for tests; production callers leave it out.
   */
  takeTokens(buckets: TokenBucket[], nowMs?: number): Promise<TokenBucketResult>;
  /**
   * {@link setIfAbsent} and, only when it set the key, {@link takeTokens} over `buckets` — one round trip
   * on Redis (one script). When the key is held, answers its current value instead (what a `get` would),
   * and takes no token. `nowMs` as in `takeTokens`.
   */
  claimAndTakeTokens(key: string, value: string, ttlMs: number, buckets: TokenBucket[], nowMs?: number): Promise<ClaimAndTokens>;
  /** True when the backing server answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
