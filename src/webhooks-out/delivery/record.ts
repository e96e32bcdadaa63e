/** The attempt record (DESIGN shape) and what the attempt changes on its delivery (outcome, next attempt). */
import type { DeliveryAttempt } from '../types';
import type { DeliveryChange, StoredDelivery } from '../history/types';
import type { AttemptResult } from './attempt';
import { attemptIdFor } from './ids';
import type { DeliveryJob } from './job';
import type { Verdict } from './judge';
import { nextWaitMs } from './schedule';
import type { DeliveryRuntime } from './runtime';

export interface Decision {
  record: DeliveryAttempt;
  change: DeliveryChange;
  /** Wait before the next scheduled attempt; undefined when none follows. */
  waitMs?: number;
}

/**
 * Scheduled attempts follow the retry schedule; a manual attempt schedules nothing (a pending delivery
 * keeps its schedule). A 410 ends the delivery as failed; so does a disabled subscription.
 */
export function decide(rt: DeliveryRuntime, job: DeliveryJob, d: StoredDelivery, attempt: number, r: AttemptResult, verdict: Verdict, disabled: boolean): Decision {
  const scheduled = job.trigger === 'scheduled';
  const scheduledAttempts = d.scheduledAttempts + (scheduled ? 1 : 0);
  let change: DeliveryChange;
  let waitMs: number | undefined;
  if (verdict.kind === 'succeeded') {
    change = { outcome: 'succeeded', scheduledAttempts };
  } else if (!scheduled) {
    change = { outcome: d.outcome === 'pending' ? 'pending' : 'failed', scheduledAttempts, ...(d.nextAttemptAt ? { nextAttemptAt: d.nextAttemptAt } : {}) };
  } else {
    waitMs = verdict.kind === 'failed' && !disabled ? nextWaitMs(scheduledAttempts, rt.options, verdict.retryAfterMs) : undefined;
    change = waitMs === undefined
      ? { outcome: 'failed', scheduledAttempts }
      : { outcome: 'pending', scheduledAttempts, nextAttemptAt: new Date(rt.options.now() + waitMs).toISOString() };
  }
  const error = verdict.kind === 'succeeded' ? undefined : r.error ?? verdict.error;
  const record: DeliveryAttempt = {
    attemptId: attemptIdFor(d.deliveryId, attempt), deliveryId: d.deliveryId, subscriptionId: d.subscriptionId, eventType: d.eventType,
    attempt, trigger: job.trigger, request: r.request,
    ...(r.response ? { response: r.response } : {}),
    durationMs: r.durationMs,
    ...(error ? { error } : {}),
    outcome: verdict.kind === 'succeeded' ? 'succeeded' : 'failed',
    at: r.at,
    ...(change.nextAttemptAt && scheduled ? { nextAttemptAt: change.nextAttemptAt } : {}),
  };
  return { record, change, waitMs };
}

/** Writes the record, retrying briefly; a write that keeps failing rejects (the job is then not acknowledged). */
export async function writeRecord(rt: DeliveryRuntime, d: StoredDelivery, decision: Decision): Promise<StoredDelivery> {
  let lastErr: unknown;
  for (let i = 0; i < 3; i++) {
    try {
      return await rt.history.finishAttempt(decision.record, d, decision.change);
    } catch (err) {
      lastErr = err;
      await new Promise((r) => setTimeout(r, 100 * (i + 1)));
    }
  }
  throw lastErr;
}
