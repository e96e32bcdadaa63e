/**
 * Step 5: claim the event id in the store — done → duplicate, held by a request in flight → 409, partly
 * stored by an earlier delivery → claimed, resuming after what is stored. Store down → 503.
 *
 * The key's value: `pending:<uuid>` (a request in flight, `claimTtlMs`), `partial:<n>` (messages 0..n-1
 * stored, none in flight, `doneTtlMs`), `unsure:<n>:<ms>` (messages 0..n-1 stored, message n's publish
 * unconfirmed — it may have been stored — at epoch `<ms>`, `doneTtlMs`) or `done` (every message stored, `doneTtlMs`).
 */
import { randomUUID } from 'node:crypto';
import { ConflictError, UnavailableError } from '../../errors';
import type { KeyValueStore } from '../../store';

/** The value of a claim key once its messages are all stored. */
export const DONE_MARK = 'done';

const PARTIAL = 'partial:';
const UNSURE = 'unsure:';

/** The value of a claim key whose first `stored` messages are stored and that no request holds. */
export function partialMark(stored: number): string {
  return `${PARTIAL}${stored}`;
}

/** The value of a claim key whose message `index` was published without a confirmation at epoch ms `since`. */
export function unsureMark(index: number, since: number): string {
  return `${UNSURE}${index}:${since}`;
}

const isCount = (n: number) => Number.isSafeInteger(n) && n >= 0;

/** What a `partial:<n>` or `unsure:<n>:<ms>` value says; undefined for any other value. */
function progressIn(value: string): { from: number; unsure?: UnsurePublish } | undefined {
  if (value.startsWith(PARTIAL)) {
    const n = Number(value.slice(PARTIAL.length));
    return isCount(n) ? { from: n } : undefined;
  }
  if (!value.startsWith(UNSURE)) return undefined;
  const [index, since] = value.slice(UNSURE.length).split(':').map(Number) as [number, number];
  return isCount(index) && isCount(since) ? { from: index, unsure: { index, since } } : undefined;
}

/** A publish that got no answer (`PublishError.data.maybeStored`): the message may be stored, from `since` (epoch ms) on. */
export interface UnsurePublish {
  index: number;
  since: number;
}

/** What a failed delivery leaves for the next: messages `0..stored-1` stored, and maybe an unconfirmed one. */
export interface ClaimProgress {
  stored: number;
  unsure?: UnsurePublish;
}

/** A claim this request holds: give it up on failure, commit it on success. */
export interface HeldClaim {
  key: string;
  token: string;
  /** Messages stored by earlier deliveries of the event: publishing resumes at this index. */
  from: number;
  /** An earlier delivery's publish of message `from` got no answer: look it up before publishing it again. */
  unsure?: UnsurePublish;
}

export type ClaimOutcome = { state: 'claimed'; claim: HeldClaim } | { state: 'done' };

/**
 * The store key of an event: `inbound:<integration>:<tenantId>:<channelId>:<eventId>`. The tenant keeps
 * a channel id reused by another tenant apart from the deleted channel's events; `encodeURIComponent`
 * keeps a `:` in an id from shifting the parts (registry ids are unchanged by it).
 */
export function claimKey(integration: string, tenantId: string, channelId: string, eventId: string): string {
  return `inbound:${integration}:${encodeURIComponent(tenantId)}:${encodeURIComponent(channelId)}:${eventId}`;
}

function unavailable(err: unknown): UnavailableError {
  return new UnavailableError('the de-duplication store is unavailable; retry later', { dependency: 'store' }, err);
}

/**
 * Claims `key` for this request for `claimTtlMs`. Resolves `claimed` (go on, from `claim.from`) or `done`
 * (a duplicate, answer 200); throws `ConflictError` (409) while another request holds it,
 * `UnavailableError` (503) when the store fails. Of concurrent claimers of a partial event, one wins.
 */
export async function claimEvent(store: KeyValueStore, key: string, claimTtlMs: number): Promise<ClaimOutcome> {
  const token = `pending:${randomUUID()}`;
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await store.setIfAbsent(key, token, claimTtlMs)) return { state: 'claimed', claim: { key, token, from: 0 } };
      const current = await store.get(key);
      if (current === null) continue; // the other claim expired or was released between the two calls
      if (current === DONE_MARK) return { state: 'done' };
      const found = progressIn(current);
      if (found === undefined) break; // held by a request in flight
      if (await store.replaceIfEquals(key, current, token, claimTtlMs)) return { state: 'claimed', claim: { key, token, ...found } };
      // another delivery resumed it first: look again (it is in flight now → 409)
    }
  } catch (err) {
    throw unavailable(err);
  }
  throw new ConflictError('this event is being processed by another request; retry later', { retryAfterSeconds: 1 });
}

/**
 * Gives the claim up after a failure, so the platform's retry can claim it again. With an unconfirmed
 * publish, the key becomes `unsure:<index>:<since>` for `doneTtlMs` (the retry looks that message up in
 * the stream before publishing it again, however late it comes); else with `stored` > 0 messages stored
 * (counting earlier deliveries), `partial:<stored>` for `doneTtlMs`, so the retry publishes only the
 * rest; with none, the key is deleted. Only while this request still holds it. Never throws: if the
 * store fails, the claim expires after its TTL.
 */
export async function releaseClaim(store: KeyValueStore, claim: HeldClaim, progress: number | ClaimProgress, doneTtlMs: number): Promise<boolean> {
  const { stored, unsure } = typeof progress === 'number' ? { stored: progress, unsure: undefined } : progress;
  try {
    if (unsure) return await store.replaceIfEquals(claim.key, claim.token, unsureMark(unsure.index, unsure.since), doneTtlMs);
    if (stored > 0) return await store.replaceIfEquals(claim.key, claim.token, partialMark(stored), doneTtlMs);
    return await store.deleteIfEquals(claim.key, claim.token);
  } catch {
    return false;
  }
}
