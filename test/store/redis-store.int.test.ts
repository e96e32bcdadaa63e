import type Redis from 'ioredis';
import { RedisStore } from '../../src/store';
import { expectClosedAtOnceWhileRedisDown } from '../harness/redis-down';
import { startRedis, type ServerProcess } from '../harness/servers';
import { storeContract } from './store-contract';

let redis: ServerProcess;
let n = 0;
beforeAll(async () => { redis = await startRedis(); });
afterAll(async () => { await redis.cleanup(); });

storeContract('redis', async () => {
  const store = new RedisStore({ redis: redis.url, prefix: `t${n++}:` });
  await store.ready();
  return store;
}, (s) => s.close());

describe('redis store when Redis is down', () => {
  it('fails fast instead of queueing, and ping says false', async () => {
    const down = await startRedis();
    const store = new RedisStore({ redis: down.url });
    await store.ready();
    await down.kill();
    const started = Date.now();
    await expect(store.setIfAbsent('x', '1', 1000)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(await store.ping()).toBe(false);
    await store.close();
    await down.cleanup();
  });

  it('closes at once and leaves no timer behind (ioredis would wait 2 s for a socket that has already closed)', async () => {
    const down = await startRedis();
    const store = new RedisStore({ redis: down.url });
    await store.ready();
    const client = (store as unknown as { client: Redis }).client;
    await expectClosedAtOnceWhileRedisDown(down, client, () => store.close());
    await down.cleanup();
  });
});
