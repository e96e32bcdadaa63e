/** Tenant webhooks, the delivery side: fan-out, signed attempts, retries, ordering, history actions. */
export { deliveryMixin, deliveryRuntime } from './mixin';
export type { DeliveryMixinOptions } from './mixin';
export { deliveryActions, TEST_EVENT_TYPE, MAX_RECOVER } from './actions';
export {
  DEFAULT_RETRY_SCHEDULE_MS, DEFAULT_DELIVERY_JITTER, DEFAULT_ATTEMPT_DEADLINE_MS, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_RECORDED_BODY_BYTES,
  DEFAULT_DISABLE_AFTER_FAILING_MS, DEFAULT_RETRY_AFTER_MIN_MS, DEFAULT_RETRY_AFTER_MAX_MS,
  DEFAULT_DELIVERY_CONCURRENCY, resolveDeliveryOptions,
} from './options';
export type { DeliveryOptions, ResolvedDeliveryOptions } from './options';
export { deliverChannel } from './job';
export type { DeliveryJob } from './job';
export { deliveryIdFor } from './ids';
export { signatureHeader, deliveryHeaders } from './sign';
export { fanOut } from './fan-out';
export type { FanOutEvent } from './fan-out';
export { processJob } from './process-job';
export type { DeliveryRuntime, Settle } from './runtime';
