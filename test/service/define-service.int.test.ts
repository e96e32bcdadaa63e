/** defineService on real Redis: a Redis-backed datasource's lifecycle, ctx.datasources in actions, events and
 * channels (Redis Streams adapter), the Redis cacher behind memoize, and permission helpers. */
import Redis from 'ioredis';
import { ServiceBroker, type Middleware } from 'moleculer';
import { Middleware as ChannelsMiddleware } from '@moleculer/channels';
import { DatasourceError, defineService } from '../../src/index';
import { Datasource, type DatasourceHost, type MemoizeApi } from '../../src/entries/service';
import { startRedis, type ServerProcess } from '../harness/servers';

/** A datasource with its own Redis connection, named so the test can see it in CLIENT LIST. */
class CounterDatasource extends Datasource {
  static url = '';
  client: Redis | null = null;
  readonly clientName: string;

  constructor(host: DatasourceHost) {
    super(host);
    this.clientName = `ds-${host.service.name}-${host.name}-${process.pid}`;
  }
  async connect(): Promise<void> {
    this.client = new Redis(CounterDatasource.url, {
      lazyConnect: true, connectionName: this.clientName, maxRetriesPerRequest: 0, retryStrategy: () => null,
    });
    await this.client.connect();
  }
  async disconnect(): Promise<void> {
    await this.client?.quit();
    this.client = null;
  }
  async bump(key: string): Promise<number> {
    if (!this.client) throw new Error('not connected');
    return this.client.incr(`counter:${key}`);
  }
}

function channels(url: string): Middleware {
  return ChannelsMiddleware({ adapter: url } as Parameters<typeof ChannelsMiddleware>[0]) as unknown as Middleware;
}

