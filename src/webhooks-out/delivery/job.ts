/** A delivery job: what travels on `<ns>.webhooks.deliver`, and what a delivery keeps to be re-sent later. */

/** One event to one subscription. The event's payload travels with it, so a retry needs nothing else. */
export interface DeliveryJob {
  deliveryId: string;
  subscriptionId: string;
  tenantId: string;
  eventType: string;
  /** The event's id (its JetStream msg id, or `<stream>:<seq>`); `test_...` for test events. */
  eventId: string;
  /** ISO 8601: when the event happened (the body's `timestamp`). */
  timestamp: string;
  data: unknown;
  /** Set for `ordering: 'conversation'`: deliveries with the same key go one at a time, in order. */
  orderKey?: string;
  /** `manual` for a redelivery asked for through the API. */
  trigger: 'scheduled' | 'manual';
  /** ms since the epoch: when the event was stored (for the lag). */
  storedAt?: number;
  /** How many times the delivery was recovered (its job's msg id changes with it). */
  generation?: number;
}

/** The channel delivery jobs travel on. */
export function deliverChannel(namespace: string): string {
  return `${namespace}.webhooks.deliver`;
}

/** The channel `disable` publishes on (the subscriptions side exports the same name publicly). */
export function subscriptionDisabledChannel(namespace: string): string {
  return `${namespace}.webhooks.subscription.disabled`;
}
