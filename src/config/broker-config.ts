/** Builds the Moleculer broker options from the environment: memory mode with nothing set, NATS and Redis when their URLs are. */
import type { BrokerOptions, Middleware } from 'moleculer';
import { createChannelsMiddleware, type ChannelsMiddlewareOptions } from '../channels';
import { redisConnection } from '../store/redis-url';
import { RUNTIME_METADATA_KEY, type SwitchboardRuntime } from '../types';
import { readEnv, type SwitchboardEnv } from './env';
import { observabilityOptions } from './observability';
import { explainStartFailures } from './start-up';

export interface BrokerConfigOptions {
  /** Environment to read. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Extra middlewares, after the SDK's own. */
  middlewares?: Middleware[];
  /** Options for the channels middleware (retention, retries, ...); `namespace` and `nats` come from the environment. */
  channels?: Omit<ChannelsMiddlewareOptions, 'namespace' | 'nats'>;
  /** Broker options laid over the computed ones (shallow). */
  overrides?: Partial<BrokerOptions>;
}

function runtimeFrom(env: SwitchboardEnv): SwitchboardRuntime {
  return { namespace: env.namespace, natsUrl: env.natsUrl, redisUrl: env.redisUrl, port: env.port, host: env.host, allowPrivateNetworks: env.allowPrivateNetworks };
}

/**
 * Broker options for `moleculer.config.ts`. Throws `ConfigError` naming the variable when the
 * environment is invalid, so start-up stops with a clear message.
 */
export function createBrokerConfig(options: BrokerConfigOptions = {}): BrokerOptions {
  const rawEnv = options.env ?? process.env;
  const env = readEnv(rawEnv);
  const runtime = runtimeFrom(env);
  // the front door: trusted proxies, public URL, webhook VCR directory
  Object.assign(runtime, { trustedProxies: env.trustedProxies, publicUrl: env.publicUrl, recordWebhooksDir: env.recordWebhooksDir });
  const observability = observabilityOptions(env);
  return {
    nodeID: env.nodeID,
    logger: { type: 'Console', options: { level: env.logLevel, formatter: 'short', colors: process.stdout.isTTY === true } },
    transporter: env.natsUrl
      ? { type: 'NATS', options: { servers: env.natsUrl.split(','), maxReconnectAttempts: -1 } }
      : null,
    // `redis` may be a URL string (Moleculer passes it to ioredis); 0.15's CacherConfig types it as an object only.
    cacher: (env.redisUrl
      ? { type: 'Redis', options: { prefix: `${env.namespace}-cache`, redis: redisConnection(env.redisUrl) } }
      : 'Memory') as unknown as BrokerOptions['cacher'],
    serializer: 'JSON',
    validator: true,
    // Wait for in-flight requests on stop, so a deploy does not cut a webhook mid-publish.
    tracking: { enabled: true, shutdownTimeout: 10_000 },
    metadata: { [RUNTIME_METADATA_KEY]: runtime },
    // JetStream channels on NATS_URL, the in-memory adapter (same API) without it.
    middlewares: [
      explainStartFailures(createChannelsMiddleware({ ...withReplicas(options.channels, env.streamReplicas), namespace: env.namespace, nats: env.natsUrl }), env.natsUrl, env.streamReplicas),
      ...observability.middlewares,
      ...(options.middlewares ?? []),
    ],
    // ── operations (issue 13): the Moleculer namespace, metrics, tracing ──
    namespace: env.namespace,
    metrics: observability.metrics,
    tracing: observability.tracing,
    ...options.overrides,
  };
}

/** SWITCHBOARD_STREAM_REPLICAS as the streams' default `replicas` (an explicit `streamDefaults.replicas` wins). */
function withReplicas(channels: BrokerConfigOptions['channels'], replicas: number | undefined): BrokerConfigOptions['channels'] {
  if (replicas === undefined) return channels;
  return { ...channels, streamDefaults: { replicas, ...channels?.streamDefaults } };
}
