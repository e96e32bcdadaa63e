/** Step: the idempotency key — one send per key within its TTL, also under concurrency and across nodes; later calls get the first result. */
import { randomUUID } from 'node:crypto';
import { AmbiguousSendError, ConflictError, ERROR_TYPES, isErrorType } from '../../errors';
import type { KeyValueStore } from '../../store';

/** What a key remembers: the platform's answer, or that the send's outcome is unknown (ambiguous). */
export type RememberedOutcome =
  | { status: 'sent'; messageId: string; metadata?: Record<string, unknown>; attempts: number }
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

const PENDING = 'pending:';
const DONE = 'done:';

/**
 * The store key of an idempotency key: `idem:<integration>:<tenantId>:<channelId>:<key>`, scoped to the
 * channel's tenant, so a channel id reused by another tenant never replays the deleted channel's results.
 * `encodeURIComponent` keeps a `:` in an id from shifting the parts (registry ids are unchanged by it).
 */
export function idempotencyStoreKey(integration: string, tenantId: string, channelId: string, key: string): string {
  return `idem:${integration}:${encodeURIComponent(tenantId)}:${encodeURIComponent(channelId)}:${key}`;
}

function replay(outcome: RememberedOutcome, key: string): { messageId: string; metadata?: Record<string, unknown>; attempts: number } {
  if (outcome.status === 'sent') return outcome;
  throw new AmbiguousSendError(`an earlier send with idempotency key "${key}" ended ambiguously (${outcome.message}); it is not resent`, { attempts: outcome.attempts, replayed: true });
}

/**
 * Runs `send` once per key. A successful or ambiguous outcome is remembered for `ttlMs` and
 * replayed to later calls (`duplicate: true`) without sending. A definite failure (nothing was
 * delivered) frees the key, so a later call may try again. A call that finds the key held by a
 * send in flight waits for its result up to `waitMs`, then gets `ConflictError` (409).
 */
export async function withIdempotency(
  store: KeyValueStore, storeKey: string, key: string, options: IdempotencyOptions,
  send: () => Promise<{ messageId: string; metadata?: Record<string, unknown>; attempts: number }>,
  attemptsOf: (err: unknown) => number,
): Promise<{ messageId: string; metadata?: Record<string, unknown>; attempts: number; duplicate: boolean }> {
  const deadline = Date.now() + options.waitMs;
  const pollMs = options.pollMs ?? 25;
  for (;;) {
    const pending = PENDING + randomUUID();
    if (await store.setIfAbsent(storeKey, pending, options.claimTtlMs)) {
      let outcome: RememberedOutcome;
      try {
        const result = await send();
        outcome = { status: 'sent', ...result };
      } catch (err) {
        if (isErrorType(err, ERROR_TYPES.SEND_AMBIGUOUS)) {
          const remembered: RememberedOutcome = { status: 'ambiguous', message: (err as Error).message, attempts: attemptsOf(err) };
          await store.replaceIfEquals(storeKey, pending, DONE + JSON.stringify(remembered), options.ttlMs).catch(() => false);
        } else {
          await store.deleteIfEquals(storeKey, pending).catch(() => false);
        }
        throw err;
      }
      const value = DONE + JSON.stringify(outcome);
      try {
        // The claim may have expired during a very long send; remember the result anyway.
        if (!(await store.replaceIfEquals(storeKey, pending, value, options.ttlMs))) await store.set(storeKey, value, options.ttlMs);
      } catch {
        // The message was sent: answer with it. The key stays claimed until `claimTtlMs`, so a
        // retry inside that time waits and then gets 409 rather than sending again.
      }
      return { ...outcome, duplicate: false };
    }
    const current = await store.get(storeKey);
    if (current?.startsWith(DONE)) return { ...replay(JSON.parse(current.slice(DONE.length)) as RememberedOutcome, key), duplicate: true };
    if (current === null) continue; // released (or expired) between our claim and read: claim again
    if (Date.now() + pollMs > deadline) {
      throw new ConflictError(`a send with idempotency key "${key}" is still in progress; retry later`, { idempotencyKey: key });
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
