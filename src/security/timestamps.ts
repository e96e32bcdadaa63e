/** Strict parsing of webhook timestamps and the replay window check. */

/** The replay window when a scheme's `toleranceSeconds` is not given: 5 minutes, both ways. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

const SECONDS = /^\d{1,10}$/;

export interface TimestampCheckOptions {
  /** The current time in milliseconds. Default: `Date.now()`. */
  nowMs?: number;
  /** How far the timestamp may lie from now, in either direction, in seconds. Default: `DEFAULT_TOLERANCE_SECONDS` (300). */
  toleranceSeconds?: number;
}

export type TimestampCheck =
  | { ok: true; timestamp: number }
  | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'future'; message: string };

/**
 * Checks a timestamp header value (seconds since the epoch, digits only, at most 10) against
 * the window. `abc`, `1e9`, `-1`, `0x10`, ` 1`, empty and 20 digits are malformed. Never throws.
 */
export function checkTimestamp(value: unknown, options: TimestampCheckOptions = {}): TimestampCheck {
  if (value === undefined || value === null || value === '') return { ok: false, reason: 'missing', message: 'timestamp is missing' };
  if (typeof value !== 'string' || !SECONDS.test(value)) return { ok: false, reason: 'malformed', message: 'timestamp is not a number of seconds' };
  const timestamp = Number(value);
  const nowMs = typeof options.nowMs === 'number' && Number.isFinite(options.nowMs) ? options.nowMs : Date.now();
  const tolerance = validTolerance(options.toleranceSeconds) ? options.toleranceSeconds : DEFAULT_TOLERANCE_SECONDS;
  const now = nowMs / 1000;
  if (timestamp < now - tolerance) return { ok: false, reason: 'stale', message: `timestamp is older than ${tolerance} s` };
  if (timestamp > now + tolerance) return { ok: false, reason: 'future', message: `timestamp is more than ${tolerance} s in the future` };
  return { ok: true, timestamp };
}

/** True for a usable tolerance: a finite number of seconds, zero or more. */
export function validTolerance(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
