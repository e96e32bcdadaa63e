/** `createWebhooksService()`: tenant webhooks — the subscription actions, the delivery side and the optional probe in one service. */
import type { ServiceSchema } from 'moleculer';
import { deliveryMixin, type DeliveryMixinOptions } from '../webhooks-out/delivery';
import { probeMixin, probeOptionsFrom, type ProbeMixinOptions } from '../webhooks-out/probe';
import { subscriptionsMixin, type SubscriptionsMixinOptions } from '../webhooks-out/subscriptions';
import { WEBHOOKS_SERVICE } from '../webhooks-out/types';

/** Options of `createWebhooksService`. */
export interface WebhooksServiceOptions {
  /** Subscriptions: the per-tenant limit, static subscriptions (default `SWITCHBOARD_SUBSCRIPTIONS`). */
  subscriptions?: SubscriptionsMixinOptions;
  /** Delivery: retry schedule, deadlines, history retention, consumer groups. */
  delivery?: DeliveryMixinOptions;
  /**
   * The periodic probe of endpoints disabled automatically (`{ intervalMs, maxIntervalMs?, reasons?, lookbackMs? }`):
   * a 2xx to a signed `webhook.test` enables the subscription and re-queues its failed deliveries. Default: off,
   * unless `SWITCHBOARD_WEBHOOK_PROBE_INTERVAL_MS` is set; `false` keeps it off whatever the environment says.
   */
  probe?: ProbeMixinOptions | false;
}

/**
 * The `webhooks` service the operator API's subscription and delivery routes call. It consumes the message
 * channels in its own group and delivers to tenants' URLs; run as many as you like on one NATS: they share the work.
 */
export function createWebhooksService(options: WebhooksServiceOptions = {}): ServiceSchema {
  const probe = probeOptionsFrom(options.probe);
  const mixins = [subscriptionsMixin(options.subscriptions), deliveryMixin(options.delivery), ...(probe ? [probeMixin(probe)] : [])];
  return { name: WEBHOOKS_SERVICE, mixins } as ServiceSchema;
}
