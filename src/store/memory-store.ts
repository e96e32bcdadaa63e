/** KeyValueStore in this process's memory: for one-process runs and unit tests. */
import type { ClaimAndTokens, KeyValueStore, TokenBucket, TokenBucketOptions, TokenBucketResult } from './types';

interface Entry { value: string; expiresAt: number | null }

export interface MemoryStoreOptions {
  /** Clock in ms; injectable for tests. Default `Date.now`. */
  now?: () => number;
}

export class MemoryStore implements KeyValueStore {
  readonly kind = 'memory' as const;
  private readonly entries = new Map<string, Entry>();
  private readonly sets = new Map<string, Set<string>>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly now: () => number;

  constructor(options: MemoryStoreOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt !== null && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private put(key: string, value: string, ttlMs?: number): void {
    this.entries.set(key, { value, expiresAt: ttlMs === undefined ? null : this.now() + ttlMs });
  }

  async get(key: string) { return this.live(key)?.value ?? null; }
  async set(key: string, value: string, ttlMs?: number) { this.put(key, value, ttlMs); }

  async setIfAbsent(key: string, value: string, ttlMs: number) {
    if (this.live(key)) return false;
    this.put(key, value, ttlMs);
    return true;
  }

  async replaceIfEquals(key: string, expected: string, value: string, ttlMs: number) {
    if (this.live(key)?.value !== expected) return false;
    this.put(key, value, ttlMs);
    return true;
  }

  async delete(key: string) {
    const existed = this.live(key) !== undefined || this.sets.has(key);
    this.entries.delete(key);
    this.sets.delete(key);
    return existed;
  }

  async deleteIfEquals(key: string, expected: string) {
    if (this.live(key)?.value !== expected) return false;
    this.entries.delete(key);
    return true;
  }

  async ttl(key: string) {
    const entry = this.live(key);
    if (!entry) return -2;
    return entry.expiresAt === null ? -1 : entry.expiresAt - this.now();
  }

  async addToSet(key: string, member: string) {
    let set = this.sets.get(key);
    if (!set) this.sets.set(key, (set = new Set()));
    set.add(member);
  }

  async removeFromSet(key: string, member: string) {
    const set = this.sets.get(key);
    set?.delete(member);
    if (set?.size === 0) this.sets.delete(key);
  }

  async setMembers(key: string) { return [...(this.sets.get(key) ?? [])]; }

  async takeToken(key: string, { capacity, refillPerSecond }: TokenBucketOptions): Promise<TokenBucketResult> {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: capacity, at: now };
    const tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) / 1000) * refillPerSecond);
    if (tokens >= 1) {
      this.buckets.set(key, { tokens: tokens - 1, at: now });
      return { allowed: true, remaining: Math.floor(tokens - 1), retryAfterMs: 0 };
    }
    this.buckets.set(key, { tokens, at: now });
    return { allowed: false, remaining: 0, retryAfterMs: Math.ceil(((1 - tokens) / refillPerSecond) * 1000) };
  }

  async takeTokens(buckets: TokenBucket[], nowMs?: number): Promise<TokenBucketResult> {
    const now = nowMs ?? this.now();
    const levels = buckets.map(({ key, capacity, refillPerSecond }) => {
      const bucket = this.buckets.get(key) ?? { tokens: capacity, at: now };
      return Math.min(capacity, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * refillPerSecond);
    });
    const wait = Math.max(0, ...buckets.map((b, i) => (levels[i]! >= 1 ? 0 : Math.ceil(((1 - levels[i]!) / b.refillPerSecond) * 1000))));
    const allowed = wait === 0;
    buckets.forEach((b, i) => this.buckets.set(b.key, { tokens: allowed ? levels[i]! - 1 : levels[i]!, at: now }));
    const remaining = Math.floor(Math.min(...levels.map((l) => (allowed ? l - 1 : l))));
    return { allowed, remaining: allowed ? remaining : 0, retryAfterMs: wait };
  }

  async claimAndTakeTokens(key: string, value: string, ttlMs: number, buckets: TokenBucket[], nowMs?: number): Promise<ClaimAndTokens> {
    if (!(await this.setIfAbsent(key, value, ttlMs))) return { claimed: false, current: await this.get(key) };
    return buckets.length === 0 ? { claimed: true } : { claimed: true, token: await this.takeTokens(buckets, nowMs) };
  }

  async ping() { return true; }
  async close() {
    this.entries.clear();
    this.sets.clear();
    this.buckets.clear();
  }
}
