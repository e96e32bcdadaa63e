/** Observability on Moleculer's own machinery: the `switchboard_*` metric series, the consumer sampler, tracing tags, retry logs. */
export { createMetricsMiddleware } from './middleware';
export type { MetricsMiddlewareOptions } from './middleware';
export { SWITCHBOARD_METRICS, DEFAULT_LATENCY_BUCKETS, registerSwitchboardMetrics } from './names';
export { DEFAULT_SAMPLE_INTERVAL_MS, sampleConsumers } from './sampler';
export { recordRateLimitWait, withMetricsScope } from './context';
export { retryLogger } from './retry-log';
export { switchboardSpanTags, tracingOptions } from './tracing';
export { createTracingMiddleware } from './trace-context';
