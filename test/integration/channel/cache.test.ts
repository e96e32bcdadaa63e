/** Unit tests — the memoized channel lookup. */
import { memoizeChannelLookup } from '../../../src/integration/channel/cache';
import type { IntegrationConfig } from '../../../src/types';

const ch = (o: Partial<IntegrationConfig> = {}): IntegrationConfig => ({ id: 'c', tenantId: 't', platform: 'p', credentials: {}, secrets: ['s'], settings: {}, status: 'active', ...o });

describe('memoizeChannelLookup', () => {
  it('shares concurrent misses, caches for ttl, does not cache failures, invalidates', async () => {
    let t = 0;
    let calls = 0;
    let fail = false;
    const lookup = memoizeChannelLookup(async () => { calls++; if (fail) throw new Error('x'); return ch(); }, 1000, 10, () => t);
    await Promise.all([lookup('c', null), lookup('c', null)]);
    expect(calls).toBe(1);
    t = 999; await lookup('c', null); expect(calls).toBe(1);
    t = 1000; await lookup('c', null); expect(calls).toBe(2);
    lookup.invalidate('c'); fail = true;
    await expect(lookup('c', null)).rejects.toThrow();
    fail = false; await lookup('c', null); expect(calls).toBe(4);
  });
});
