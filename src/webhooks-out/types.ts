/** Tenant webhooks: the records of subscriptions, deliveries and attempts (DESIGN.md "Tenant webhooks" — a contract). */

/** The event types a subscription can ask for; `*` is every one. `webhook.test` is sent by the test route only. */
export type WebhookEventType = 'message.received' | 'message.sent' | 'message.failed' | 'message.status' | '*';

/** A JSON-key filter on the event's payload (the delivery's `data`), dot paths; every given part must hold. */
export interface SubscriptionFilter {
  equals?: Record<string, unknown>;
  in?: Record<string, unknown[]>;
  exists?: string[];
}

export type SubscriptionStatus = 'active' | 'disabled';

/** Why a subscription was disabled: by an operator, by a 410 from its URL, or after failing for too long. */
export type DisabledReason = 'manual' | 'gone' | 'failing';

/** A tenant's subscription of a URL to Switchboard's events. Its secrets are never part of it. */
export interface Subscription {
  id: string;
  tenantId: string;
  url: string;
  events: WebhookEventType[];
  filter?: SubscriptionFilter;
  description?: string;
  status: SubscriptionStatus;
  disabledReason?: DisabledReason;
  /** `conversation`: the events of one conversation arrive in order; `none` (default): in parallel. */
  ordering?: 'none' | 'conversation';
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601. */
  updatedAt: string;
  /** True for subscriptions from `SWITCHBOARD_SUBSCRIPTIONS` (read-only through the API). */
  static?: boolean;
}

export type DeliveryOutcome = 'pending' | 'succeeded' | 'failed';

/** One event to one subscription, however many attempts it takes. */
export interface Delivery {
  /** The `webhook-id` header: identical on every attempt. */
  deliveryId: string;
  subscriptionId: string;
  eventType: string;
  eventId: string;
  outcome: DeliveryOutcome;
  attemptCount: number;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601. */
  lastAttemptAt?: string;
}

/** One HTTP attempt of a delivery, recorded before its job is acknowledged. */
export interface DeliveryAttempt {
  attemptId: string;
  deliveryId: string;
  subscriptionId: string;
  eventType: string;
  /** 1 for the first attempt. */
  attempt: number;
  trigger: 'scheduled' | 'manual';
  /** Headers without secrets (the signature is a signature, not a secret). */
  request: { url: string; method: 'POST'; headers: Record<string, string>; bodyBytes: number };
  /** Absent when no status arrived (refused, timeout, connection error). Body: the first 4 KiB. */
  response?: { status: number; headers: Record<string, string>; body: string };
  durationMs: number;
  error?: { code: string; message: string };
  outcome: 'succeeded' | 'failed';
  /** ISO 8601. */
  at: string;
  /** ISO 8601: when the next scheduled attempt is due, if any. */
  nextAttemptAt?: string;
}

/** What a delivery POSTs: `{ type, timestamp (ISO 8601), data (the event's payload) }`. */
export interface WebhookDeliveryBody<TData = unknown> {
  type: string;
  timestamp: string;
  data: TData;
}

/** On `<ns>.webhooks.subscription.disabled`. */
export interface SubscriptionDisabledPayload {
  subscriptionId: string;
  tenantId: string;
  reason: DisabledReason;
}

/**
 * The subscriptions as the delivery side sees them (implemented in `subscriptions/`, one per broker like
 * the channel registry). Matching costs in proportion to the tenant's subscriptions of that event type.
 */
export interface SubscriptionLookup {
  /**
   * Active subscriptions of `tenantId` whose `events` hold `eventType` or `*` (filters not applied); with
   * `includeDisabled`, the disabled ones too (the fan-out keeps what they miss as failed deliveries).
   */
  match(tenantId: string, eventType: string, o?: { includeDisabled?: boolean }): Promise<Subscription[]>;
  get(id: string): Promise<Subscription | null>;
  /** The signing secrets in force (`whsec_...`): the current one and any still in their rotation grace. */
  signingSecrets(id: string): Promise<string[]>;
  /** Disables a subscription (410 → `gone`, failing too long → `failing`); null when it does not exist. */
  disable(id: string, reason: DisabledReason): Promise<Subscription | null>;
}

/**
 * The `webhooks` service's actions the operator API calls (service name {@link WEBHOOKS_SERVICE}). Every
 * call carries the caller's `tenantId`; another tenant's subscription or delivery is a 403.
 */
export const WEBHOOKS_SERVICE = 'webhooks';
export const WEBHOOKS_ACTIONS = {
  // subscriptions (subscriptions/actions.ts)
  create: 'createSubscription', list: 'listSubscriptions', get: 'getSubscription', update: 'updateSubscription',
  remove: 'deleteSubscription', enable: 'enableSubscription', disable: 'disableSubscription', rotate: 'rotateSubscriptionSecret',
  // deliveries (delivery/actions.ts): { tenantId, subscriptionId } / { tenantId, deliveryId } / ...
  test: 'sendTestEvent', deliveries: 'listDeliveries', delivery: 'getDelivery', redeliver: 'redeliver', recover: 'recover',
} as const;
