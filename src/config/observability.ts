/** Broker options for operations: Moleculer metrics with the Prometheus reporter, the tracer, and their middlewares. */
import type { BrokerOptions, Middleware } from 'moleculer';
import { createMetricsMiddleware, createTracingMiddleware, tracingOptions } from '../metrics';
import type { SwitchboardEnv } from './env';

export interface ObservabilityOptions {
  metrics: BrokerOptions['metrics'];
  tracing: BrokerOptions['tracing'];
  middlewares: Middleware[];
}

/** Metrics on SWITCHBOARD_METRICS_PORT (listening on HOST) and tracing by SWITCHBOARD_TRACING; both off when unset. */
export function observabilityOptions(env: SwitchboardEnv): ObservabilityOptions {
  const tracing = tracingOptions(env);
  const metrics: BrokerOptions['metrics'] = env.metricsPort === undefined
    ? { enabled: false }
    : { enabled: true, reporter: [{ type: 'Prometheus', options: { port: env.metricsPort, host: env.host, path: '/metrics' } }] };
  return {
    metrics,
    tracing: tracing ?? { enabled: false },
    middlewares: [
      createMetricsMiddleware({ namespace: env.namespace }),
      ...(tracing ? [createTracingMiddleware()] : []),
    ],
  };
}
