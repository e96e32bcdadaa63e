/** Memoize on a real Redis cacher: hit/miss, TTL expiry, single-flight, invalidation by key and pattern, shared across brokers. */
import Redis from 'ioredis';
import { ServiceBroker, type Service } from 'moleculer';
import { defineService } from '../../src/index';
import { type MemoizeApi } from '../../src/entries/service';
import { startRedis, type ServerProcess } from '../harness/servers';

type Svc = Service & MemoizeApi & { channelConfig(ctx: unknown, id: string): Promise<{ id: string; n: number }> };

describe('memoize on real Redis', () => {
  let redis: ServerProcess;
  let probe: Redis;
  let brokers: ServiceBroker[] = [];
  let loads = 0;

  beforeAll(async () => {
    redis = await startRedis();
    probe = new Redis(redis.url);
  });
  afterAll(async () => {
    probe.disconnect();
    await redis.cleanup();
  });
  beforeEach(async () => { await probe.flushall(); loads = 0; });
  afterEach(async () => {
    await Promise.all(brokers.map((b) => b.stop()));
    brokers = [];
  });

  async function node(nodeID: string): Promise<Svc> {
    const broker = new ServiceBroker({ logger: false, nodeID, cacher: { type: 'Redis', options: { redis: redis.url } } });
    const svc = broker.createService(defineService({
      name: 'integration',
      methods: {
        async channelConfig(ctx: unknown, id: string) { void ctx; loads += 1; return { id, n: loads }; },
      },
      memoize: { channelConfig: { ttl: 1, key: (_ctx, id) => id } },
    })) as Svc;
    await broker.start();
    brokers.push(broker);
    return svc;
  }

  it('misses, then hits; the entry is in Redis with the TTL', async () => {
    const svc = await node('m1');
    let runs = 0;
    const fn = async () => ({ runs: ++runs, at: 'x' });
    await expect(svc.memoize('cfg:a', fn, { ttl: 30 })).resolves.toEqual({ runs: 1, at: 'x' });
    await expect(svc.memoize('cfg:a', fn, { ttl: 30 })).resolves.toEqual({ runs: 1, at: 'x' });
    expect(runs).toBe(1);
    const ttl = await probe.ttl('MOL-memo:integration:cfg:a');
    expect(ttl).toBeGreaterThan(25);
    expect(ttl).toBeLessThanOrEqual(30);
  });

  it('expires after the TTL', async () => {
    const svc = await node('m1');
    let runs = 0;
    const fn = async () => ++runs;
    await svc.memoize('short', fn, { ttl: 1 });
    await expect(svc.memoize('short', fn, { ttl: 1 })).resolves.toBe(1);
    await new Promise((r) => setTimeout(r, 1200));
    await expect(svc.memoize('short', fn, { ttl: 1 })).resolves.toBe(2);
  });

  it('runs concurrent identical calls once per process', async () => {
    const svc = await node('m1');
    let runs = 0;
    const fn = async () => { runs += 1; await new Promise((r) => setTimeout(r, 50)); return 'v'; };
    const results = await Promise.all(Array.from({ length: 20 }, () => svc.memoize('sf', fn, { ttl: 30 })));
    expect(new Set(results)).toEqual(new Set(['v']));
    expect(runs).toBe(1);
  });

  it('shares entries across brokers on the same Redis, and invalidation on one reaches the other', async () => {
    const a = await node('m1');
    const b = await node('m2');
    let runs = 0;
    const fn = async () => ++runs;
    await a.memoize('channel:1', fn, { ttl: 30 });
    await a.memoize('channel:2', fn, { ttl: 30 });
    await a.memoize('tenant:1', fn, { ttl: 30 });
    await expect(b.memoize('channel:1', fn, { ttl: 30 })).resolves.toBe(1);

    await b.invalidateMemoized('channel:1');
    await expect(a.memoize('channel:1', fn, { ttl: 30 })).resolves.toBe(4);
    await expect(a.memoize('channel:2', fn, { ttl: 30 })).resolves.toBe(2);

    await b.invalidateMemoized('channel:*');
    expect((await probe.keys('MOL-memo:integration:*')).sort()).toEqual(['MOL-memo:integration:tenant:1']);
    await expect(a.memoize('channel:2', fn, { ttl: 30 })).resolves.toBe(5);
    await expect(a.memoize('tenant:1', fn, { ttl: 30 })).resolves.toBe(3);
  });

  it('memoizes a declared method (getChannelConfig-style) keyed by id, and forgets it by pattern', async () => {
    const svc = await node('m1');
    const [x, y] = await Promise.all([svc.channelConfig({}, 'c1'), svc.channelConfig({}, 'c1')]);
    expect(x).toEqual({ id: 'c1', n: 1 });
    expect(y).toEqual({ id: 'c1', n: 1 });
    await expect(svc.channelConfig({}, 'c2')).resolves.toEqual({ id: 'c2', n: 2 });
    await svc.invalidateMemoized('channelConfig:c1');
    await expect(svc.channelConfig({}, 'c1')).resolves.toEqual({ id: 'c1', n: 3 });
    await expect(svc.channelConfig({}, 'c2')).resolves.toEqual({ id: 'c2', n: 2 });
    await new Promise((r) => setTimeout(r, 1200));
    await expect(svc.channelConfig({}, 'c2')).resolves.toEqual({ id: 'c2', n: 4 });
  });

  it('falls back to running the function when Redis is down, and caches again when it is back', async () => {
    const svc = await node('m1');
    const cacherClient = (brokers[0].cacher as unknown as { client: Redis }).client;
    let runs = 0;
    const fn = async () => ++runs;
    await redis.stop();
    try {
      const started = Date.now();
      await expect(svc.memoize('down', fn, { ttl: 30, cacheTimeoutMs: 300 })).resolves.toBe(1);
      await expect(svc.memoize('down', fn, { ttl: 30, cacheTimeoutMs: 300 })).resolves.toBe(2);
      expect(Date.now() - started).toBeLessThan(3000);
      await expect(svc.invalidateMemoized('down')).rejects.toThrow();
    } finally {
      await redis.start();
    }
    const end = Date.now() + 15_000;
    while (cacherClient.status !== 'ready' && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(cacherClient.status).toBe('ready');
    await svc.memoize('up', fn, { ttl: 30 });
    await expect(svc.memoize('up', fn, { ttl: 30 })).resolves.toBe(3);
  });
});
