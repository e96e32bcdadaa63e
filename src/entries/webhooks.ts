/** `@switchboard/sdk/webhooks`: tenant webhooks — subscriptions (store, actions, static ones) and their operator API routes. */
export {
  SubscriptionStore, subscriptionStore, disableSubscription, subscriptionActions, subscriptionsMixin, parseSubscriptionsSource,
  seedSubscriptions, publishSubscriptionDisabled, subscriptionDisabledChannel, generateSubscriptionSecret, checkSubscriptionSecret,
  checkSubscriptionFilter, compileSubscriptionFilter, checkSubscriptionUrl, SubscriptionLimitError, SUBSCRIPTION_EVENT_TYPES,
  DEFAULT_MAX_SUBSCRIPTIONS_PER_TENANT, DEFAULT_SUBSCRIPTION_GRACE_SECONDS, SUBSCRIPTION_CHANGED_EVENT,
} from '../webhooks-out/subscriptions';
export type {
  SubscriptionStoreOptions, SubscriptionChange, BrokerSubscriptionStoreOptions, SubscriptionActionsOptions, SubscriptionsMixinOptions,
  SubscriptionInput, SubscriptionUpdate, StaticSubscriptionInput, RotateSubscriptionSecretOptions, CreatedSubscription,
  RotatedSubscriptionSecret, SubscriptionChangedPayload,
} from '../webhooks-out/subscriptions';
export { subscriptionRouteSpecs } from '../gateway';
// delivery: fan-out, signed attempts, retries, ordering, the attempt history
export {
  deliveryMixin, deliveryRuntime, deliveryActions, TEST_EVENT_TYPE, MAX_RECOVER,
  DEFAULT_RETRY_SCHEDULE_MS, DEFAULT_DELIVERY_JITTER, DEFAULT_ATTEMPT_DEADLINE_MS, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_RECORDED_BODY_BYTES,
  DEFAULT_DISABLE_AFTER_FAILING_MS, DEFAULT_RETRY_AFTER_MIN_MS, DEFAULT_RETRY_AFTER_MAX_MS, DEFAULT_DELIVERY_CONCURRENCY,
  resolveDeliveryOptions, deliverChannel, deliveryIdFor,
} from '../webhooks-out/delivery';
export type { DeliveryMixinOptions, DeliveryOptions, ResolvedDeliveryOptions, DeliveryJob, DeliveryRuntime } from '../webhooks-out/delivery';
export { createHistoryStore, RedisHistory, MemoryHistory, DEFAULT_HISTORY_RETENTION_MS } from '../webhooks-out/history';
export type { HistoryStore, StoredDelivery, RedisHistoryOptions, HistoryStoreOptions } from '../webhooks-out/history';
export type {
  Subscription, SubscriptionFilter, WebhookEventType, Delivery, DeliveryAttempt, DeliveryOutcome, WebhookDeliveryBody,
  SubscriptionDisabledPayload, SubscriptionLookup,
} from '../webhooks-out/types';
export { WEBHOOKS_SERVICE, WEBHOOKS_ACTIONS } from '../webhooks-out/types';
// the probe of disabled endpoints (createWebhooksService({ probe }) or SWITCHBOARD_WEBHOOK_PROBE_INTERVAL_MS)
export {
  probeMixin, resolveProbeOptions, probeOptionsFrom, PROBE_INTERVAL_VARIABLE, DEFAULT_PROBE_MAX_INTERVAL_MS, DEFAULT_PROBE_REASONS,
  DEFAULT_PROBE_CONCURRENCY, PROBE_EVENT_TYPE,
} from '../webhooks-out/probe';
export type { ProbeMixinOptions, ProbeOptions, ResolvedProbeOptions, ProbeReason, ProbeSubscriptions } from '../webhooks-out/probe';
export { createWebhooksService } from '../services/webhooks';
export type { WebhooksServiceOptions } from '../services/webhooks';
