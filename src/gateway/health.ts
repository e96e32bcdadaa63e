/** The gateway's health report: broker, NATS (transport and JetStream) and Redis, each `up`, `down` or `not configured`. */
import type { ServiceBroker } from 'moleculer';
import type { NatsConnection } from 'nats';
import { runtimeOf, type KeyValueStore } from '../store';

export type ComponentStatus = 'up' | 'down' | 'not configured';

export interface HealthReport {
  status: 'ok' | 'degraded';
  nodeID: string;
  namespace: string;
  uptimeSeconds: number;
  broker: ComponentStatus;
  nats: ComponentStatus;
  redis: ComponentStatus;
}

/** Default time a JetStream round trip may take before NATS counts as down: 1 s. */
export const DEFAULT_NATS_PROBE_TIMEOUT_MS = 1_000;
/** Default time a JetStream probe's result is reused (a flood of `/health` is one probe a second): 1 s. */
export const DEFAULT_NATS_PROBE_CACHE_MS = 1_000;

export interface HealthOptions {
  /** Time the JetStream round trip (and the Redis ping) may take, ms. Default {@link DEFAULT_NATS_PROBE_TIMEOUT_MS}. */
  natsProbeTimeoutMs?: number;
  /** How long a probe's result is reused, ms. Default {@link DEFAULT_NATS_PROBE_CACHE_MS}. */
  natsProbeCacheMs?: number;
  /** Broker property holding the channels adapter (see `createChannelsMiddleware`). Default `channelAdapter`. */
  adapterProperty?: string;
}

interface Probe { at: number; result: Promise<boolean> }
const probes = new WeakMap<NatsConnection, Probe>();

/** One JetStream API round trip (`$JS.API.INFO`) under `timeoutMs`: true when JetStream answered. */
async function jetStreamAnswers(nc: NatsConnection, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const probe = (async () => {
      const jsm = await nc.jetstreamManager({ timeout: timeoutMs, checkAPI: false });
      await jsm.getAccountInfo();
      return true;
    })();
    return await Promise.race([probe, new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs + 100); })]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** The probe's result for `nc`, shared by concurrent callers and reused for `cacheMs`. */
function probeJetStream(nc: NatsConnection, timeoutMs: number, cacheMs: number): Promise<boolean> {
  const last = probes.get(nc);
  if (last && Date.now() - last.at < cacheMs) return last.result;
  const result = jetStreamAnswers(nc, timeoutMs);
  probes.set(nc, { at: Date.now(), result });
  // A probe still running when the cache expires is shared until it settles.
  void result.then(() => { const p = probes.get(nc); if (p?.result === result) p.at = Date.now(); });
  return result;
}

/**
 * NATS as the webhooks see it: `down` when the transporter is disconnected, or the channels adapter's
 * connection is missing, closed, or does not get a JetStream answer within the probe timeout — the
 * transporter's `connected` flag stays true while nats.js reconnects, and a paused server keeps the
 * socket open, so only a round trip tells.
 */
async function natsStatus(broker: ServiceBroker, options: HealthOptions): Promise<ComponentStatus> {
  if (!runtimeOf(broker).natsUrl) return 'not configured';
  const transit = (broker as unknown as { transit?: { connected?: boolean } }).transit;
  if (transit && !transit.connected) return 'down';
  const adapter = (broker as unknown as Record<string, unknown>)[options.adapterProperty ?? 'channelAdapter'] as { connection?: NatsConnection | null } | undefined;
  if (!adapter || !('connection' in adapter)) return transit?.connected ? 'up' : 'down';
  const nc = adapter.connection;
  if (!nc || nc.isClosed()) return 'down';
  const ok = await probeJetStream(nc, options.natsProbeTimeoutMs ?? DEFAULT_NATS_PROBE_TIMEOUT_MS, options.natsProbeCacheMs ?? DEFAULT_NATS_PROBE_CACHE_MS);
  return ok ? 'up' : 'down';
}

/**
 * Checks every component without throwing; `status` is `degraded` when a configured one is down.
 * `store` is the broker's shared store (see `acquireStore`), pinged when Redis is configured.
 */
export async function healthReport(broker: ServiceBroker, store?: KeyValueStore, options: HealthOptions = {}): Promise<HealthReport> {
  const runtime = runtimeOf(broker);
  const [nats, redis] = await Promise.all([
    natsStatus(broker, options),
    (async (): Promise<ComponentStatus> => {
      if (!runtime.redisUrl || store?.kind !== 'redis') return runtime.redisUrl ? 'down' : 'not configured';
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), options.natsProbeTimeoutMs ?? DEFAULT_NATS_PROBE_TIMEOUT_MS); });
      const pong = await Promise.race([store.ping(), timeout]).finally(() => clearTimeout(timer));
      return pong ? 'up' : 'down';
    })(),
  ]);
  const brokerStatus: ComponentStatus = broker.started ? 'up' : 'down';
  const degraded = [brokerStatus, nats, redis].includes('down');
  return {
    status: degraded ? 'degraded' : 'ok',
    nodeID: broker.nodeID,
    namespace: runtime.namespace,
    uptimeSeconds: Math.round(process.uptime()),
    broker: brokerStatus,
    nats,
    redis,
  };
}
