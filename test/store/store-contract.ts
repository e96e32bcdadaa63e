/** The behaviour every KeyValueStore must have; run against each backend. */
import type { KeyValueStore } from '../../src/store';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function storeContract(name: string, make: () => Promise<KeyValueStore>, dispose: (s: KeyValueStore) => Promise<void>) {
  describe(`${name} store`, () => {
    let store: KeyValueStore;
    beforeEach(async () => { store = await make(); });
    afterEach(async () => { await dispose(store); });

    it('sets, gets and expires values', async () => {
      await store.set('a', '1', 80);
      expect(await store.get('a')).toBe('1');
      expect(await store.ttl('a')).toBeGreaterThan(0);
      await sleep(120);
      expect(await store.get('a')).toBeNull();
      expect(await store.ttl('a')).toBe(-2);
    });

    it('setIfAbsent lets exactly one of many concurrent claimers win', async () => {
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => store.setIfAbsent('claim', `owner-${i}`, 5_000)));
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      expect(await store.get('claim')).toBe(`owner-${winner}`);
    });

    it('replaceIfEquals and deleteIfEquals only act for the current owner', async () => {
      await store.set('k', 'mine', 5_000);
      expect(await store.replaceIfEquals('k', 'theirs', 'x', 5_000)).toBe(false);
      expect(await store.get('k')).toBe('mine');
      expect(await store.replaceIfEquals('k', 'mine', 'done', 5_000)).toBe(true);
      expect(await store.get('k')).toBe('done');
      expect(await store.deleteIfEquals('k', 'mine')).toBe(false);
      expect(await store.deleteIfEquals('k', 'done')).toBe(true);
      expect(await store.get('k')).toBeNull();
    });

    it('keeps sets', async () => {
      await store.addToSet('s', 'a');
      await store.addToSet('s', 'b');
      await store.addToSet('s', 'a');
      expect((await store.setMembers('s')).sort()).toEqual(['a', 'b']);
      await store.removeFromSet('s', 'a');
      expect(await store.setMembers('s')).toEqual(['b']);
    });

    it('token bucket allows the burst, then refuses with a wait, then refills', async () => {
      const opts = { capacity: 3, refillPerSecond: 20 };
      const first = await Promise.all([1, 2, 3].map(() => store.takeToken('bucket', opts)));
      expect(first.every((r) => r.allowed)).toBe(true);
      const refused = await store.takeToken('bucket', opts);
      expect(refused.allowed).toBe(false);
      expect(refused.retryAfterMs).toBeGreaterThan(0);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(50);
      await sleep(refused.retryAfterMs + 20);
      expect((await store.takeToken('bucket', opts)).allowed).toBe(true);
    });

    it('answers ping', async () => {
      expect(await store.ping()).toBe(true);
    });
  });
}
