/** The idempotency key: one send per key within its TTL, also under concurrency and across nodes; later calls get the first result. */
import { ERROR_TYPES, isErrorType } from '../../errors';
import type { KeyValueStore } from '../../store';
import { claimKey, replay, type IdempotencyOptions } from './send/claim-key';
import { endClaim } from './send/end-claim';

export type { IdempotencyOptions, RememberedOutcome } from './send/claim-key';

/**
 * The store key of an idempotency key: `idem:<integration>:<tenantId>:<channelId>:<key>`, scoped to the
 * channel's tenant, so a channel id reused by another tenant never replays the deleted channel's results.
 * `encodeURIComponent` keeps a `:` in an id from shifting the parts (registry ids are unchanged by it).
 */
export function idempotencyStoreKey(integration: string, tenantId: string, channelId: string, key: string): string {
  return `idem:${integration}:${encodeURIComponent(tenantId)}:${encodeURIComponent(channelId)}:${key}`;
}

/**
 * Runs `send` once per key (the send pipeline's claim and end-of-claim steps around any function). A
 * successful or ambiguous outcome is remembered for `ttlMs` and replayed to later calls (`duplicate: true`)
 * without sending. A definite failure (nothing was delivered) frees the key, so a later call may try
 * again. A call that finds the key held by a send in flight waits for its result up to `waitMs`, then
 * gets `ConflictError` (409).
 */
export async function withIdempotency(
  store: KeyValueStore, storeKey: string, key: string, options: IdempotencyOptions,
  send: () => Promise<{ messageId: string; metadata?: Record<string, unknown>; attempts: number }>,
  attemptsOf: (err: unknown) => number,
): Promise<{ messageId: string; metadata?: Record<string, unknown>; attempts: number; duplicate: boolean }> {
  const claim = await claimKey(store, storeKey, key, options);
  if (claim.status === 'duplicate') return { ...replay(claim.outcome, key), duplicate: true };
  let result: { messageId: string; metadata?: Record<string, unknown>; attempts: number };
  try {
    result = await send();
  } catch (err) {
    const ambiguous = isErrorType(err, ERROR_TYPES.SEND_AMBIGUOUS);
    await endClaim(store, storeKey, claim.pending, options.ttlMs, ambiguous ? { status: 'ambiguous', message: (err as Error).message, attempts: attemptsOf(err) } : { status: 'failed' });
    throw err;
  }
  await endClaim(store, storeKey, claim.pending, options.ttlMs, { status: 'sent', ...result });
  return { ...result, duplicate: false };
}
