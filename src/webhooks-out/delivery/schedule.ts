/** When the next attempt is due: the retry schedule with jitter, or an honoured `Retry-After` within bounds. */
import type { ResolvedDeliveryOptions } from './options';

/** Statuses whose `Retry-After` is honoured. */
export const RETRY_AFTER_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/**
 * The wait before attempt `attempt + 1` after attempt `attempt` (1-based) failed; undefined when the schedule
 * is used up (the delivery has failed for good). `retryAfterMs`, when given, replaces the scheduled wait,
 * clamped to `[retryAfterMinMs, retryAfterMaxMs]`.
 */
export function nextWaitMs(attempt: number, o: ResolvedDeliveryOptions, retryAfterMs?: number): number | undefined {
  const base = o.retryScheduleMs[attempt - 1];
  if (base === undefined) return undefined;
  if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs)) {
    return Math.min(o.retryAfterMaxMs, Math.max(o.retryAfterMinMs, Math.round(retryAfterMs)));
  }
  const r = Math.min(1, Math.max(0, o.random()));
  return Math.max(0, Math.round(base * (1 + o.jitter * (2 * r - 1))));
}
