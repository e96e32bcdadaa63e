/**
 * Step: claim the idempotency key — one send per key within its TTL, also under concurrency and across
 * nodes — taking the send's first rate-limit token in the same store round trip.
 */
import { randomUUID } from 'node:crypto';
import { AmbiguousSendError, ConflictError } from '../../../errors';
import type { KeyValueStore, TokenBucket, TokenBucketResult } from '../../../store';
import type { SentMessage } from './pipeline';

/** What a key remembers: the platform's answer, or that the send's outcome is unknown (ambiguous). */
export type RememberedOutcome =
  | ({ status: 'sent' } & SentMessage)
  | { status: 'ambiguous'; message: string; attempts: number };

export interface IdempotencyOptions {
  /** How long the first result is remembered, in ms. */
  ttlMs: number;
  /** How long a send in flight holds the key, in ms. */
  claimTtlMs: number;
  /** How long a concurrent call waits for the first result, in ms, before 409. */
  waitMs: number;
  /** Poll interval while waiting, in ms. Default 25. */
  pollMs?: number;
}

/** A key held by a send in flight: `pending:<uuid>`; by a finished one: `done:<RememberedOutcome as JSON>`. */
export const PENDING = 'pending:';
export const DONE = 'done:';

/** The key is ours (`pending` is what holds it; `token`, the take from the buckets given), or it holds a finished send's outcome. */
export type Claim =
  | { status: 'claimed'; pending: string; token?: TokenBucketResult }
  | { status: 'duplicate'; outcome: RememberedOutcome };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Claims `storeKey` for this send and, with the claim, takes a token from every bucket (the take's
 * result is returned; a refused take keeps the claim, for the rate-limit step to wait on). A key held by
 * a finished send answers its outcome; one held by a send in flight is polled (each poll is one more
 * claim) until it is finished or released, or `waitMs` passes: then `ConflictError` (409).
 */
export async function claimKey(store: KeyValueStore, storeKey: string, key: string, options: IdempotencyOptions, buckets: TokenBucket[] = []): Promise<Claim> {
  const deadline = Date.now() + options.waitMs;
  const pollMs = options.pollMs ?? 25;
  for (;;) {
    const pending = PENDING + randomUUID();
    const found = await store.claimAndTakeTokens(storeKey, pending, options.claimTtlMs, buckets);
    if (found.claimed) return found.token ? { status: 'claimed', pending, token: found.token } : { status: 'claimed', pending };
    if (found.current?.startsWith(DONE)) return { status: 'duplicate', outcome: JSON.parse(found.current.slice(DONE.length)) as RememberedOutcome };
    if (found.current === null) continue; // released (or expired) between our claim and read: claim again
    if (Date.now() + pollMs > deadline) {
      throw new ConflictError(`a send with idempotency key "${key}" is still in progress; retry later`, { idempotencyKey: key });
    }
    await sleep(pollMs);
  }
}

/** A remembered outcome as a duplicate's answer: the first send's message, or `AmbiguousSendError` (it is not resent). */
export function replay(outcome: RememberedOutcome, key: string): SentMessage {
  if (outcome.status === 'sent') return outcome.metadata === undefined
    ? { messageId: outcome.messageId, attempts: outcome.attempts }
    : { messageId: outcome.messageId, metadata: outcome.metadata, attempts: outcome.attempts };
  throw new AmbiguousSendError(`an earlier send with idempotency key "${key}" ended ambiguously (${outcome.message}); it is not resent`, { attempts: outcome.attempts, replayed: true });
}
