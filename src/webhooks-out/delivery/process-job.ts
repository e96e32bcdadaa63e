/**
 * The delivery worker: one job → at most one HTTP attempt, recorded before the job is settled.
 *
 *   1 subscriber  a deleted or disabled subscription ends the delivery as failed, without an attempt
 *   2 turn        ordered deliveries wait for the previous one of their conversation
 *   (slot)        the HTTP slot is taken here and given back after step 4: the consumer holds 2 × `concurrency`
 *                 jobs, so 1–2 of the next one are done while an attempt runs and the slots stay full
 *   3 claim       one step: the delivery read; ended → ack (its queue moves on), not yet due → wait for its time;
 *                 else the attempt number reserved and its intent written (no request leaves unrecorded).
 *                 A record that is gone is re-created from the job; interrupted attempts are recorded first
 *   4 attempt     signed POST, deadline, capped body
 *   5 record      the attempt and the delivery's new outcome/schedule, all or nothing (a failure → not acked)
 *   6 health      410 → disabled (gone); failing too long → disabled (failing); a success clears it
 *   7 settle      ack, or come back at the next scheduled time (JetStream delayed redelivery)
 */
import { withoutSchedule, type Claim, type StoredDelivery } from '../history/types';
import { attemptDelivery, type AttemptResult } from './attempt';
import { applyHealth } from './health';
import { recordInterrupted } from './interrupted';
import type { DeliveryJob } from './job';
import { judgeAttempt } from './judge';
import { advanceQueue, isTurn } from './ordering';
import { decide, writeRecord } from './record';
import { ACK, later, type DeliveryRuntime, type Settle } from './runtime';
import { deliveryHeaders } from './sign';

/** Early redeliveries within this margin of their due time go ahead. */
const DUE_MARGIN_MS = 250;

/** The delivery's record, created from the job if it is gone; interrupted attempts recorded. */
async function load(rt: DeliveryRuntime, job: DeliveryJob): Promise<StoredDelivery> {
  const [existing, pending] = await Promise.all([rt.history.getDelivery(job.deliveryId), rt.history.pendingAttempts(job.deliveryId)]);
  const d = existing ?? (await rt.history.createDelivery({
    deliveryId: job.deliveryId, subscriptionId: job.subscriptionId, tenantId: job.tenantId, eventType: job.eventType, eventId: job.eventId,
    outcome: 'pending', attemptCount: 0, createdAt: new Date(rt.options.now()).toISOString(), job, scheduledAttempts: 0,
  })).delivery;
  return pending.length ? recordInterrupted(rt, d, pending, job.trigger) : d;
}

/** Step 1: no attempt for a subscription that is gone or disabled; the delivery ends failed (recoverable later). */
async function endWithoutAttempt(rt: DeliveryRuntime, job: DeliveryJob, why: string): Promise<Settle> {
  if (job.trigger !== 'scheduled') return ACK;
  const d = await load(rt, job);
  if (d.outcome === 'pending') {
    await rt.history.saveDelivery({ ...withoutSchedule(d), outcome: 'failed' }, d.outcome);
    rt.logger.info(`webhooks: delivery ${d.deliveryId} not attempted: ${why}`);
    await advanceQueue(rt, job);
  }
  return ACK;
}

/**
 * Step 3: the delivery is read and the attempt claimed in one step. The rare cases take the slow path once:
 * a record that is gone is re-created from the job, interrupted attempts are recorded first.
 */
async function claim(rt: DeliveryRuntime, job: DeliveryJob, url: string): Promise<Claim> {
  for (let i = 0; ; i++) {
    const c = await rt.history.claimAttempt(job.deliveryId, { trigger: job.trigger, at: new Date(rt.options.now()).toISOString(), url }, {
      scheduled: job.trigger === 'scheduled', nowMs: rt.options.now(), dueMarginMs: DUE_MARGIN_MS, job: storedJob(job),
    });
    if ((c.kind !== 'missing' && c.kind !== 'interrupted') || i >= 2) return c;
    await load(rt, job);
  }
}

/** The job as the delivery keeps it: scheduled (a manual redelivery is a one-off of the same delivery). */
function storedJob(job: DeliveryJob): DeliveryJob {
  return job.trigger === 'manual' ? { ...job, trigger: 'scheduled' } : job;
}

export async function processJob(rt: DeliveryRuntime, job: DeliveryJob): Promise<Settle> {
  // 1 (the secrets are read beside the subscription: one wait instead of two)
  const [sub, secrets] = await Promise.all([rt.lookup.get(job.subscriptionId), rt.lookup.signingSecrets(job.subscriptionId)]);
  if (!sub) return endWithoutAttempt(rt, job, 'the subscription was deleted');
  if (sub.status !== 'active' && job.trigger === 'scheduled') return endWithoutAttempt(rt, job, `the subscription is disabled (${sub.disabledReason ?? 'manual'})`);
  // 2
  if (!(await isTurn(rt, job))) return ACK;
  // 3
  const body = Buffer.from(JSON.stringify({ type: job.eventType, timestamp: job.timestamp, data: job.data }));
  // the slot is taken before the claim: an intent is written only for an attempt about to be made
  const release = rt.attemptSlots ? await rt.attemptSlots.acquire() : undefined;
  let c: Claim;
  let result: AttemptResult | undefined;
  try {
    c = await claim(rt, job, sub.url);
    // 4
    if (c.kind === 'begun') {
      const headers = deliveryHeaders(secrets, c.delivery.deliveryId, Math.floor(rt.options.now() / 1000), body);
      result = await attemptDelivery(sub.url, headers, body, rt.options);
    }
  } finally {
    release?.();
  }
  if (c.kind === 'ended') {
    await advanceQueue(rt, job);
    return ACK;
  }
  if (c.kind === 'notDue') return later(c.waitMs);
  if (c.kind !== 'begun' || !result) throw new Error(`webhooks: delivery ${job.deliveryId} could not be claimed (${c.kind})`);
  let d = c.delivery;
  const verdict = judgeAttempt(result);
  rt.onAttempt?.(verdict.kind === 'succeeded' ? 'succeeded' : 'failed', job.storedAt === undefined ? undefined : rt.options.now() - job.storedAt);
  // 5
  const decision = decide(rt, job, d, c.attempt, result, verdict, verdict.kind === 'gone');
  d = await writeRecord(rt, d, decision);
  // 6
  const disabled = await applyHealth(rt, sub, verdict);
  if (disabled === 'failing' && d.outcome === 'pending') {
    await rt.history.saveDelivery({ ...withoutSchedule(d), outcome: 'failed' }, 'pending');
    decision.waitMs = undefined;
  }
  // 7
  if (job.trigger === 'scheduled' && decision.waitMs !== undefined) return later(decision.waitMs);
  if (job.trigger === 'scheduled') await advanceQueue(rt, job);
  return ACK;
}
