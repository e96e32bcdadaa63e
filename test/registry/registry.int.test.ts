/** Channel registry on a real redis-server: same contract as in memory. */
import { RedisStore } from '../../src/store';
import { startRedis, type ServerProcess } from '../harness/servers';
import { registryContract } from './registry-contract';

let redis: ServerProcess;
let n = 0;
beforeAll(async () => { redis = await startRedis(); });
afterAll(async () => { await redis.cleanup(); });

registryContract('redis', async () => {
  const store = new RedisStore({ redis: redis.url, prefix: `reg${n++}:` });
  await store.ready();
  return store;
}, (s) => s.close());
