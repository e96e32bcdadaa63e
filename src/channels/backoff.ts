/** Retry delay of a failed channel message: exponential, capped, with jitter taken off. */
import type { ResolvedBackoff } from './options';

/**
 * Delay before retry number `retry` (1 = the first retry):
 * `min(maxDelayMs, initialDelayMs × multiplier^(retry-1)) × (1 − jitter × random())`.
 * Never above the cap, never negative. `random` is injectable for tests (default `Math.random`).
 */
export function retryDelay(retry: number, o: ResolvedBackoff, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(retry));
  const base = Math.min(o.maxDelayMs, o.initialDelayMs * Math.pow(o.multiplier, n - 1));
  const r = Math.min(1, Math.max(0, random()));
  return Math.max(0, Math.round(base * (1 - o.jitter * r)));
}
