/**
 * One probe: a signed `webhook.test` POST through the delivery's guarded client (SSRF guard at connect, no
 * redirects, the attempt deadline), recorded in the history as an attempt of the disabling's probe delivery.
 */
import type { DeliveryJob } from '../delivery/job';
import { attemptDelivery } from '../delivery/attempt';
import { attemptIdFor, deliveryIdFor } from '../delivery/ids';
import { recordInterrupted } from '../delivery/interrupted';
import { judgeAttempt, type Verdict } from '../delivery/judge';
import type { DeliveryRuntime } from '../delivery/runtime';
import { deliveryHeaders } from '../delivery/sign';
import type { DeliveryChange } from '../history/types';
import type { DeliveryAttempt, Subscription } from '../types';

/** The event type of a probe: the test event subscribers already know. */
export const PROBE_EVENT_TYPE = 'webhook.test';

/** The delivery id of a disabling's probes: one delivery per disabling, each probe one attempt of it. */
export function probeDeliveryId(subscriptionId: string, disabledAt: string): string {
  return deliveryIdFor(`probe:${disabledAt}`, subscriptionId);
}

/** The probe's job: what the history keeps (a redelivery of it re-sends the probe event). */
export function probeJob(sub: Subscription, disabledAt: string, nowMs: number): DeliveryJob {
  const deliveryId = probeDeliveryId(sub.id, disabledAt);
  return {
    deliveryId, subscriptionId: sub.id, tenantId: sub.tenantId, eventType: PROBE_EVENT_TYPE, eventId: `probe_${deliveryId.slice(4)}`,
    timestamp: new Date(nowMs).toISOString(), trigger: 'scheduled',
    data: { subscriptionId: sub.id, probe: true, message: 'Switchboard checks whether this endpoint is back; a 2xx answer enables the subscription again' },
  };
}

/**
 * Sends one probe and records it: the delivery (created on the first probe of the disabling) stays `pending`
 * with `nextAttemptAt` while probes fail, ends `succeeded` on a 2xx, and `failed` when no probe follows.
 * `nextProbeAtMs(verdict)` is when the next probe is due after a failure (undefined: none). Answers the verdict.
 */
export async function sendProbe(rt: DeliveryRuntime, sub: Subscription, disabledAt: string, nextProbeAtMs: (v: Verdict) => number | undefined): Promise<Verdict> {
  const now = rt.options.now();
  const job = probeJob(sub, disabledAt, now);
  const secrets = await rt.lookup.signingSecrets(sub.id);
  const created = (await rt.history.createDelivery({
    deliveryId: job.deliveryId, subscriptionId: sub.id, tenantId: sub.tenantId, eventType: job.eventType, eventId: job.eventId,
    outcome: 'pending', attemptCount: 0, createdAt: job.timestamp, job, scheduledAttempts: 0,
  })).delivery;
  // an earlier probe whose record was lost (a node stopped mid-probe) is recorded first, as the worker does
  const pending = await rt.history.pendingAttempts(created.deliveryId);
  const delivery = pending.length ? await recordInterrupted(rt, created, pending, 'scheduled') : created;
  const attempt = await rt.history.beginAttempt(delivery.deliveryId, { trigger: 'scheduled', at: new Date(now).toISOString(), url: sub.url });
  const body = Buffer.from(JSON.stringify({ type: job.eventType, timestamp: new Date(now).toISOString(), data: job.data }));
  const headers = deliveryHeaders(secrets, delivery.deliveryId, Math.floor(now / 1000), body);
  const result = await attemptDelivery(sub.url, headers, body, rt.options);
  const verdict = judgeAttempt(result);
  const succeeded = verdict.kind === 'succeeded';
  const nextAtMs = succeeded ? undefined : nextProbeAtMs(verdict);
  const nextAttemptAt = nextAtMs === undefined ? undefined : new Date(nextAtMs).toISOString();
  const scheduledAttempts = delivery.scheduledAttempts + 1;
  const change: DeliveryChange = succeeded ? { outcome: 'succeeded', scheduledAttempts }
    : nextAttemptAt ? { outcome: 'pending', scheduledAttempts, nextAttemptAt } : { outcome: 'failed', scheduledAttempts };
  const error = succeeded ? undefined : result.error ?? (verdict as Exclude<Verdict, { kind: 'succeeded' }>).error;
  const record: DeliveryAttempt = {
    attemptId: attemptIdFor(delivery.deliveryId, attempt), deliveryId: delivery.deliveryId, subscriptionId: sub.id, eventType: job.eventType,
    attempt, trigger: 'scheduled', request: result.request,
    ...(result.response ? { response: result.response } : {}),
    durationMs: result.durationMs,
    ...(error ? { error } : {}),
    outcome: succeeded ? 'succeeded' : 'failed',
    at: result.at,
    ...(nextAttemptAt ? { nextAttemptAt } : {}),
  };
  await rt.history.finishAttempt(record, delivery, change);
  return verdict;
}
