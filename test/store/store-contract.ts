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

    it('claimAndTakeTokens: one claimer of many wins and alone takes a token; the others see the value', async () => {
      const bucket = { key: 'claim-bucket', capacity: 100, refillPerSecond: 1 };
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.claimAndTakeTokens('ck', `owner-${i}`, 5_000, [bucket], 1_000_000)));
      const winners = results.filter((r) => r.claimed);
      expect(winners).toHaveLength(1);
      expect(winners[0]).toEqual({ claimed: true, token: { allowed: true, remaining: 99, retryAfterMs: 0 } });
      const winner = `owner-${results.indexOf(winners[0]!)}`;
      for (const r of results) if (!r.claimed) expect(r.current).toBe(winner);
      expect(await store.get('ck')).toBe(winner);
      expect(await store.ttl('ck')).toBeGreaterThan(4_000);
      // the losers took nothing: the next take finds 99 - 1
      expect(await store.takeTokens([bucket], 1_000_000)).toEqual({ allowed: true, remaining: 98, retryAfterMs: 0 });
    });

    it('claimAndTakeTokens: a claim over an empty bucket is kept and answers the wait, taking nothing; no bucket, no take', async () => {
      const buckets = [{ key: 'cb1', capacity: 5, refillPerSecond: 1 }, { key: 'cb2', capacity: 1, refillPerSecond: 2 }];
      expect(await store.takeTokens(buckets, 2_000_000)).toMatchObject({ allowed: true });
      const held = await store.claimAndTakeTokens('ck2', 'mine', 5_000, buckets, 2_000_000);
      expect(held).toEqual({ claimed: true, token: { allowed: false, remaining: 0, retryAfterMs: 500 } });
      expect(await store.get('ck2')).toBe('mine');
      // all or nothing: cb1 still has its 4 tokens
      expect(await store.takeTokens([buckets[0]!], 2_000_000)).toEqual({ allowed: true, remaining: 3, retryAfterMs: 0 });
      expect(await store.claimAndTakeTokens('ck3', 'v', 5_000, [])).toEqual({ claimed: true });
      expect(await store.claimAndTakeTokens('ck3', 'w', 5_000, [])).toEqual({ claimed: false, current: 'v' });
    });

    it('answers ping', async () => {
      expect(await store.ping()).toBe(true);
    });
  });
}
