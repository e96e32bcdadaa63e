/** `createWebhooksService()`: tenant webhooks — the subscription actions and the delivery side in one service. */
import type { ServiceSchema } from 'moleculer';
import { deliveryMixin, type DeliveryMixinOptions } from '../webhooks-out/delivery';
import { subscriptionsMixin, type SubscriptionsMixinOptions } from '../webhooks-out/subscriptions';
import { WEBHOOKS_SERVICE } from '../webhooks-out/types';

/** Options of `createWebhooksService`. */
export interface WebhooksServiceOptions {
  /** Subscriptions: the per-tenant limit, static subscriptions (default `SWITCHBOARD_SUBSCRIPTIONS`). */
  subscriptions?: SubscriptionsMixinOptions;
  /** Delivery: retry schedule, deadlines, history retention, consumer groups. */
  delivery?: DeliveryMixinOptions;
}

/**
 * The `webhooks` service the operator API's subscription and delivery routes call. It consumes the message
 * channels in its own group and delivers to tenants' URLs; run as many as you like on one NATS: they share the work.
 */
export function createWebhooksService(options: WebhooksServiceOptions = {}): ServiceSchema {
  return { name: WEBHOOKS_SERVICE, mixins: [subscriptionsMixin(options.subscriptions), deliveryMixin(options.delivery)] } as ServiceSchema;
}
