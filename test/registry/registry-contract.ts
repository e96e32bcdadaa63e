/** The behaviour of the channel registry, run over each store backend. */
import { ChannelRegistry, type ChannelInput } from '../../src/registry';
import type { KeyValueStore } from '../../src/store';

const channel = (over: Partial<ChannelInput> = {}): ChannelInput => ({
  id: 'ch-1', tenantId: 'acme', platform: 'telegram',
  credentials: { token: 'BOT-TOKEN-SECRET' }, secrets: ['whsec_first'], settings: { outboundUrl: 'http://x' }, ...over,
});

export function registryContract(name: string, make: () => Promise<KeyValueStore>, dispose: (s: KeyValueStore) => Promise<void>) {
  describe(`channel registry on ${name}`, () => {
    let store: KeyValueStore;
    let clock: number;
    let registry: ChannelRegistry;
    beforeEach(async () => {
      store = await make();
      clock = 1_700_000_000_000;
      registry = new ChannelRegistry(store, { now: () => clock });
    });
    afterEach(async () => { await dispose(store); });

    it('creates, gets, lists by tenant, updates, disables and deletes', async () => {
      const created = await registry.create(channel());
      expect(created).toMatchObject({ id: 'ch-1', tenantId: 'acme', status: 'active', credentialKeys: ['token'], secrets: [{ expiresAt: null }] });
      await registry.create(channel({ id: 'ch-2' }));
      await registry.create(channel({ id: 'other', tenantId: 'globex' }));
      expect((await registry.listByTenant('acme')).map((c) => c.id)).toEqual(['ch-1', 'ch-2']);
      expect((await registry.listByTenant('globex')).map((c) => c.id)).toEqual(['other']);
      expect(await registry.get('ch-1')).toEqual({
        id: 'ch-1', tenantId: 'acme', platform: 'telegram', credentials: { token: 'BOT-TOKEN-SECRET' },
        secrets: ['whsec_first'], settings: { outboundUrl: 'http://x' }, status: 'active',
      });
      clock += 1000;
      const updated = await registry.update('ch-1', { settings: { outboundUrl: 'http://y' } });
      expect(updated.settings).toEqual({ outboundUrl: 'http://y' });
      expect(updated.updatedAt).toBe(clock);
      expect((await registry.disable('ch-1')).status).toBe('disabled');
      expect((await registry.get('ch-1'))?.status).toBe('disabled');
      expect((await registry.enable('ch-1')).status).toBe('active');
      expect(await registry.delete('ch-1')).toBe(true);
      expect(await registry.delete('ch-1')).toBe(false);
      expect(await registry.get('ch-1')).toBeNull();
      expect((await registry.listByTenant('acme')).map((c) => c.id)).toEqual(['ch-2']);
    });

    it('rejects a duplicate id (409), an unknown id (404) and bad input (400)', async () => {
      await registry.create(channel());
      await expect(registry.create(channel())).rejects.toMatchObject({ code: 409 });
      await expect(registry.update('nope', { status: 'disabled' })).rejects.toMatchObject({ code: 404 });
      await expect(registry.create(channel({ id: 'bad id!' }))).rejects.toMatchObject({ code: 400, data: { field: 'id' } });
      await expect(registry.update('ch-1', { secrets: ['x'] } as never)).rejects.toMatchObject({ code: 400, message: expect.stringContaining('rotation') });
      await expect(registry.update('ch-1', { tenantId: 'globex' } as never)).rejects.toMatchObject({ code: 400 });
    });

    it('never shows credential or secret values in redacted views', async () => {
      await registry.create(channel());
      const views = [await registry.getRedacted('ch-1'), ...(await registry.listByTenant('acme')), ...(await registry.list())];
      const text = JSON.stringify(views);
      expect(text).not.toContain('BOT-TOKEN-SECRET');
      expect(text).not.toContain('whsec_first');
    });

    it('rotates a secret: new one at once, old one accepted for the grace period, then gone', async () => {
      await registry.create(channel());
      const { secret, previousExpireAt } = await registry.rotateSecret('ch-1', { graceSeconds: 60 });
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/); // a Telegram channel: generated in Telegram's secret_token alphabet
      expect(previousExpireAt).toBe(clock + 60_000);
      expect((await registry.get('ch-1'))?.secrets).toEqual([secret, 'whsec_first']);
      clock += 59_999;
      expect((await registry.get('ch-1'))?.secrets).toEqual([secret, 'whsec_first']);
      clock += 1;
      expect((await registry.get('ch-1'))?.secrets).toEqual([secret]);
      expect((await registry.getRedacted('ch-1'))?.secrets).toEqual([{ expiresAt: null }]);
      // the expired secret is pruned on the next write
      await registry.update('ch-1', { status: 'active' });
      expect(JSON.stringify(await registry.getRecord('ch-1'))).not.toContain('whsec_first');
    });

    it('a second rotation inside the grace period shortens nothing it should not, and graceSeconds 0 drops the old at once', async () => {
      await registry.create(channel());
      const first = await registry.rotateSecret('ch-1', { secret: 'second', graceSeconds: 100 });
      clock += 10_000;
      await registry.rotateSecret('ch-1', { secret: 'third', graceSeconds: 50 });
      expect((await registry.get('ch-1'))?.secrets).toEqual(['third', 'second', 'whsec_first']);
      clock = first.previousExpireAt - 10_000 + 50_000; // both old ones now past the second rotation's grace
      expect((await registry.get('ch-1'))?.secrets).toEqual(['third']);
      await registry.rotateSecret('ch-1', { secret: 'fourth', graceSeconds: 0 });
      expect((await registry.get('ch-1'))?.secrets).toEqual(['fourth']);
      await expect(registry.rotateSecret('ch-1', { graceSeconds: -1 })).rejects.toMatchObject({ code: 400 });
      await expect(registry.rotateSecret('nope')).rejects.toMatchObject({ code: 404 });
    });

    it('concurrent rotations lose none of the secrets (the per-channel lock)', async () => {
      await registry.create(channel({ secrets: [] }));
      await Promise.all(Array.from({ length: 10 }, (_, i) => registry.rotateSecret('ch-1', { secret: `s${i}`, graceSeconds: 3600 })));
      expect((await registry.get('ch-1'))?.secrets.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `s${i}`).sort());
    });
  });
}
