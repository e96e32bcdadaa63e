/** Memoize on the memory cacher (or none): hit/miss, TTL, single-flight, invalidation, declarative forms. */
import { Cachers, ServiceBroker, type Service } from 'moleculer';
import { ConfigError, defineService } from '../../src/index';
import { MEMOIZE_KEY_PREFIX, type MemoizeApi } from '../../src/entries/service';

type Svc = Service & MemoizeApi & { lookups: number; lookup(id: string, extra?: unknown): Promise<string> };

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => { resolve = r; });
  return { promise, resolve };
}

async function start(cacher: ServiceBroker['options']['cacher'] | undefined) {
  const broker = new ServiceBroker({ logger: false, cacher });
  let lookups = 0;
  let actionRuns = 0;
  const svc = broker.createService(defineService({
    name: 'memo',
    version: 2,
    methods: {
      async lookup(id: string): Promise<string> { lookups += 1; return `user:${id}`; },
    },
    memoize: { lookup: { ttl: 30 } },
    actions: {
      profile: {
        params: { id: 'string' },
        memoize: { ttl: 30 },
        handler(ctx) { actionRuns += 1; return { id: ctx.params.id, run: actionRuns }; },
      },
    },
  })) as Svc;
  await broker.start();
  return { broker, svc, lookups: () => lookups, actionRuns: () => actionRuns };
}

describe.each([
  ['broker memory cacher', 'Memory' as const],
  ['no broker cacher (private memory cacher)', undefined],
])('memoize with %s', (_label, cacher) => {
  let env: Awaited<ReturnType<typeof start>>;
  beforeEach(async () => { env = await start(cacher); });
  afterEach(async () => { await env.broker.stop(); });

  it('runs the function once, then answers from the cache', async () => {
    let runs = 0;
    const fn = async () => { runs += 1; return { n: runs }; };
    await expect(env.svc.memoize('k', fn, { ttl: 30 })).resolves.toEqual({ n: 1 });
    await expect(env.svc.memoize('k', fn, { ttl: 30 })).resolves.toEqual({ n: 1 });
    await expect(env.svc.memoize('other', fn, { ttl: 30 })).resolves.toEqual({ n: 2 });
    expect(runs).toBe(2);
  });

  it('caches null and undefined results as hits', async () => {
    let runs = 0;
    await env.svc.memoize('nil', async () => { runs += 1; return null; });
    await env.svc.memoize('nil', async () => { runs += 1; return null; });
    await env.svc.memoize('undef', async () => { runs += 1; return undefined; });
    await expect(env.svc.memoize('undef', async () => { runs += 1; return 'x'; })).resolves.toBeUndefined();
    expect(runs).toBe(2);
  });

  it('does not cache errors', async () => {
    await expect(env.svc.memoize('e', async () => { throw new Error('nope'); })).rejects.toThrow('nope');
    await expect(env.svc.memoize('e', async () => 'ok')).resolves.toBe('ok');
  });

  it('runs concurrent identical calls once (single-flight)', async () => {
    const gate = deferred<string>();
    let runs = 0;
    const fn = () => { runs += 1; return gate.promise; };
    const calls = Promise.all([1, 2, 3, 4, 5].map(() => env.svc.memoize('sf', fn, { ttl: 30 })));
    await new Promise((r) => setTimeout(r, 20));
    gate.resolve('v');
    await expect(calls).resolves.toEqual(['v', 'v', 'v', 'v', 'v']);
    expect(runs).toBe(1);
  });

  it('expires after the TTL (seconds)', async () => {
    let runs = 0;
    const fn = async () => ++runs;
    await env.svc.memoize('ttl', fn, { ttl: 1 });
    await expect(env.svc.memoize('ttl', fn, { ttl: 1 })).resolves.toBe(1);
    await new Promise((r) => setTimeout(r, 1100));
    await expect(env.svc.memoize('ttl', fn, { ttl: 1 })).resolves.toBe(2);
  });

  it('invalidates by key and by pattern', async () => {
    let runs = 0;
    const fn = async () => ++runs;
    await env.svc.memoize('channel:a', fn);
    await env.svc.memoize('channel:b', fn);
    await env.svc.memoize('tenant:x.y', fn);
    expect(runs).toBe(3);
    await env.svc.invalidateMemoized('channel:a');
    await expect(env.svc.memoize('channel:a', fn)).resolves.toBe(4);
    await expect(env.svc.memoize('channel:b', fn)).resolves.toBe(2);
    await env.svc.invalidateMemoized('channel:*');
    await expect(env.svc.memoize('channel:a', fn)).resolves.toBe(5);
    await expect(env.svc.memoize('channel:b', fn)).resolves.toBe(6);
    await expect(env.svc.memoize('tenant:x.y', fn)).resolves.toBe(3);
    await env.svc.invalidateMemoized('tenant:*');
    await expect(env.svc.memoize('tenant:x.y', fn)).resolves.toBe(7);
  });

  it('does not store a result that was invalidated while it was running', async () => {
    const gate = deferred<string>();
    const running = env.svc.memoize('slow', () => gate.promise);
    await new Promise((r) => setTimeout(r, 10));
    await env.svc.invalidateMemoized('slow');
    gate.resolve('stale');
    await expect(running).resolves.toBe('stale');
    await expect(env.svc.memoize('slow', async () => 'fresh')).resolves.toBe('fresh');
  });

  it('memoizes declared methods by their arguments, invalidated under the method name', async () => {
    await env.svc.lookup('a');
    await env.svc.lookup('a');
    await env.svc.lookup('b');
    expect(env.lookups()).toBe(2);
    await env.svc.invalidateMemoized('lookup:*');
    await env.svc.lookup('a');
    expect(env.lookups()).toBe(3);
  });

  it('memoizes declared actions by params, tenant and user', async () => {
    const call = (id: string, tenantId: string) => env.broker.call('v2.memo.profile', { id }, { meta: { tenantId } });
    await expect(call('p', 't1')).resolves.toEqual({ id: 'p', run: 1 });
    await expect(call('p', 't1')).resolves.toEqual({ id: 'p', run: 1 });
    await expect(call('p', 't2')).resolves.toEqual({ id: 'p', run: 2 });
    await env.svc.invalidateMemoized('profile:*');
    await expect(call('p', 't1')).resolves.toEqual({ id: 'p', run: 3 });
  });

  it('rejects bad keys and TTLs with a ConfigError', async () => {
    await expect(env.svc.memoize('a*', async () => 1)).rejects.toThrow(ConfigError);
    await expect(env.svc.memoize('', async () => 1)).rejects.toThrow(/non-empty/);
    await expect(env.svc.memoize('k', async () => 1, { ttl: 0.5 })).rejects.toThrow(/whole number of seconds/);
    await expect(env.svc.invalidateMemoized('')).rejects.toThrow(ConfigError);
  });
});

