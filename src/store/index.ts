/** Picks the store: Redis when a URL or client is given, memory otherwise. */
import type Redis from 'ioredis';
import { MemoryStore } from './memory-store';
import { RedisStore } from './redis-store';
import type { KeyValueStore } from './types';

export { MemoryStore } from './memory-store';
export { RedisStore } from './redis-store';
export type { MemoryStoreOptions } from './memory-store';
export type { RedisStoreOptions } from './redis-store';
export type { ClaimAndTokens, KeyValueStore, TokenBucket, TokenBucketOptions, TokenBucketResult } from './types';

export interface CreateStoreOptions {
  /** `redis://` URL or ioredis client; without it the store lives in memory. */
  redis?: string | Redis;
  /** Key prefix. Default `switchboard:`. */
  prefix?: string;
}

export function createStore(options: CreateStoreOptions = {}): KeyValueStore {
  return options.redis ? new RedisStore({ redis: options.redis, prefix: options.prefix }) : new MemoryStore();
}
export { acquireStore, releaseStore, runtimeOf } from './broker-store';
