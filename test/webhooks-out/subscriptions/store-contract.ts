/** The behaviour of the subscription store, run over each KeyValueStore backend (memory, real Redis). */
import { SubscriptionStore, type SubscriptionChange, type SubscriptionStoreOptions } from '../../../src/webhooks-out/subscriptions';
import type { Subscription } from '../../../src/webhooks-out/types';
import type { KeyValueStore } from '../../../src/store';

/** A public address (IP literal: no DNS needed) a subscription may point at. */
export const PUBLIC_URL = 'https://93.184.215.14/hooks';

/** Counts the store operations a call makes, by name. */
function counting(store: KeyValueStore): { store: KeyValueStore; counts: Map<string, number>; reset(): void } {
  const counts = new Map<string, number>();
  const proxy = new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        counts.set(String(prop), (counts.get(String(prop)) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, counts, reset: () => counts.clear() };
}

export function subscriptionStoreContract(name: string, make: () => Promise<KeyValueStore>, dispose: (s: KeyValueStore) => Promise<void>) {
  describe(`subscription store on ${name}`, () => {
    let kv: KeyValueStore;
    let clock: number;
    let changes: Array<{ change: SubscriptionChange; subscription: Subscription }>;
    const open = (options: SubscriptionStoreOptions = {}) => new SubscriptionStore(kv, {
      now: () => clock, onChange: async (change, subscription) => { changes.push({ change, subscription }); }, ...options,
    });
    beforeEach(async () => {
      kv = await make();
      clock = Date.parse('2026-12-01T00:00:00.000Z');
      changes = [];
    });
    afterEach(async () => { await dispose(kv); });

    it('creates (secret generated, returned once), gets, lists by tenant; the record keeps the secret, no view shows it', async () => {
      const store = open();
      const { subscription, secret } = await store.create('acme', { url: PUBLIC_URL, events: ['message.received'], description: 'crm' });
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
      expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
      expect(subscription).toEqual({
        id: expect.stringMatching(/^sub_[0-9a-f]{24}$/), tenantId: 'acme', url: PUBLIC_URL, events: ['message.received'], description: 'crm',
        status: 'active', ordering: 'none', createdAt: '2026-12-01T00:00:00.000Z', updatedAt: '2026-12-01T00:00:00.000Z',
      });
      clock += 1000;
      const second = await store.create('acme', { url: PUBLIC_URL, events: ['*'], secret: `whsec_${Buffer.alloc(24, 7).toString('base64')}` });
      expect(second.secret).toBe(`whsec_${Buffer.alloc(24, 7).toString('base64')}`);
      await store.create('globex', { url: PUBLIC_URL, events: ['*'] });
      expect(await store.get(subscription.id)).toEqual(subscription);
      expect((await store.listByTenant('acme')).map((s) => s.id)).toEqual([subscription.id, second.subscription.id]);
      expect(await store.signingSecrets(subscription.id)).toEqual([secret]);
      expect((await store.getRecord(subscription.id))?.secrets).toEqual([{ value: secret, expiresAt: null }]);
      const views = JSON.stringify([await store.get(subscription.id), await store.listByTenant('acme'), await store.match('acme', 'message.received'), changes]);
      expect(views).not.toContain(secret);
      expect(views).not.toContain(second.secret);
      expect(views).not.toContain('secrets');
      expect(changes.map((c) => c.change)).toEqual(['created', 'created', 'created']);
    });

    it('matches by (tenant, event type) plus the tenant\'s `*` ones, active only, following updates and deletes', async () => {
      const store = open();
      const rec = (await store.create('acme', { url: PUBLIC_URL, events: ['message.received'] })).subscription;
      const both = (await store.create('acme', { url: PUBLIC_URL, events: ['message.received', 'message.sent'] })).subscription;
      const star = (await store.create('acme', { url: PUBLIC_URL, events: ['*'] })).subscription;
      const failed = (await store.create('acme', { url: PUBLIC_URL, events: ['message.failed'] })).subscription;
      await store.create('globex', { url: PUBLIC_URL, events: ['message.received', '*'] });
      const ids = async (tenant: string, type: string) => (await store.match(tenant, type)).map((s) => s.id).sort();
      expect(await ids('acme', 'message.received')).toEqual([rec.id, both.id, star.id].sort());
      expect(await ids('acme', 'message.sent')).toEqual([both.id, star.id].sort());
      expect(await ids('acme', 'message.failed')).toEqual([failed.id, star.id].sort());
      expect(await ids('acme', 'message.status')).toEqual([star.id]);
      expect(await ids('nobody', 'message.received')).toEqual([]);

      await store.disable(rec.id, 'manual');
      expect(await ids('acme', 'message.received')).toEqual([both.id, star.id].sort());
      expect((await store.match('acme', 'message.received', { includeDisabled: true })).map((s) => s.id).sort()).toEqual([rec.id, both.id, star.id].sort());
      await store.enable(rec.id);
      await store.update(both.id, { events: ['message.sent'] });
      expect(await ids('acme', 'message.received')).toEqual([rec.id, star.id].sort());
      expect(await ids('acme', 'message.sent')).toEqual([both.id, star.id].sort());
      await store.update(star.id, { events: ['message.status'] });
      expect(await ids('acme', 'message.received')).toEqual([rec.id]);
      expect(await ids('acme', 'message.status')).toEqual([star.id]);
      await store.delete(rec.id);
      expect(await ids('acme', 'message.received')).toEqual([]);
      // what the matched subscriptions look like: public views only
      expect(JSON.stringify(await store.match('acme', 'message.status'))).not.toContain('whsec_');
    });

    it('matching reads only the tenant\'s subscriptions of that type: the same reads with 5 or 500 others in the store', async () => {
      const measured = counting(kv);
      const store = new SubscriptionStore(measured.store, { now: () => clock, maxPerTenant: 1000 });
      const mine = (await store.create('acme', { url: PUBLIC_URL, events: ['message.sent'] })).subscription;
      const reads = async () => {
        measured.reset();
        const found = await store.match('acme', 'message.sent');
        expect(found.map((s) => s.id)).toEqual([mine.id]);
        return Object.fromEntries(measured.counts);
      };
      for (let i = 0; i < 5; i++) await store.create(`t${i}`, { url: PUBLIC_URL, events: ['message.sent'] });
      const few = await reads();
      for (let i = 0; i < 250; i++) await store.create(`t${i % 50}`, { url: PUBLIC_URL, events: ['message.sent', '*'] });
      for (let i = 0; i < 250; i++) await store.create('acme', { url: PUBLIC_URL, events: i % 2 ? ['message.received'] : ['message.failed'] });
      const many = await reads();
      expect(many).toEqual(few);
      expect(many).toEqual({ setMembers: 2, get: 1 });
    });

    it('refuses a create past the tenant\'s limit (400 SUBSCRIPTION_LIMIT), concurrent ones included; other tenants unaffected', async () => {
      const store = open({ maxPerTenant: 3 });
      const results = await Promise.allSettled(Array.from({ length: 8 }, () => store.create('acme', { url: PUBLIC_URL, events: ['*'] })));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
      const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(refused?.reason).toMatchObject({ code: 400, type: 'SUBSCRIPTION_LIMIT', message: expect.stringContaining('(3)') });
      expect(await store.listByTenant('acme')).toHaveLength(3);
      await expect(store.create('globex', { url: PUBLIC_URL, events: ['*'] })).resolves.toBeDefined();
      await store.delete((await store.listByTenant('acme'))[0]!.id);
      await expect(store.create('acme', { url: PUBLIC_URL, events: ['*'] })).resolves.toBeDefined();
    });

    it('rotates: the new secret at once, the previous ones signing for the grace period, then gone', async () => {
      const store = open();
      const { subscription, secret: first } = await store.create('acme', { url: PUBLIC_URL, events: ['*'] });
      clock += 5_000;
      const rotated = await store.rotateSecret(subscription.id, { graceSeconds: 60 });
      expect(rotated.secret).toMatch(/^whsec_/);
      expect(rotated.secret).not.toBe(first);
      expect(rotated.previousSecretsExpireAt).toBe(new Date(clock + 60_000).toISOString());
      expect(rotated.subscription).toMatchObject({ id: subscription.id, updatedAt: new Date(clock).toISOString() });
      expect(JSON.stringify(rotated.subscription)).not.toContain('whsec_');
      expect(await store.signingSecrets(subscription.id)).toEqual([rotated.secret, first]);
      clock += 59_999;
      expect(await store.signingSecrets(subscription.id)).toEqual([rotated.secret, first]);
      clock += 1;
      expect(await store.signingSecrets(subscription.id)).toEqual([rotated.secret]);
      // default grace: 24 h; graceSeconds 0 drops the previous at once
      const third = await store.rotateSecret(subscription.id);
      expect(third.previousSecretsExpireAt).toBe(new Date(clock + 86_400_000).toISOString());
      const given = `whsec_${Buffer.alloc(40, 3).toString('base64')}`;
      await store.rotateSecret(subscription.id, { secret: given, graceSeconds: 0 });
      expect(await store.signingSecrets(subscription.id)).toEqual([given]);
      await expect(store.rotateSecret(subscription.id, { graceSeconds: -1 })).rejects.toMatchObject({ code: 400, data: { field: 'graceSeconds' } });
      await expect(store.rotateSecret(subscription.id, { secret: 'plain-text-secret' })).rejects.toMatchObject({ code: 400, data: { field: 'secret' } });
      await expect(store.rotateSecret('sub_nope')).rejects.toMatchObject({ code: 404 });
      expect(changes.filter((c) => c.change === 'rotated')).toHaveLength(3);
    });

    it('disables with a reason (kept on repeats), enables clearing it, null for an unknown id; each change reported', async () => {
      const store = open();
      const { subscription } = await store.create('acme', { url: PUBLIC_URL, events: ['*'] });
      clock += 1000;
      const gone = await store.disable(subscription.id, 'gone');
      expect(gone).toMatchObject({ status: 'disabled', disabledReason: 'gone', updatedAt: new Date(clock).toISOString() });
      clock += 1000;
      expect(await store.disable(subscription.id, 'failing')).toEqual(gone);
      expect(await store.disable('sub_unknown', 'gone')).toBeNull();
      const enabled = await store.enable(subscription.id);
      expect(enabled.status).toBe('active');
      expect(enabled).not.toHaveProperty('disabledReason');
      expect(changes.map((c) => c.change)).toEqual(['created', 'disabled', 'disabled', 'enabled']);
      expect(changes[2]!.subscription).toEqual(gone); // same disabling, same updatedAt: a re-published notice keeps its id
      await expect(store.enable('sub_unknown')).rejects.toMatchObject({ code: 404 });
    });

    it('updates the given fields only; null removes filter and description; a new URL is checked like at creation', async () => {
      const store = open();
      const { subscription } = await store.create('acme', {
        url: PUBLIC_URL, events: ['message.received'], description: 'd', filter: { equals: { 'message.conversationId': 'c1' } }, ordering: 'conversation',
      });
      expect(subscription).toMatchObject({ ordering: 'conversation', filter: { equals: { 'message.conversationId': 'c1' } } });
      const updated = await store.update(subscription.id, { description: null, filter: null, url: 'http://93.184.215.15:8080/x' });
      expect(updated).toMatchObject({ url: 'http://93.184.215.15:8080/x', events: ['message.received'], ordering: 'conversation' });
      expect(updated).not.toHaveProperty('filter');
      expect(updated).not.toHaveProperty('description');
      await expect(store.update(subscription.id, { url: 'http://127.0.0.1:9/x' })).rejects.toMatchObject({ code: 400, type: 'UNSAFE_URL', message: expect.stringContaining('SWITCHBOARD_ALLOW_PRIVATE_URLS') });
      await expect(store.update(subscription.id, { secret: 'x' } as never)).rejects.toMatchObject({ code: 400, message: expect.stringContaining('rotate-secret') });
      await expect(store.update(subscription.id, { status: 'disabled' } as never)).rejects.toMatchObject({ code: 400 });
      await expect(store.update('sub_nope', { description: 'x' })).rejects.toMatchObject({ code: 404 });
      expect((await store.get(subscription.id))?.url).toBe('http://93.184.215.15:8080/x');
    });

    it('refuses internal URLs at creation (400 UNSAFE_URL naming SWITCHBOARD_ALLOW_PRIVATE_URLS), host names resolved; allows them when told', async () => {
      const store = open();
      for (const url of ['http://127.0.0.1/x', 'http://10.1.2.3/x', 'http://169.254.169.254/latest', 'http://[::ffff:127.0.0.1]/x', 'http://2130706433/x', 'http://0.0.0.0/x', 'http://localhost:8080/x', 'http://[::1]/x']) {
        await expect(store.create('acme', { url, events: ['*'] })).rejects.toMatchObject({ code: 400, type: 'UNSAFE_URL', message: expect.stringContaining('SWITCHBOARD_ALLOW_PRIVATE_URLS') });
      }
      const resolved = open({ urlPolicy: { resolve: async () => ['10.0.0.7'] } });
      // Refused, naming the variable, never telling the tenant what the name resolves to (issue 8.6).
      const refusal = await resolved.create('acme', { url: 'https://hooks.tenant.example/x', events: ['*'] }).then(() => null, (e: Error & { type?: string }) => e);
      expect(refusal).toMatchObject({ type: 'UNSAFE_URL', message: expect.stringContaining('SWITCHBOARD_ALLOW_PRIVATE_URLS') });
      expect(JSON.stringify({ message: refusal?.message, data: (refusal as { data?: unknown } | null)?.data })).not.toContain('10.0.0.7');
      expect(await store.listByTenant('acme')).toEqual([]);
      const allowed = open({ urlPolicy: { allowPrivateNetworks: true } });
      await expect(allowed.create('acme', { url: 'http://127.0.0.1:4000/x', events: ['*'] })).resolves.toMatchObject({ subscription: { url: 'http://127.0.0.1:4000/x' } });
      await expect(store.create('acme', { url: 'ftp://93.184.215.14/x', events: ['*'] })).rejects.toMatchObject({ code: 400, type: 'BAD_REQUEST', data: { field: 'url' } });
    });

    it('static subscriptions: written marked static, run-time status kept on a rewrite, an API id never taken over', async () => {
      const store = open();
      const secret = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
      const put = await store.putStatic({ id: 'crm', tenantId: 'acme', url: PUBLIC_URL, events: ['message.received'], secret });
      expect(put).toMatchObject({ id: 'crm', static: true, status: 'active' });
      expect(await store.signingSecrets('crm')).toEqual([secret]);
      await store.disable('crm', 'gone');
      clock += 1000;
      const again = await store.putStatic({ id: 'crm', tenantId: 'acme', url: PUBLIC_URL, events: ['message.sent'], secret });
      expect(again).toMatchObject({ status: 'disabled', disabledReason: 'gone', events: ['message.sent'], createdAt: put.createdAt });
      await store.enable('crm');
      expect((await store.match('acme', 'message.sent')).map((s) => s.id)).toEqual(['crm']);
      expect(await store.match('acme', 'message.received')).toEqual([]);
      expect(await store.staticIds()).toEqual(['crm']);
      const dynamic = (await store.create('acme', { url: PUBLIC_URL, events: ['*'] })).subscription;
      await expect(store.putStatic({ id: dynamic.id, tenantId: 'acme', url: PUBLIC_URL, events: ['*'], secret })).rejects.toMatchObject({ type: 'CONFIG_INVALID' });
    });

    it('keeps an index of disabled subscriptions and when each was disabled; an operator\'s disabling replaces an automatic reason; enableIfDisabled only undoes the disabling it saw', async () => {
      const store = open();
      const a = (await store.create('acme', { url: PUBLIC_URL, events: ['*'] })).subscription;
      const b = (await store.create('globex', { url: PUBLIC_URL, events: ['message.sent'] })).subscription;
      expect(await store.listDisabled()).toEqual([]);
      const failingAt = new Date(clock).toISOString();
      await store.disable(a.id, 'failing');
      clock += 1000;
      await store.disable(b.id, 'manual');
      const listed = await store.listDisabled();
      expect(listed.map((e) => [e.subscription.id, e.subscription.disabledReason, e.disabledAt])).toEqual(
        [[a.id, 'failing', failingAt], [b.id, 'manual', new Date(clock).toISOString()]].sort((x, y) => String(x[0]).localeCompare(String(y[0]))));
      // the public view does not carry the store's disabledAt
      expect(await store.get(a.id)).not.toHaveProperty('disabledAt');
      // an automatic reason never replaces another; an operator's does (the probe then leaves it), the time kept
      await store.disable(a.id, 'gone');
      expect(await store.get(a.id)).toMatchObject({ disabledReason: 'failing' });
      clock += 1000;
      expect(await store.disable(a.id, 'manual')).toMatchObject({ status: 'disabled', disabledReason: 'manual' });
      expect((await store.listDisabled()).find((e) => e.subscription.id === a.id)?.disabledAt).toBe(failingAt);
      expect(await store.enableIfDisabled(a.id, { reasons: ['failing'], disabledAt: failingAt })).toBeNull();
      expect(await store.get(a.id)).toMatchObject({ status: 'disabled' });
      // enabled by hand: out of the index; disabled again: a new time, and an older expectation no longer holds
      await store.enable(a.id);
      expect((await store.listDisabled()).map((e) => e.subscription.id)).toEqual([b.id]);
      clock += 1000;
      await store.disable(a.id, 'failing');
      const again = (await store.listDisabled()).find((e) => e.subscription.id === a.id)!;
      expect(again.disabledAt).toBe(new Date(clock).toISOString());
      expect(await store.enableIfDisabled(a.id, { reasons: ['failing'], disabledAt: failingAt })).toBeNull();
      expect(await store.enableIfDisabled(a.id, { reasons: ['gone'], disabledAt: again.disabledAt })).toBeNull();
      changes.length = 0;
      const enabled = await store.enableIfDisabled(a.id, { reasons: ['failing', 'gone'], disabledAt: again.disabledAt });
      expect(enabled).toMatchObject({ id: a.id, status: 'active' });
      expect(enabled).not.toHaveProperty('disabledReason');
      expect(changes.map((c) => c.change)).toEqual(['enabled']);
      expect((await store.match('acme', 'message.received')).map((s) => s.id)).toEqual([a.id]);
      expect((await store.listDisabled()).map((e) => e.subscription.id)).toEqual([b.id]);
      await store.delete(b.id);
      expect(await store.listDisabled()).toEqual([]);
    });
  });
}