describe('memoize keys in the broker cacher', () => {
  it('are scoped per service under the memo: prefix', async () => {
    const broker = new ServiceBroker({ logger: false, cacher: 'Memory' });
    const a = broker.createService(defineService({ name: 'a' })) as Svc;
    const b = broker.createService(defineService({ name: 'b' })) as Svc;
    await broker.start();
    try {
      await a.memoize('k', async () => 'from a');
      await expect(b.memoize('k', async () => 'from b')).resolves.toBe('from b');
      const cache = (broker.cacher as InstanceType<typeof Cachers.Memory> & { cache: Map<string, unknown> }).cache;
      expect([...cache.keys()].sort()).toEqual([`${MEMOIZE_KEY_PREFIX}a:k`, `${MEMOIZE_KEY_PREFIX}b:k`]);
      await b.invalidateMemoized('*');
      expect([...cache.keys()]).toEqual([`${MEMOIZE_KEY_PREFIX}a:k`]);
    } finally {
      await broker.stop();
    }
  });

  it('leave Context arguments out of a declared method key', async () => {
    const broker = new ServiceBroker({ logger: false });
    let runs = 0;
    broker.createService(defineService({
      name: 'cfg',
      methods: { async config(ctx: unknown, id: string) { void ctx; runs += 1; return id; } },
      memoize: { config: { ttl: 5 } },
      actions: { get: { params: { id: 'string' }, handler(ctx) { return this.config(ctx, ctx.params.id); } } },
    }));
    await broker.start();
    try {
      await broker.call('cfg.get', { id: 'c1' });
      await broker.call('cfg.get', { id: 'c1' }, { meta: { tenantId: 'other' } });
      await broker.call('cfg.get', { id: 'c2' });
      expect(runs).toBe(2);
    } finally {
      await broker.stop();
    }
  });
});
