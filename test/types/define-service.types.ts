/** Compile-only: `defineService` infers `ctx.datasources`, `ctx.params` and `this` without user-written types. */
import { defineService } from '../../src/index';
import { Datasource } from '../../src/entries/service';

class UserDatasource extends Datasource {
  async find(id: string): Promise<{ id: string; name: string }> {
    return { id, name: 'n' };
  }
}
class AuditDatasource {
  record(event: string): void {
    void event;
  }
}

export const schema = defineService({
  name: 'users',
  settings: { pageSize: 20 },
  datasources: { user: UserDatasource, audit: AuditDatasource },
  methods: {
    label(id: string): string {
      this.datasources.audit.record(id);
      // @ts-expect-error no such datasource
      void this.datasources.orders;
      return `user:${id}`;
    },
    async lookup(id: string): Promise<{ id: string; name: string }> {
      return this.memoize(`u:${id}`, () => this.datasources.user.find(id), { ttl: 5 });
    },
  },
  memoize: {
    lookup: { ttl: 10, key: (id) => id },
  },
  actions: {
    get: {
      params: {
        id: 'string',
        limit: { type: 'number', optional: true },
        tags: { type: 'array', items: 'string' },
        kind: { type: 'enum', values: ['a', 'b'] },
        note: 'string|optional',
        nested: { type: 'object', props: { flag: 'boolean' } },
      },
      rest: 'GET /users/:id',
      async handler(ctx) {
        const id: string = ctx.params.id;
        const limit: number | undefined = ctx.params.limit;
        const tags: string[] = ctx.params.tags;
        const kind: 'a' | 'b' = ctx.params.kind;
        const note: string | undefined = ctx.params.note;
        const flag: boolean = ctx.params.nested.flag;
        // @ts-expect-error id is a string, not a number
        const wrongId: number = ctx.params.id;
        // @ts-expect-error limit is optional
        const wrongLimit: number = ctx.params.limit;
        // @ts-expect-error not in the params schema
        void ctx.params.missing;

        const user = await ctx.datasources.user.find(id);
        const name: string = user.name;
        // @ts-expect-error find takes a string
        await ctx.datasources.user.find(1);
        // @ts-expect-error no such datasource
        void ctx.datasources.nope;
        ctx.datasources.audit.record('get');

        ctx.ensurePermission('users:read');
        const admin: boolean = ctx.hasRole('admin');
        const tenant: string | undefined = ctx.meta.tenantId;
        this.datasources.audit.record('x');
        const size: number = this.settings.pageSize;
        return { id, limit, tags, kind, note, flag, wrongId, wrongLimit, name, admin, tenant, size };
      },
    },
    cached: {
      params: { id: 'string' },
      memoize: { ttl: 30, key: (ctx) => ctx.params.id },
      handler(ctx) {
        return this.label(ctx.params.id);
      },
    },
    bare(ctx) {
      const p: Record<string, unknown> = ctx.params;
      return ctx.datasources.user.find(String(p.id));
    },
  },
  events: {
    'user.created': {
      params: { id: 'string' },
      handler(ctx) {
        const id: string = ctx.params.id;
        // @ts-expect-error no such datasource
        void ctx.datasources.orders;
        ctx.datasources.audit.record(id);
      },
    },
    'user.removed'(ctx) {
      ctx.datasources.audit.record(String(ctx.params.id));
    },
  },
  channels: {
    'orders.created': {
      group: 'users',
      maxRetries: 3,
      async handler(ctx) {
        await ctx.datasources.user.find(String(ctx.params.userId));
        // @ts-expect-error no such datasource
        void ctx.datasources.orders;
      },
    },
    'orders.raw': {
      context: false,
      handler(payload: unknown) {
        const p: unknown = payload;
        return p;
      },
    },
  },
  async started() {
    const l: string = this.label('a');
    const u: Promise<{ id: string; name: string }> = this.lookup('b');
    // @ts-expect-error label takes a string
    this.label(1);
    await this.invalidateMemoized('lookup:*');
    void l;
    void u;
  },
});

// Wrong `memoize:` entries are errors (kept apart: an error there stops inference of the whole config).
defineService({
  name: 'memo-wrong-args',
  methods: {
    label(id: string): string {
      return id;
    },
  },
  memoize: {
    // @ts-expect-error label takes a string, not a number
    label: { key: (id: number) => String(id) },
  },
});
defineService({
  name: 'memo-unknown-method',
  methods: {
    label(id: string): string {
      return id;
    },
  },
  memoize: {
    // @ts-expect-error not a method of the service
    nope: { ttl: 1 },
  },
});
// @ts-expect-error a datasource must be a class
defineService({ name: 'bad-ds', datasources: { user: { find: () => null } } });
// @ts-expect-error name is required
defineService({ actions: {} });
