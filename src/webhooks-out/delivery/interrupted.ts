/** Step 1: attempts begun and never recorded (a process stopped mid-request, a lost record write) are recorded now, as failed. */
import type { DeliveryAttempt } from '../types';
import type { PendingAttempt, StoredDelivery } from '../history/types';
import { attemptIdFor } from './ids';
import type { DeliveryRuntime } from './runtime';

export const INTERRUPTED = 'INTERRUPTED';

/** Records each interrupted attempt of `d`; answers the delivery as it now stands. */
export async function recordInterrupted(rt: DeliveryRuntime, d: StoredDelivery, pending: PendingAttempt[], by: 'scheduled' | 'manual'): Promise<StoredDelivery> {
  let current = d;
  for (const p of pending) {
    // A scheduled job runs on one node at a time (JetStream keeps it in progress), so the scheduled job finds
    // an earlier scheduled intent interrupted; any other attempt may still be running elsewhere until its
    // deadline has passed.
    const mine = by === 'scheduled' && p.trigger === 'scheduled';
    if (!mine && rt.options.now() - Date.parse(p.at) < rt.options.attemptDeadlineMs + 5_000) continue;
    const record: DeliveryAttempt = {
      attemptId: attemptIdFor(d.deliveryId, p.attempt), deliveryId: d.deliveryId, subscriptionId: d.subscriptionId,
      eventType: d.eventType, attempt: p.attempt, trigger: p.trigger,
      request: { url: p.url, method: 'POST', headers: {}, bodyBytes: 0 },
      durationMs: 0,
      error: { code: INTERRUPTED, message: 'the attempt was interrupted before its outcome was recorded (process stopped or the record write failed); it may have reached the subscriber' },
      outcome: 'failed', at: p.at,
    };
    current = await rt.history.finishAttempt(record, current, {
      outcome: current.outcome, scheduledAttempts: current.scheduledAttempts, ...(current.nextAttemptAt ? { nextAttemptAt: current.nextAttemptAt } : {}),
    });
    rt.logger.warn(`webhooks: delivery ${d.deliveryId} attempt ${p.attempt} was interrupted; recorded as failed`);
  }
  return current;
}
