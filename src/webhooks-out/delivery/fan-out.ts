/**
 * The fan-out: one event → one durable delivery job per matching active subscription whose filter passes.
 * The delivery id derives from the event's id and the subscription's, and the job's msg id from the delivery
 * id, so an event delivered twice to the fan-out makes no second delivery and no second job.
 * A matching *disabled* subscription gets its delivery too, recorded failed without an attempt and without a
 * job: what an endpoint missed while disabled is in its history, and `recover` (or the probe's replay) since
 * the disabling sends it once the subscription is enabled again.
 */
import type { Subscription } from '../types';
import { compileFilter } from './filter';
import { deliveryIdFor, jobMsgId } from './ids';
import type { DeliveryJob } from './job';
import { orderKeyFor, queueOrdered } from './ordering';
import type { DeliveryRuntime } from './runtime';

/** An event as the fan-out sees it. */
export interface FanOutEvent {
  eventType: string;
  /** Stable across redeliveries: the JetStream msg id, or `<stream>:<seq>`. */
  eventId: string;
  tenantId: string;
  data: unknown;
  /** ms since the epoch: when the event was stored. */
  storedAt: number;
}

/** Step 1: the tenant's subscriptions of this event type (active or disabled) whose filter passes. */
export async function matching(rt: DeliveryRuntime, e: FanOutEvent): Promise<Subscription[]> {
  const subs = await rt.lookup.match(e.tenantId, e.eventType, { includeDisabled: true });
  return subs.filter((s) => compileFilter(s.filter)(e.data));
}

/** Step 2: the job of one (event, subscription). */
export function jobFor(e: FanOutEvent, sub: Subscription): DeliveryJob {
  const orderKey = orderKeyFor(sub, e.data);
  return {
    deliveryId: deliveryIdFor(e.eventId, sub.id), subscriptionId: sub.id, tenantId: e.tenantId, eventType: e.eventType, eventId: e.eventId,
    timestamp: new Date(e.storedAt).toISOString(), data: e.data, trigger: 'scheduled', storedAt: e.storedAt,
    ...(orderKey ? { orderKey } : {}),
  };
}

/** Step 3: the delivery recorded (once) and its job published (once), or queued behind its conversation. */
export async function enqueueJob(rt: DeliveryRuntime, job: DeliveryJob): Promise<void> {
  const { delivery, created } = await rt.history.createDelivery({
    deliveryId: job.deliveryId, subscriptionId: job.subscriptionId, tenantId: job.tenantId, eventType: job.eventType, eventId: job.eventId,
    outcome: 'pending', attemptCount: 0, createdAt: new Date(rt.options.now()).toISOString(), job, scheduledAttempts: 0,
  });
  // already under way (an event redelivered after its jobs ran): nothing to publish
  if (!created && (delivery.outcome !== 'pending' || delivery.attemptCount > 0)) return;
  if (job.orderKey) await queueOrdered(rt, job as DeliveryJob & { orderKey: string });
  else await rt.publishJob(job, jobMsgId(job.deliveryId, job.generation));
}

/** Step 3 for a disabled subscription: the delivery recorded failed (once), no attempt, no job. */
export async function keepMissed(rt: DeliveryRuntime, job: DeliveryJob): Promise<void> {
  await rt.history.createDelivery({
    deliveryId: job.deliveryId, subscriptionId: job.subscriptionId, tenantId: job.tenantId, eventType: job.eventType, eventId: job.eventId,
    outcome: 'failed', attemptCount: 0, createdAt: new Date(rt.options.now()).toISOString(), job, scheduledAttempts: 0,
  });
}

/**
 * The composer: answers how many deliveries went to active subscriptions. A failure rejects (the event is retried;
 * nothing doubles). `matched`: step 1 already started (the consumer starts it before the event's turn in its
 * conversation's queue, so the reads of queued events are made together).
 */
export async function fanOut(rt: DeliveryRuntime, e: FanOutEvent, matched: Promise<Subscription[]> = matching(rt, e)): Promise<number> {
  const subs = await matched;
  await Promise.all(subs.map((s) => (s.status === 'active' ? enqueueJob(rt, jobFor(e, s)) : keepMissed(rt, jobFor(e, s)))));
  return subs.filter((s) => s.status === 'active').length;
}
