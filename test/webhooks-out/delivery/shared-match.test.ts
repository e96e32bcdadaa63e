/** sharedMatches: the fan-out's match reads of one turn shared per (tenant, type, includeDisabled); a read never starts before a joiner asked. */
import { sharedMatches } from '../../../src/webhooks-out/delivery/shared-match';
import type { Subscription, SubscriptionLookup } from '../../../src/webhooks-out/types';

const sub = (id: string) => ({ id, tenantId: 't', url: 'https://example.com', events: ['*'], status: 'active' }) as unknown as Subscription;

function counting(store: Map<string, Subscription[]>) {
  const reads: string[] = [];
  const lookup: SubscriptionLookup = {
    match: async (tenantId, eventType, o) => { reads.push(`${tenantId}/${eventType}/${o?.includeDisabled === true}`); return store.get(tenantId) ?? []; },
    get: async () => null, signingSecrets: async () => [], disable: async () => null,
  };
  return { lookup, reads };
}

describe('sharedMatches', () => {
  it('the matches of one turn share one read; each key reads on its own', async () => {
    const store = new Map([['t', [sub('a')]], ['u', [sub('b')]]]);
    const { lookup, reads } = counting(store);
    const shared = sharedMatches(lookup);
    const results = await Promise.all([
      shared.match('t', 'message.received', { includeDisabled: true }),
      shared.match('t', 'message.received', { includeDisabled: true }),
      shared.match('t', 'message.received', { includeDisabled: true }),
      shared.match('u', 'message.received', { includeDisabled: true }),
      shared.match('t', 'message.sent', { includeDisabled: true }),
      shared.match('t', 'message.received'),
    ]);
    expect(reads.sort()).toEqual(['t/message.received/false', 't/message.received/true', 't/message.sent/true', 'u/message.received/true']);
    expect(results.map((r) => r.map((s) => s.id))).toEqual([['a'], ['a'], ['a'], ['b'], ['a'], ['a']]);
  });

  it('a match asked after a read started gets a read of its own: a subscription added meanwhile is seen', async () => {
    const store = new Map([['t', [sub('a')]]]);
    const { lookup, reads } = counting(store);
    const shared = sharedMatches(lookup);
    const first = await shared.match('t', 'x');
    store.set('t', [sub('a'), sub('new')]);
    const second = await shared.match('t', 'x');
    expect(first.map((s) => s.id)).toEqual(['a']);
    expect(second.map((s) => s.id)).toEqual(['a', 'new']);
    expect(reads).toHaveLength(2);
  });

  it('a failed read rejects every joiner; the next turn reads again', async () => {
    let fail = true;
    const lookup: SubscriptionLookup = {
      match: async () => { if (fail) throw new Error('store down'); return [sub('a')]; },
      get: async () => null, signingSecrets: async () => [], disable: async () => null,
    };
    const shared = sharedMatches(lookup);
    const outcomes = await Promise.allSettled([shared.match('t', 'x'), shared.match('t', 'x')]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect((await shared.match('t', 'x')).map((s) => s.id)).toEqual(['a']);
  });
});
