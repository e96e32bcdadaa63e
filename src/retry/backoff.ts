/** Exponential backoff with jitter and a cap; the schedule never decreases. */

export interface BackoffParams {
  initialDelayMs: number;
  multiplier: number;
  maxDelayMs: number;
  /** Fraction (0–1) of each delay taken off at random. */
  jitter: number;
}

/**
 * The wait before retry number `retry` (1 = the first retry): `initial × multiplier^(retry-1)`,
 * capped, less up to `jitter` of it at random — but never shorter than `previousMs`, so the
 * schedule does not decrease, and never longer than the cap.
 */
export function backoffDelay(retry: number, params: BackoffParams, random: () => number, previousMs = 0): number {
  const base = Math.min(params.maxDelayMs, params.initialDelayMs * params.multiplier ** Math.max(0, retry - 1));
  const jittered = base - base * params.jitter * Math.min(Math.max(random(), 0), 1);
  return Math.round(Math.min(params.maxDelayMs, Math.max(previousMs, jittered)));
}