async function until(check: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('defineService on real Redis', () => {
  let redis: ServerProcess;
  let probe: Redis;

  beforeAll(async () => {
    redis = await startRedis();
    CounterDatasource.url = redis.url;
    probe = new Redis(redis.url);
  });
  afterAll(async () => {
    probe.disconnect();
    await redis.cleanup();
  });

  async function clientNames(): Promise<string[]> {
    const list = (await probe.client('LIST')) as string;
    return list.split('\n').map((line) => /name=(\S*)/.exec(line)?.[1] ?? '').filter(Boolean);
  }

  it('connects datasources on start, uses them from actions, events and channels, and disconnects on stop', async () => {
    const broker = new ServiceBroker({
      logger: false,
      nodeID: 'redis-ds',
      cacher: { type: 'Redis', options: { redis: redis.url } },
      middlewares: [channels(redis.url)],
    });
    broker.createService(defineService({
      name: 'tally',
      datasources: { counter: CounterDatasource },
      actions: {
        hit: {
          params: { key: 'string' },
          handler(ctx) { return ctx.datasources.counter.bump(`action:${ctx.params.key}`); },
        },
        async send(ctx) {
          const b = this.broker as unknown as { sendToChannel(n: string, p: unknown, o: unknown): Promise<void> };
          await b.sendToChannel('tally.in', ctx.params, { ctx });
        },
      },
      events: {
        'tally.event': {
          params: { key: 'string' },
          async handler(ctx) { await ctx.datasources.counter.bump(`event:${ctx.params.key}`); },
        },
      },
      channels: {
        'tally.in': {
          async handler(ctx) {
            ctx.ensureTenant('t-1');
            await ctx.datasources.counter.bump(`channel:${String(ctx.params.key)}:${String(ctx.meta.tenantId)}`);
          },
        },
      },
    }));

    const name = `ds-tally-counter-${process.pid}`;
    expect(await clientNames()).not.toContain(name);
    await broker.start();
    try {
      expect(await clientNames()).toContain(name);

      await expect(broker.call('tally.hit', { key: 'a' })).resolves.toBe(1);
      await expect(broker.call('tally.hit', { key: 'a' })).resolves.toBe(2);

      await broker.emit('tally.event', { key: 'b' });
      await until(async () => (await probe.get('counter:event:b')) === '1');

      await broker.call('tally.send', { key: 'c' }, { meta: { tenantId: 't-1' } });
      await until(async () => (await probe.get('counter:channel:c:t-1')) === '1');
    } finally {
      await broker.stop();
    }
    await until(async () => !(await clientNames()).includes(name));
  });

  it('fails the start with a DatasourceError naming the datasource when Redis is unreachable', async () => {
    const saved = CounterDatasource.url;
    CounterDatasource.url = 'redis://127.0.0.1:1';
    const broker = new ServiceBroker({ logger: false, nodeID: 'redis-down' });
    broker.createService(defineService({ name: 'tally', datasources: { counter: CounterDatasource } }));
    try {
      const err = await broker.start().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DatasourceError);
      expect((err as DatasourceError).message).toMatch(/^Datasource 'counter' of service 'tally' failed in connect: ./);
      expect((err as Error & { cause?: unknown }).cause).toBeInstanceOf(Error);
      expect((err as DatasourceError).data).toMatchObject({ datasource: 'counter', service: 'tally', hook: 'connect' });
    } finally {
      CounterDatasource.url = saved;
      await broker.stop().catch(() => undefined);
    }
  });

  it('checks permissions and tenants from meta: allowed calls pass, denied ones get 403', async () => {
    const broker = new ServiceBroker({ logger: false, nodeID: 'redis-perm', cacher: { type: 'Redis', options: { redis: redis.url } } });
    broker.createService(defineService({
      name: 'admin',
      datasources: { counter: CounterDatasource },
      hooks: { before: { purge(ctx) { ctx.ensureRole('admin'); } } },
      actions: {
        purge: { params: { tenant: 'string' }, handler(ctx) { ctx.ensureTenant(ctx.params.tenant); return ctx.datasources.counter.bump('purge'); } },
        read(ctx) { ctx.ensurePermission('stats:read'); return { can: ctx.hasPermission('stats:write') }; },
      },
    }));
    await broker.start();
    try {
      const admin = { tenantId: 't1', user: { id: 'a', roles: ['admin'], permissions: ['stats:read'] } };
      await expect(broker.call('admin.purge', { tenant: 't1' }, { meta: admin })).resolves.toBe(1);
      await expect(broker.call('admin.read', {}, { meta: admin })).resolves.toEqual({ can: false });
      await expect(broker.call('admin.read', {}, { meta: { user: { id: 'r', permissions: ['*'] } } })).resolves.toEqual({ can: true });

      const denied = async (p: Promise<unknown>) => {
        const err = (await p.catch((e: unknown) => e)) as { code?: number; type?: string; message?: string };
        expect(err).toMatchObject({ code: 403, type: 'FORBIDDEN' });
        return err.message;
      };
      await expect(denied(broker.call('admin.purge', { tenant: 't2' }, { meta: admin }))).resolves.toBe("Access to tenant 't2' is not allowed");
      await expect(denied(broker.call('admin.purge', { tenant: 't1' }, { meta: { tenantId: 't1', user: { id: 'u' } } }))).resolves.toBe("Role 'admin' is required");
      await expect(denied(broker.call('admin.read', {}, { meta: {} }))).resolves.toBe("Permission 'stats:read' is required");
      expect(await probe.get('counter:purge')).toBe('1');
    } finally {
      await broker.stop();
    }
  });

  it('memoizes into the Redis cacher under its key prefix, with the TTL in seconds', async () => {
    const broker = new ServiceBroker({ logger: false, nodeID: 'redis-memo', cacher: { type: 'Redis', options: { redis: redis.url } } });
    const svc = broker.createService(defineService({ name: 'prefixes' })) as unknown as MemoizeApi;
    await broker.start();
    try {
      await svc.memoize('k:1', async () => ({ v: 1 }), { ttl: 7 });
      const keys = await probe.keys('*prefixes*');
      expect(keys).toEqual(['MOL-memo:prefixes:k:1']);
      const ttl = await probe.ttl(keys[0]);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(7);
    } finally {
      await broker.stop();
    }
  });
});
