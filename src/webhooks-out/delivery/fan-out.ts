/**
 * The fan-out: one event → one durable delivery job per matching active subscription whose filter passes.
 * The delivery id derives from the event's id and the subscription's, and the job's msg id from the delivery
 * id, so an event delivered twice to the fan-out makes no second delivery and no second job.
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

/** Step 1: the tenant's active subscriptions of this event type whose filter passes. */
export async function matching(rt: DeliveryRuntime, e: FanOutEvent): Promise<Subscription[]> {
  const subs = await rt.lookup.match(e.tenantId, e.eventType);
  return subs.filter((s) => s.status === 'active' && compileFilter(s.filter)(e.data));
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

/** The composer: answers how many deliveries the event made. A failure rejects (the event is retried; nothing doubles). */
export async function fanOut(rt: DeliveryRuntime, e: FanOutEvent): Promise<number> {
  const subs = await matching(rt, e);
  await Promise.all(subs.map((s) => enqueueJob(rt, jobFor(e, s))));
  return subs.length;
}
