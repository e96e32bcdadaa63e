/** The subscription store on a real redis-server: the same contract as in memory. */
import { RedisStore } from '../../../src/store';
import { startRedis, type ServerProcess } from '../../harness/servers';
import { subscriptionStoreContract } from './store-contract';

let redis: ServerProcess;
let n = 0;
beforeAll(async () => { redis = await startRedis(); });
afterAll(async () => { await redis.cleanup(); });

subscriptionStoreContract('redis', async () => {
  const store = new RedisStore({ redis: redis.url, prefix: `subs${n++}:` });
  await store.ready();
  return store;
}, (s) => s.close());
