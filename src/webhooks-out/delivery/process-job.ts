/**
 * The delivery worker: one job → at most one HTTP attempt, recorded before the job is settled.
 *
 *   1 load        the delivery (created from the job if its record is gone); interrupted attempts recorded
 *   2 still due?  ended deliveries are acked (their queue moves on); early redeliveries wait for their time
 *   3 subscriber  a deleted or disabled subscription ends the delivery as failed, without an attempt
 *   4 turn        ordered deliveries wait for the previous one of their conversation
 *   5 begin       the attempt's intent is written (no request leaves unrecorded)
 *   6 attempt     signed POST, deadline, capped body
 *   7 record      the attempt and the delivery's new outcome/schedule, all or nothing (a failure → not acked)
 *   8 health      410 → disabled (gone); failing too long → disabled (failing); a success clears it
 *   9 settle      ack, or come back at the next scheduled time (JetStream delayed redelivery)
 */
import type { StoredDelivery } from '../history/types';
import { attemptDelivery } from './attempt';
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

/** Step 1. */
async function load(rt: DeliveryRuntime, job: DeliveryJob): Promise<StoredDelivery> {
  const [existing, pending] = await Promise.all([rt.history.getDelivery(job.deliveryId), rt.history.pendingAttempts(job.deliveryId)]);
  const d = existing ?? (await rt.history.createDelivery({
    deliveryId: job.deliveryId, subscriptionId: job.subscriptionId, tenantId: job.tenantId, eventType: job.eventType, eventId: job.eventId,
    outcome: 'pending', attemptCount: 0, createdAt: new Date(rt.options.now()).toISOString(), job, scheduledAttempts: 0, queued: true,
  })).delivery;
  return pending.length ? recordInterrupted(rt, d, pending) : d;
}

/** Step 3: no attempt for a subscription that is gone or disabled; the delivery ends failed (recoverable later). */
async function endWithoutAttempt(rt: DeliveryRuntime, job: DeliveryJob, d: StoredDelivery, why: string): Promise<Settle> {
  if (job.trigger === 'scheduled' && d.outcome === 'pending') {
    const { nextAttemptAt: _drop, ...rest } = d;
    await rt.history.saveDelivery({ ...rest, outcome: 'failed' }, d.outcome);
    rt.logger.info(`webhooks: delivery ${d.deliveryId} not attempted: ${why}`);
    await advanceQueue(rt, job);
  }
  return ACK;
}

export async function processJob(rt: DeliveryRuntime, job: DeliveryJob): Promise<Settle> {
  const now = rt.options.now();
  // 1
  let d = await load(rt, job);
  // 2
  if (job.trigger === 'scheduled') {
    if (d.outcome !== 'pending') {
      await advanceQueue(rt, job);
      return ACK;
    }
    const due = d.nextAttemptAt ? Date.parse(d.nextAttemptAt) : now;
    if (due - now > DUE_MARGIN_MS) return later(due - now);
  }
  // 3
  const sub = await rt.lookup.get(job.subscriptionId);
  if (!sub) return endWithoutAttempt(rt, job, d, 'the subscription was deleted');
  if (sub.status !== 'active' && job.trigger === 'scheduled') return endWithoutAttempt(rt, job, d, `the subscription is disabled (${sub.disabledReason ?? 'manual'})`);
  // 4
  if (!(await isTurn(rt, job))) return ACK;
  // 5
  const secrets = await rt.lookup.signingSecrets(sub.id);
  const body = Buffer.from(JSON.stringify({ type: job.eventType, timestamp: job.timestamp, data: job.data }));
  const attempt = await rt.history.beginAttempt(d.deliveryId, { trigger: job.trigger, at: new Date(rt.options.now()).toISOString(), url: sub.url });
  // 6
  const headers = deliveryHeaders(secrets, d.deliveryId, Math.floor(rt.options.now() / 1000), body);
  const result = await attemptDelivery(sub.url, headers, body, rt.options);
  const verdict = judgeAttempt(result);
  // 7
  const decision = decide(rt, job, d, attempt, result, verdict, verdict.kind === 'gone');
  d = await writeRecord(rt, d, decision);
  // 8
  const disabled = await applyHealth(rt, sub, verdict);
  if (disabled === 'failing' && d.outcome === 'pending') {
    const { nextAttemptAt: _drop, ...rest } = d;
    await rt.history.saveDelivery({ ...rest, outcome: 'failed' }, 'pending');
    decision.waitMs = undefined;
  }
  // 9
  if (job.trigger === 'scheduled' && decision.waitMs !== undefined) return later(decision.waitMs);
  if (job.trigger === 'scheduled') await advanceQueue(rt, job);
  return ACK;
}
