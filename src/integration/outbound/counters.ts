/** Counters since the service started, reported by `i_status`. */

export interface OutboundCounters {
  /** Sends the platform accepted. */
  sent: number;
  /** Sends that failed for good (including ambiguous ones and rate-limit refusals). */
  failed: number;
  /** Of `failed`: ended ambiguous (may or may not have been delivered). */
  ambiguous: number;
  /** Calls answered from an idempotency key's first result, without sending. */
  duplicates: number;
  /** Sends refused by the rate limit after waiting. */
  rateLimited: number;
  /** Attempts beyond the first, over all sends. */
  retries: number;
  /** Queued sends taken from `<ns>.outbound.send`. */
  queued: number;
  /** Events that had to go to the outbox (not stored at once). */
  eventsDeferred: number;
}

export function newCounters(): OutboundCounters {
  return { sent: 0, failed: 0, ambiguous: 0, duplicates: 0, rateLimited: 0, retries: 0, queued: 0, eventsDeferred: 0 };
}
