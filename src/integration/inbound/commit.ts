/** Step 8: every message is stored — mark the event done for `doneTtlMs`, so the platform's retries are answered as duplicates. */
import type { KeyValueStore } from '../../store';
import { DONE_MARK, type HeldClaim } from './claim';

/**
 * Replaces this request's claim with the done mark. Resolves false (never throws) when that did not
 * happen — the messages are stored all the same, and a later retry is de-duplicated by the JetStream msg ids.
 */
export async function commitEvent(store: KeyValueStore, claim: HeldClaim, doneTtlMs: number): Promise<boolean> {
  try {
    return await store.replaceIfEquals(claim.key, claim.token, DONE_MARK, doneTtlMs);
  } catch {
    return false;
  }
}
