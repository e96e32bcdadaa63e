/** defineService on an in-memory broker: schema shape, datasources in every handler kind, lifecycle, errors. */
import { ServiceBroker, type Middleware, type Service, type ServiceSchema } from 'moleculer';
import { Middleware as ChannelsMiddleware } from '@moleculer/channels';
import { ConfigError, DatasourceError, ForbiddenError, defineService } from '../../src/index';
import { Datasource, type DatasourceHost } from '../../src/entries/service';

const log: string[] = [];

class UserDatasource extends Datasource {
  readonly seenService: string;
  constructor(host: DatasourceHost) {
    super(host);
    this.seenService = host.service.fullName;
  }
  init(): void { log.push(`init:${this.name}`); }
  async connect(): Promise<void> { log.push(`connect:${this.name}`); }
  async disconnect(): Promise<void> { log.push(`disconnect:${this.name}`); }
  find(id: string): { id: string; by: string } { return { id, by: this.seenService }; }
}

class AuditDatasource {
  readonly events: string[] = [];
  init(): void { log.push('init:audit'); }
  connect(): void { log.push('connect:audit'); }
  disconnect(): void { log.push('disconnect:audit'); }
  record(e: string): void { this.events.push(e); }
}

function newBroker(): ServiceBroker {
  return new ServiceBroker({
    logger: false,
    nodeID: `unit-${Math.random().toString(36).slice(2, 8)}`,
    // The package's typings want every option; the defaults fill them in at run time.
    middlewares: [ChannelsMiddleware({ adapter: 'Fake' } as Parameters<typeof ChannelsMiddleware>[0]) as unknown as Middleware],
  });
}

function usersSchema(received: { channel?: unknown; event?: unknown }): ServiceSchema {
  return defineService({
    name: 'users',
    datasources: { user: UserDatasource, audit: AuditDatasource },
    methods: {
      auditCount(): number { return this.datasources.audit.events.length; },
    },
    actions: {
      get: {
        params: { id: 'string' },
        handler(ctx) { ctx.datasources.audit.record(`get:${ctx.params.id}`); return ctx.datasources.user.find(ctx.params.id); },
      },
      count() { return this.auditCount(); },
      whoami(ctx) { ctx.ensurePermission('users:read'); return ctx.meta.user?.id; },
      sameInstance(ctx) { return ctx.datasources.user === this.datasources.user; },
      async publishOrder(ctx) {
        const broker = this.broker as unknown as { sendToChannel(n: string, p: unknown, o: unknown): Promise<void> };
        await broker.sendToChannel('orders.created', ctx.params, { ctx });
      },
      unknownDatasource(ctx) { return (ctx.datasources as Record<string, unknown>).orders; },
    },
    events: {
      'user.created'(ctx) {
        received.event = { id: ctx.params.id, found: ctx.datasources.user.find(String(ctx.params.id)), admin: ctx.hasRole('admin') };
      },
    },
    channels: {
      'orders.created': {
        async handler(ctx) {
          received.channel = { found: ctx.datasources.user.find(String(ctx.params.userId)), tenant: ctx.meta.tenantId };
        },
      },
    },
    created() { log.push('svc:created'); },
    started() { log.push('svc:started'); },
    stopped() { log.push('svc:stopped'); },
  });
}

