/** Step: end the claim on the idempotency key — remember a sent or ambiguous outcome for its TTL, free the key after a definite failure. */
import type { KeyValueStore } from '../../../store';
import { DONE, type RememberedOutcome } from './claim-key';

/** How a claimed send ended: remembered (sent, ambiguous), or failed for sure (nothing delivered: the key is freed for a retry). */
export type ClaimEnd = RememberedOutcome | { status: 'failed' };

/**
 * Ends the claim `pending` holds on `storeKey`. Never rejects: with the store down, the key stays
 * claimed until its claim TTL, so a retry inside that time waits and then gets 409 rather than sending again.
 */
export async function endClaim(store: KeyValueStore, storeKey: string, pending: string, ttlMs: number, end: ClaimEnd): Promise<void> {
  try {
    if (end.status === 'failed') {
      await store.deleteIfEquals(storeKey, pending);
      return;
    }
    const value = DONE + JSON.stringify(end);
    // The claim may have expired during a very long send: a sent message is remembered anyway.
    if (!(await store.replaceIfEquals(storeKey, pending, value, ttlMs)) && end.status === 'sent') await store.set(storeKey, value, ttlMs);
  } catch {
    // the store is down: see above
  }
}
