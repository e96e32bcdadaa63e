/** The probe's decisions, pure: which subscription is probed, when again, and from when its failed deliveries are replayed. */
import type { Subscription } from '../types';
import type { ResolvedProbeOptions } from './options';

/** What the probe keeps per disabled subscription (in the shared store, so every node sees it). */
export interface ProbeState {
  /** The disabling this state belongs to (a later disabling starts afresh). */
  disabledAt: string;
  /** Failed probes since the disabling. */
  failures: number;
  /** ms since the epoch: not probed before this. */
  nextAtMs: number;
}

/** True when the probe may try `sub`: disabled for one of the probed reasons (never by hand). */
export function isProbed(sub: Subscription, o: Pick<ResolvedProbeOptions, 'reasons'>): boolean {
  return sub.status === 'disabled' && sub.disabledReason !== undefined && sub.disabledReason !== 'manual'
    && (o.reasons as readonly string[]).includes(sub.disabledReason);
}

/** The state that counts for this disabling: the stored one if it is of the same disabling, else none. */
export function currentState(state: ProbeState | null, disabledAt: string): ProbeState | null {
  return state && state.disabledAt === disabledAt ? state : null;
}

/** True when a probe is due: never probed in this disabling, or its wait is over. */
export function isDue(state: ProbeState | null, nowMs: number): boolean {
  return state === null || nowMs >= state.nextAtMs;
}

/**
 * The wait after the `failures`-th failed probe in a row: `intervalMs`, doubling each time, at most
 * `maxIntervalMs`, moved by up to ±`jitter` at random (never below `intervalMs`'s half).
 */
export function nextProbeWaitMs(failures: number, o: Pick<ResolvedProbeOptions, 'intervalMs' | 'maxIntervalMs'>, jitter = 0, random: () => number = Math.random): number {
  const n = Math.max(1, failures);
  const base = Math.min(o.maxIntervalMs, o.intervalMs * 2 ** Math.min(n - 1, 40));
  const r = Math.min(1, Math.max(0, random()));
  return Math.max(Math.ceil(o.intervalMs / 2), Math.round(base * (1 + jitter * (2 * r - 1))));
}

/** The state after a failed probe at `nowMs`. */
export function afterFailure(state: ProbeState | null, disabledAt: string, nowMs: number, waitOf: (failures: number) => number): ProbeState {
  const failures = (state?.failures ?? 0) + 1;
  return { disabledAt, failures, nextAtMs: nowMs + waitOf(failures) };
}

/** What bounds the replay: the delivery side's failing period and retry schedule. */
export interface ReplayBounds {
  disableAfterFailingMs: number;
  retryScheduleMs: readonly number[];
  jitter: number;
}

/** Slack for deliveries that waited (a backlog, an ordering queue) between their creation and their first attempt: 1 h. */
export const REPLAY_QUEUE_SLACK_MS = 3_600_000;

/**
 * From when (ms) the failed deliveries of a re-enabled subscription are re-queued: `lookbackMs` before the
 * disabling when set; else the outage as far as it can be known — for `failing`, the failing period before the
 * disabling; for both reasons, the retry schedule's longest span before that (a delivery created then may
 * still have been retried, and failed, in the outage) and {@link REPLAY_QUEUE_SLACK_MS} more.
 */
export function replaySinceMs(disabledAtMs: number, reason: Subscription['disabledReason'], o: Pick<ResolvedProbeOptions, 'lookbackMs'>, b: ReplayBounds): number {
  if (o.lookbackMs !== undefined) return Math.max(0, disabledAtMs - o.lookbackMs);
  const schedule = b.retryScheduleMs.reduce((a, w) => a + w, 0) * (1 + b.jitter);
  const failing = reason === 'failing' ? b.disableAfterFailingMs : 0;
  return Math.max(0, Math.floor(disabledAtMs - failing - schedule - REPLAY_QUEUE_SLACK_MS));
}
