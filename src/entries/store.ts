/** `@switchboard/sdk/store`: the key-value state (Redis, Sentinel or in memory) shared by a broker's services. */
export { createStore, MemoryStore, RedisStore, acquireStore, releaseStore, runtimeOf } from '../store';
export type { KeyValueStore, TokenBucketOptions, TokenBucketResult, CreateStoreOptions, MemoryStoreOptions, RedisStoreOptions } from '../store';
export type { TokenBucket } from '../store';
export { parseSentinelUrl, isSentinelUrl, redisConnection } from '../store/redis-url';
