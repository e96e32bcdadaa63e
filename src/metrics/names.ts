/** The `switchboard_*` series: names, labels and how each is registered in Moleculer's metric registry. */
import type { ServiceBroker } from 'moleculer';

export const SWITCHBOARD_METRICS = {
  /** Webhooks by integration and outcome: `stored`, `duplicate`, `challenge`, `rejected:<reason>`, `unavailable`. */
  WEBHOOKS: 'switchboard_webhooks_total',
  /** Seconds from publish to PubAck (or failure), by channel. */
  PUBLISH_DURATION: 'switchboard_publish_duration_seconds',
  /** Publishes by channel and outcome: `stored`, `duplicate`, `failed`. */
  PUBLISHES: 'switchboard_publishes_total',
  /** Sends by integration and outcome: `sent`, `duplicate`, `failed:<reason>`. */
  SENDS: 'switchboard_sends_total',
  /** Platform calls made by sends (first attempts and retries), by integration. */
  SEND_ATTEMPTS: 'switchboard_send_attempts_total',
  /** Attempts beyond the first, by integration. */
  SEND_RETRIES: 'switchboard_send_retries_total',
  /** Sends that waited for a rate-limit token, by integration. */
  RATE_LIMIT_WAITS: 'switchboard_rate_limit_waits_total',
  /** Seconds sends waited for a rate-limit token, by integration. */
  RATE_LIMIT_WAIT: 'switchboard_rate_limit_wait_seconds',
  /** Messages in the dead-letter stream (sampled from JetStream). */
  DEAD_LETTERS: 'switchboard_dead_letters',
  /** Messages not yet delivered to a consumer group, by channel and group (sampled from JetStream consumer info). */
  CONSUMER_PENDING: 'switchboard_consumer_pending',
  /** Messages delivered but not yet acknowledged, by channel and group (sampled). */
  CONSUMER_ACK_PENDING: 'switchboard_consumer_ack_pending',
  /** Tenant webhook delivery attempts by outcome: `succeeded`, `failed`. */
  WEBHOOK_DELIVERIES: 'switchboard_webhook_deliveries_total',
  /** Seconds from the event stored on JetStream to a delivery attempt's end (the tenant's lag). */
  WEBHOOK_DELIVERY_LAG: 'switchboard_webhook_delivery_lag_seconds',
} as const;

/** Latency buckets, seconds: 1 ms … 10 s. */
export const DEFAULT_LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Quantiles reported beside the buckets (Moleculer's Prometheus reporter writes `_sum` and `_count` only with them). */
export const DEFAULT_QUANTILES = [0.5, 0.9, 0.99];

const M = SWITCHBOARD_METRICS;
const DEFINITIONS = [
  { name: M.WEBHOOKS, type: 'counter', labelNames: ['integration', 'outcome'], description: 'Webhooks by integration and outcome' },
  { name: M.PUBLISH_DURATION, type: 'histogram', labelNames: ['channel'], unit: 'seconds', buckets: DEFAULT_LATENCY_BUCKETS, quantiles: DEFAULT_QUANTILES, description: 'Publish to JetStream until PubAck' },
  { name: M.PUBLISHES, type: 'counter', labelNames: ['channel', 'outcome'], description: 'Publishes by channel and outcome' },
  { name: M.SENDS, type: 'counter', labelNames: ['integration', 'outcome'], description: 'Sends by integration and outcome' },
  { name: M.SEND_ATTEMPTS, type: 'counter', labelNames: ['integration'], description: 'Platform calls made by sends' },
  { name: M.SEND_RETRIES, type: 'counter', labelNames: ['integration'], description: 'Send attempts beyond the first' },
  { name: M.RATE_LIMIT_WAITS, type: 'counter', labelNames: ['integration'], description: 'Sends that waited for a rate-limit token' },
  { name: M.RATE_LIMIT_WAIT, type: 'histogram', labelNames: ['integration'], unit: 'seconds', buckets: DEFAULT_LATENCY_BUCKETS, quantiles: DEFAULT_QUANTILES, description: 'Rate-limit wait' },
  { name: M.DEAD_LETTERS, type: 'gauge', labelNames: ['channel'], description: 'Messages in the dead-letter stream' },
  { name: M.CONSUMER_PENDING, type: 'gauge', labelNames: ['channel', 'group'], description: 'Messages not yet delivered to the group' },
  { name: M.CONSUMER_ACK_PENDING, type: 'gauge', labelNames: ['channel', 'group'], description: 'Messages delivered, not yet acknowledged' },
  { name: M.WEBHOOK_DELIVERIES, type: 'counter', labelNames: ['outcome'], description: 'Tenant webhook delivery attempts by outcome' },
  { name: M.WEBHOOK_DELIVERY_LAG, type: 'histogram', labelNames: ['outcome'], unit: 'seconds', buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 300, 3600, 36000], quantiles: DEFAULT_QUANTILES, description: 'Event stored to delivery attempt end' },
] as const;

/** Registers every `switchboard_*` series (once per broker); false when the broker's metrics are off. */
export function registerSwitchboardMetrics(broker: ServiceBroker): boolean {
  if (!broker.isMetricsEnabled()) return false;
  for (const d of DEFINITIONS) {
    if (!broker.metrics.hasMetric(d.name)) broker.metrics.register({ ...d, labelNames: [...d.labelNames], ...('buckets' in d ? { buckets: [...d.buckets], quantiles: [...d.quantiles] } : {}) } as never);
  }
  return true;
}

/** Counts one tenant webhook delivery attempt and its lag from the stored event (no-op with metrics off). */
export function recordDeliveryAttempt(broker: ServiceBroker, outcome: 'succeeded' | 'failed', lagMs: number | undefined): void {
  if (!registerSwitchboardMetrics(broker)) return;
  broker.metrics.increment(SWITCHBOARD_METRICS.WEBHOOK_DELIVERIES, { outcome }, 1);
  if (lagMs !== undefined && lagMs >= 0) broker.metrics.observe(SWITCHBOARD_METRICS.WEBHOOK_DELIVERY_LAG, lagMs / 1000, { outcome });
}
