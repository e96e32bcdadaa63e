/**
 * Which broker (and integration) the running send belongs to, carried with AsyncLocalStorage, so a
 * step deep in a pipeline records a metric with one call and no broker threaded through it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ServiceBroker } from 'moleculer';
import { SWITCHBOARD_METRICS } from './names';

interface MetricsScope { broker: ServiceBroker; integration: string }

const scope = new AsyncLocalStorage<MetricsScope>();

/** Runs `fn` with `broker`/`integration` as the scope of the metrics recorded inside it. */
export function withMetricsScope<T>(broker: ServiceBroker, integration: string, fn: () => T): T {
  return scope.run({ broker, integration }, fn);
}

/** Records a rate-limit wait of `waitedMs` (nothing for 0, or outside a scope, or with metrics off). */
export function recordRateLimitWait(waitedMs: number): void {
  const s = scope.getStore();
  if (!s || !(waitedMs > 0) || !s.broker.isMetricsEnabled()) return;
  s.broker.metrics.increment(SWITCHBOARD_METRICS.RATE_LIMIT_WAITS, { integration: s.integration }, 1);
  s.broker.metrics.observe(SWITCHBOARD_METRICS.RATE_LIMIT_WAIT, waitedMs / 1000, { integration: s.integration });
}
