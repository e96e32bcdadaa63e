/** The HistoryStore contract on a real redis-server, plus TTLs on every key. */
import Redis from 'ioredis';
import { RedisHistory } from '../../../src/webhooks-out/history';
import { expectClosedAtOnceWhileRedisDown } from '../../harness/redis-down';
import { startRedis, type ServerProcess } from '../../harness/servers';
import { delivery, historyContract } from './history-contract';

let redis: ServerProcess;
beforeAll(async () => { redis = await startRedis(); });
afterAll(async () => { await redis?.cleanup(); });

let n = 0;
historyContract('RedisHistory', async () => ({ store: new RedisHistory({ redis: redis.url, prefix: `h${n++}:` }), cleanup: async () => undefined }));

test('every key the history writes expires (the retention)', async () => {
  const store = new RedisHistory({ redis: redis.url, prefix: 'ttl:', retentionMs: 60_000 });
  const d = delivery('msg_1', Date.now());
  await store.createDelivery(d);
  await store.beginAttempt('msg_1', { trigger: 'scheduled', at: new Date().toISOString(), url: 'http://x' });
  await store.finishAttempt({ attemptId: 'a', deliveryId: 'msg_1', subscriptionId: 'sub_1', eventType: 'x', attempt: 1, trigger: 'scheduled', request: { url: 'http://x', method: 'POST', headers: {}, bodyBytes: 0 }, durationMs: 1, outcome: 'failed', at: new Date().toISOString() }, d, { outcome: 'failed', scheduledAttempts: 1 });
  await store.markFailing('sub_1', Date.now());
  await store.enqueue('q', 'msg_1', Date.now());
  const r = new Redis(redis.url);
  const keys = await r.keys('ttl:*');
  expect(keys.length).toBeGreaterThanOrEqual(6);
  for (const k of keys) {
    const ttl = await r.pttl(k);
    expect([k, ttl > 0 && ttl <= 60_000]).toEqual([k, true]);
  }
  await r.quit();
  await store.close();
});

test('closing with Redis down is at once and leaves no timer behind (ioredis would wait 2 s for a socket that has already closed)', async () => {
  const down = await startRedis();
  const store = new RedisHistory({ redis: down.url, prefix: 'down:' });
  await store.head('q'); // connected
  const client = (store as unknown as { r: Redis }).r;
  await expectClosedAtOnceWhileRedisDown(down, client, () => store.close());
  await down.cleanup();
});
