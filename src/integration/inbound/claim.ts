/** Step 5: claim the event id in the store (SET NX, short TTL) — done → duplicate, held by a request in flight → 409. Store down → 503. */
import { randomUUID } from 'node:crypto';
import { ConflictError, UnavailableError } from '../../errors';
import type { KeyValueStore } from '../../store';

/** The value of a claim key once its messages are all stored. */
export const DONE_MARK = 'done';

/** A claim this request holds: release it on failure, commit it on success. */
export interface HeldClaim {
  key: string;
  token: string;
}

export type ClaimOutcome = { state: 'claimed'; claim: HeldClaim } | { state: 'done' };

/** The store key of an event: `inbound:<integration>:<channelId>:<eventId>`. */
export function claimKey(integration: string, channelId: string, eventId: string): string {
  return `inbound:${integration}:${channelId}:${eventId}`;
}

function unavailable(err: unknown): UnavailableError {
  return new UnavailableError('the de-duplication store is unavailable; retry later', { dependency: 'store' }, err);
}

/**
 * Claims `key` for this request. Resolves `claimed` (go on) or `done` (a duplicate, answer 200);
 * throws `ConflictError` (409) while another request holds it, `UnavailableError` (503) when the store fails.
 */
export async function claimEvent(store: KeyValueStore, key: string, claimTtlMs: number): Promise<ClaimOutcome> {
  const token = `pending:${randomUUID()}`;
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      if (await store.setIfAbsent(key, token, claimTtlMs)) return { state: 'claimed', claim: { key, token } };
      const current = await store.get(key);
      if (current === DONE_MARK) return { state: 'done' };
      if (current !== null) break; // held by a request in flight
      // the other claim expired or was released between the two calls: try once more
    }
  } catch (err) {
    throw unavailable(err);
  }
  throw new ConflictError('this event is being processed by another request; retry later', { retryAfterSeconds: 1 });
}

/** Releases a claim after a failure, so the platform's retry can claim it again. Never throws (the TTL frees it anyway). */
export async function releaseClaim(store: KeyValueStore, claim: HeldClaim): Promise<boolean> {
  try {
    return await store.deleteIfEquals(claim.key, claim.token);
  } catch {
    return false;
  }
}
