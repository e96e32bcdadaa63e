/** The gateway's health report: broker, NATS transport and Redis, each `up`, `down` or `not configured`. */
import type { ServiceBroker } from 'moleculer';
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

/**
 * Checks every component without throwing; `status` is `degraded` when a configured one is down.
 * `store` is the broker's shared store (see `acquireStore`), pinged when Redis is configured.
 */
export async function healthReport(broker: ServiceBroker, store?: KeyValueStore): Promise<HealthReport> {
  const runtime = runtimeOf(broker);
  const transit = (broker as unknown as { transit?: { connected?: boolean } }).transit;
  const nats: ComponentStatus = !runtime.natsUrl ? 'not configured' : transit?.connected ? 'up' : 'down';
  let redis: ComponentStatus = 'not configured';
  if (runtime.redisUrl) redis = store?.kind === 'redis' && (await store.ping()) ? 'up' : 'down';
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
