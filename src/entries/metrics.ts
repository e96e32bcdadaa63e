/** `@switchboard/sdk/metrics`: the `switchboard_*` Prometheus series and tracing through Moleculer's tracer. */
export {
  createMetricsMiddleware, SWITCHBOARD_METRICS, DEFAULT_LATENCY_BUCKETS, DEFAULT_SAMPLE_INTERVAL_MS, registerSwitchboardMetrics,
  sampleConsumers, switchboardSpanTags, tracingOptions, createTracingMiddleware,
} from '../metrics';
export type { MetricsMiddlewareOptions } from '../metrics';
