/** The operator's environment variables: stream replicas, the metrics port, the tracing exporter, the listen address. */
import { ConfigError } from '../errors';

/** Operator variables, with what they mean (merged into `ENV_VARIABLES`). */
export const OPS_ENV_VARIABLES = {
  SWITCHBOARD_STREAM_REPLICAS: 'Replicas of every JetStream stream Switchboard creates (1-5; 3 on a 3-node cluster). Default 1.',
  SWITCHBOARD_METRICS_PORT: 'Port of the Prometheus `/metrics` endpoint (Moleculer metrics + `switchboard_*` series), on HOST. Unset: metrics off.',
  SWITCHBOARD_TRACING: 'Tracing exporter: `console`, `zipkin`, `jaeger`, `datadog`, `newrelic`, `event` (optionally `zipkin:http://host:9411`). Unset: tracing off.',
} as const;

/** Tracing exporters Moleculer ships, by the name SWITCHBOARD_TRACING takes. */
export const TRACING_EXPORTERS = { console: 'Console', zipkin: 'Zipkin', jaeger: 'Jaeger', datadog: 'Datadog', newrelic: 'NewRelic', event: 'Event' } as const;
export type TracingExporterName = keyof typeof TRACING_EXPORTERS;

export interface OpsEnv {
  /** `num_replicas` of every stream (SWITCHBOARD_STREAM_REPLICAS). */
  streamReplicas?: number;
  /** Prometheus port (SWITCHBOARD_METRICS_PORT); absent → metrics off. */
  metricsPort?: number;
  /** Tracing exporter and its endpoint (SWITCHBOARD_TRACING); absent → tracing off. */
  tracing?: { exporter: TracingExporterName; endpoint?: string };
}

function intIn(name: string, value: string, min: number, max: number): number {
  const n = /^\d{1,5}$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!(n >= min && n <= max)) throw new ConfigError(`${name} must be an integer from ${min} to ${max}; got "${value}".`, { variable: name });
  return n;
}

/** Reads the operator variables of `env`; throws `ConfigError` naming the variable. */
export function readOpsEnv(env: NodeJS.ProcessEnv): OpsEnv {
  const out: OpsEnv = {};
  if (env.SWITCHBOARD_STREAM_REPLICAS !== undefined) out.streamReplicas = intIn('SWITCHBOARD_STREAM_REPLICAS', env.SWITCHBOARD_STREAM_REPLICAS, 1, 5);
  if (env.SWITCHBOARD_METRICS_PORT !== undefined) out.metricsPort = intIn('SWITCHBOARD_METRICS_PORT', env.SWITCHBOARD_METRICS_PORT, 0, 65535);
  if (env.SWITCHBOARD_TRACING !== undefined) {
    const raw = env.SWITCHBOARD_TRACING.trim();
    const sep = raw.indexOf(':');
    const name = (sep < 0 ? raw : raw.slice(0, sep)).toLowerCase();
    const endpoint = sep < 0 ? undefined : raw.slice(sep + 1);
    if (!(name in TRACING_EXPORTERS)) {
      throw new ConfigError(`SWITCHBOARD_TRACING must be one of ${Object.keys(TRACING_EXPORTERS).join(', ')} (optionally "name:endpoint"); got "${raw}".`, { variable: 'SWITCHBOARD_TRACING' });
    }
    if (endpoint !== undefined && !/^https?:\/\/[^\s]+$/.test(endpoint)) {
      throw new ConfigError(`SWITCHBOARD_TRACING's endpoint must be an http(s) URL; got "${endpoint}".`, { variable: 'SWITCHBOARD_TRACING' });
    }
    out.tracing = { exporter: name as TracingExporterName, ...(endpoint ? { endpoint } : {}) };
  }
  return out;
}