async function until(check: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('defineService: schema', () => {
  it('returns a Moleculer schema without SDK-only keys, with the SDK mixin last', () => {
    const schema = defineService({
      name: 'plain',
      version: 2,
      settings: { a: 1 },
      datasources: { user: UserDatasource },
      methods: { m(): number { return 1; } },
      memoize: { m: { ttl: 5 } },
      mixins: [{ methods: { fromMixin() { return 2; } } }],
      actions: { x: () => 1 },
    });
    expect(schema.name).toBe('plain');
    expect(schema.version).toBe(2);
    expect(schema.settings).toEqual({ a: 1 });
    expect(schema).not.toHaveProperty('datasources');
    expect(schema).not.toHaveProperty('memoize');
    expect(schema.mixins).toHaveLength(2);
    const sdk = schema.mixins![1];
    expect(typeof sdk.created).toBe('function');
    expect(typeof sdk.merged).toBe('function');
    expect(Object.keys(sdk.methods ?? {})).toEqual(['memoize', 'invalidateMemoized']);
  });

  it('drops keys given as undefined, which Moleculer cannot merge', async () => {
    const schema = defineService({ name: 'sparse', settings: undefined, methods: undefined, actions: { ok: () => 'ok' } });
    expect(Object.keys(schema).sort()).toEqual(['actions', 'mixins', 'name']);
    const broker = newBroker();
    broker.createService(schema);
    await broker.start();
    await expect(broker.call('sparse.ok')).resolves.toBe('ok');
    await broker.stop();
  });

  it('rejects a datasource that is not a constructor, naming it and the service', () => {
    const arrow = () => ({});
    expect(() => defineService({ name: 'bad', datasources: { user: arrow as never } })).toThrow(ConfigError);
    expect(() => defineService({ name: 'bad', datasources: { user: arrow as never } })).toThrow(/'bad'.*datasource 'user' is not a class/);
    expect(() => defineService({ name: 'bad', datasources: { cache: { get() { return 1; } } as never } })).toThrow(
      /datasource 'cache' is not a class or constructor \(got an object instance\)/,
    );
    expect(() => defineService({ name: 'bad', datasources: [] as never })).toThrow(/'datasources' must be an object/);
  });

  it('rejects a missing name, a reserved method name and bad memoize options', () => {
    expect(() => defineService({ name: '' })).toThrow(/'name' must be a non-empty string/);
    expect(() => defineService({ name: 's', methods: { memoize: () => 1 } as never })).toThrow(/method name 'memoize' is reserved/);
    expect(() => defineService({ name: 's', actions: { a: { memoize: { ttl: 0.5 }, handler: () => 1 } } })).toThrow(
      /Service 's', action 'a': memoize 'ttl' must be a whole number of seconds/,
    );
    expect(() => defineService({ name: 's', methods: { m: () => 1 }, memoize: { m: { ttl: -1 } } })).toThrow(/method 'm'/);
  });

  it('rejects, at service creation, a memoize entry for a method the service does not define', () => {
    const broker = newBroker();
    const schema = defineService({ name: 's', memoize: { ghost: { ttl: 5 } } as never });
    expect(() => broker.createService(schema)).toThrow(/'memoize' names method 'ghost'/);
  });
});

describe('defineService: datasources', () => {
  let broker: ServiceBroker;
  const received: { channel?: unknown; event?: unknown } = {};

  beforeEach(async () => {
    log.length = 0;
    broker = newBroker();
    broker.createService(usersSchema(received));
    await broker.start();
  });
  afterEach(async () => { await broker.stop(); });

  it('runs init on created and connect on started before the service hooks, disconnect after on stopped', async () => {
    expect(log).toEqual(['init:user', 'init:audit', 'svc:created', 'connect:user', 'connect:audit', 'svc:started']);
    log.length = 0;
    await broker.stop();
    expect(log).toEqual(['svc:stopped', 'disconnect:audit', 'disconnect:user']);
    broker = newBroker(); // for afterEach
  });

  it('gives actions ctx.datasources (the same instances as this.datasources) with a service handle', async () => {
    await expect(broker.call('users.get', { id: 'u1' })).resolves.toEqual({ id: 'u1', by: 'users' });
    await expect(broker.call('users.count')).resolves.toBe(1);
    await expect(broker.call('users.sameInstance')).resolves.toBe(true);
  });

  it('gives event handlers ctx.datasources and the permission helpers', async () => {
    await broker.emit('user.created', { id: 'u2' }, { meta: { user: { id: 'a', roles: ['admin'] } } });
    await until(() => received.event !== undefined);
    expect(received.event).toEqual({ id: 'u2', found: { id: 'u2', by: 'users' }, admin: true });
  });

  it('gives channel handlers a context with datasources and the sender meta (Fake adapter)', async () => {
    await broker.call('users.publishOrder', { userId: 'u3' }, { meta: { tenantId: 't1' } });
    await until(() => received.channel !== undefined);
    expect(received.channel).toEqual({ found: { id: 'u3', by: 'users' }, tenant: 't1' });
  });

  it('throws a ConfigError naming an unregistered datasource', async () => {
    await expect(broker.call('users.unknownDatasource')).rejects.toThrow(
      "Datasource 'orders' is not registered in service 'users' (registered: user, audit).",
    );
  });

  it('denies with a 403 ForbiddenError in actions', async () => {
    const err = await broker.call('users.whoami', {}, { meta: { user: { id: 'a', permissions: [] } } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForbiddenError);
    expect((err as ForbiddenError).code).toBe(403);
    await expect(broker.call('users.whoami', {}, { meta: { user: { id: 'a', permissions: ['*'] } } })).resolves.toBe('a');
  });

  it('gives each service instance its own datasource instances', async () => {
    const other = newBroker();
    const a = other.createService(defineService({ name: 'a', datasources: { user: UserDatasource } }));
    const b = other.createService(defineService({ name: 'b', datasources: { user: UserDatasource } }));
    await other.start();
    try {
      const da = (a as unknown as { datasources: { user: UserDatasource } }).datasources.user;
      const db = (b as unknown as { datasources: { user: UserDatasource } }).datasources.user;
      expect(da).not.toBe(db);
      expect(da.seenService).toBe('a');
      // Tooling probes (jest equality, JSON, await) do not trip the unknown-name guard.
      const view = (a as unknown as { datasources: Record<string, unknown> }).datasources;
      expect(view).toEqual({ user: da });
      expect(JSON.parse(JSON.stringify(view))).toEqual({ user: JSON.parse(JSON.stringify(da)) });
      await expect(Promise.resolve(view)).resolves.toBe(view);
      expect(() => { (view as Record<string, unknown>).user = null; }).toThrow(/read-only/);
      expect(db.seenService).toBe('b');
    } finally {
      await other.stop();
    }
  });
});

describe('defineService: datasource failures', () => {
  it('fails the start with a DatasourceError naming the datasource and service, and disconnects the others', async () => {
    const events: string[] = [];
    class Ok { connect() { events.push('ok:connect'); } disconnect() { events.push('ok:disconnect'); } }
    class Broken { async connect() { throw new Error('ECONNREFUSED 127.0.0.1:1'); } }
    const broker = newBroker();
    broker.createService(defineService({ name: 'orders', datasources: { ok: Ok, db: Broken } }));
    const err = await broker.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasourceError);
    expect((err as DatasourceError).message).toBe("Datasource 'db' of service 'orders' failed in connect: ECONNREFUSED 127.0.0.1:1");
    expect((err as DatasourceError).data).toEqual({ datasource: 'db', service: 'orders', hook: 'connect' });
    expect((err as Error & { cause?: unknown }).cause).toBeInstanceOf(Error);
    expect(events).toEqual(['ok:connect', 'ok:disconnect']);
    await broker.stop().catch(() => undefined);
  });

  it('fails service creation when a datasource init throws', () => {
    class BadInit { init() { throw new Error('no config'); } }
    const broker = newBroker();
    expect(() => broker.createService(defineService({ name: 'x', datasources: { cfg: BadInit } }))).toThrow(
      "Datasource 'cfg' of service 'x' failed in init: no config",
    );
  });

  it('awaits an async init before connect, and reports its failure at start', async () => {
    const order: string[] = [];
    class Slow {
      async init() { await new Promise((r) => setTimeout(r, 20)); order.push('init'); }
      connect() { order.push('connect'); }
    }
    class BadAsyncInit { async init() { throw new Error('late'); } }
    const ok = newBroker();
    ok.createService(defineService({ name: 'slow', datasources: { s: Slow } }));
    await ok.start();
    expect(order).toEqual(['init', 'connect']);
    await ok.stop();

    const bad = newBroker();
    bad.createService(defineService({ name: 'late', datasources: { s: BadAsyncInit } }));
    await expect(bad.start()).rejects.toThrow("Datasource 's' of service 'late' failed in init: late");
    await bad.stop().catch(() => undefined);
  });

  it('logs a failing disconnect and still disconnects the rest', async () => {
    const events: string[] = [];
    class A { disconnect() { events.push('a'); } }
    class B { disconnect() { throw new Error('boom'); } }
    const broker = newBroker();
    broker.createService(defineService({ name: 'd', datasources: { a: A, b: B } }));
    await broker.start();
    await broker.stop();
    expect(events).toEqual(['a']);
  });
});

describe('defineService: handlers', () => {
  it('passes the context to event handlers whatever the parameter is called, and to hooks', async () => {
    const seen: unknown[] = [];
    const broker = newBroker();
    broker.createService(defineService({
      name: 'h',
      datasources: { user: UserDatasource },
      hooks: { before: { act(c) { seen.push(['hook', typeof c.ensureRole, c.datasources.user instanceof UserDatasource]); } } },
      actions: { act: () => 'ok' },
      events: {
        // A one-letter parameter makes plain Moleculer pass the legacy (payload, sender, event) arguments.
        'e.one'(c) { seen.push(['event', c.params, typeof c.datasources.user.find]); },
        'e.two': { handler: [(c: { params: unknown }) => seen.push(['a', c.params]), (c: { params: unknown }) => seen.push(['b', c.params])] } as never,
      },
    }));
    await broker.start();
    try {
      await broker.call('h.act');
      await broker.emit('e.one', { x: 1 });
      await broker.emit('e.two', { y: 2 });
      await until(() => seen.length >= 4);
      expect(seen).toEqual([['hook', 'function', true], ['event', { x: 1 }, 'function'], ['a', { y: 2 }], ['b', { y: 2 }]]);
    } finally {
      await broker.stop();
    }
  });

  it('leaves channel handlers with context: false on (payload, raw), with this.datasources', async () => {
    let got: unknown;
    const broker = newBroker();
    broker.createService(defineService({
      name: 'raw',
      datasources: { user: UserDatasource },
      channels: {
        'raw.in': { context: false, handler(payload: unknown) { got = { payload, ds: this.datasources.user.find('z') }; } },
      },
    }));
    await broker.start();
    try {
      await (broker as unknown as { sendToChannel: (n: string, p: unknown) => Promise<void> }).sendToChannel('raw.in', { a: 1 });
      await until(() => got !== undefined);
      expect(got).toEqual({ payload: { a: 1 }, ds: { id: 'z', by: 'raw' } });
    } finally {
      await broker.stop();
    }
  });

  it('connects datasources before a plain mixin\'s started hook runs, and disconnects after its stopped', async () => {
    const order: string[] = [];
    class Db { connected = false; connect() { this.connected = true; order.push('connect'); } disconnect() { this.connected = false; order.push('disconnect'); } }
    const broker = newBroker();
    broker.createService(defineService({
      name: 'ordered',
      datasources: { db: Db },
      mixins: [{
        started(this: Service) { order.push(`mixin started, connected=${(this.datasources as { db: Db }).db.connected}`); },
        stopped(this: Service) { order.push(`mixin stopped, connected=${(this.datasources as { db: Db }).db.connected}`); },
      }],
    }));
    await broker.start();
    await broker.stop();
    expect(order).toEqual(['connect', 'mixin started, connected=true', 'mixin stopped, connected=true', 'disconnect']);
  });

  it('composes: a defineService schema used as a mixin of another keeps both registries', async () => {
    class A { name = 'a'; } class B { name = 'b'; }
    const base = defineService({ name: 'base', datasources: { a: A }, methods: { one(): number { return 1; } }, memoize: { one: { ttl: 5 } } });
    const broker = newBroker();
    broker.createService(defineService({
      name: 'composed',
      datasources: { b: B },
      mixins: [base],
      actions: { names(ctx) { return [(ctx.datasources as unknown as Record<string, { name: string }>).a.name, ctx.datasources.b.name]; } },
    }));
    await broker.start();
    try {
      await expect(broker.call('composed.names')).resolves.toEqual(['a', 'b']);
    } finally {
      await broker.stop();
    }
    const clash = newBroker();
    expect(() => clash.createService(defineService({ name: 'clash', datasources: { a: B }, mixins: [base] }))).toThrow(
      "Service 'clash': datasource 'a' is registered twice (by two mixins).",
    );
  });

  it('works with plain mixins: their handlers get the SDK context too', async () => {
    const broker = newBroker();
    broker.createService(defineService({
      name: 'mixed',
      datasources: { user: UserDatasource },
      mixins: [{ actions: { fromMixin(ctx: { datasources: { user: UserDatasource } }) { return ctx.datasources.user.find('m'); } } }],
    }));
    await broker.start();
    try {
      await expect(broker.call('mixed.fromMixin')).resolves.toEqual({ id: 'm', by: 'mixed' });
    } finally {
      await broker.stop();
    }
  });
});
