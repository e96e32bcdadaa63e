/**
 * The fan-out's subscription reads, shared: the events of one tenant and type that the fan-out takes up in the
 * same event-loop turn (a pulled batch arrives at once) wait for one `match` read, made at the next turn, instead
 * of one read each. The read starts after every event that joins it was taken up — so after each was stored —
 * and sees every subscription created before any of them was stored, as a read of its own would.
 * Joiners get the same array: read-only.
 */
import type { Subscription, SubscriptionLookup } from '../types';

type Pending = { resolve(subs: Subscription[]): void; reject(err: unknown): void; promise: Promise<Subscription[]> };

function pending(): Pending {
  let resolve!: Pending['resolve'];
  let reject!: Pending['reject'];
  const promise = new Promise<Subscription[]>((ok, fail) => { resolve = ok; reject = fail; });
  return { resolve, reject, promise };
}

/** `lookup` with its `match` reads shared per turn by (tenant, event type, includeDisabled); the rest as is. */
export function sharedMatches(lookup: SubscriptionLookup): SubscriptionLookup {
  const next = new Map<string, Pending>();
  return {
    get: (id) => lookup.get(id),
    signingSecrets: (id) => lookup.signingSecrets(id),
    disable: (id, reason) => lookup.disable(id, reason),
    match(tenantId, eventType, o = {}) {
      const key = `${tenantId}\0${eventType}\0${o.includeDisabled === true}`;
      let read = next.get(key);
      if (!read) {
        const p = pending();
        read = p;
        next.set(key, p);
        setImmediate(() => {
          next.delete(key);
          lookup.match(tenantId, eventType, o).then(p.resolve, p.reject);
        });
      }
      return read.promise;
    },
  };
}
