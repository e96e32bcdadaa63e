/** The delivery history: deliveries and attempts on Redis (with TTLs) or in memory, and one store per broker. */
import type { ServiceBroker } from 'moleculer';
import { runtimeOf } from '../../store/broker-store';
import { MemoryHistory } from './memory-history';
import { RedisHistory } from './redis-history';
import type { HistoryStore } from './types';

export { RedisHistory } from './redis-history';
export type { RedisHistoryOptions } from './redis-history';
export { MemoryHistory } from './memory-history';
export { DEFAULT_HISTORY_RETENTION_MS, DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, publicDelivery } from './types';
export type { HistoryStore, StoredDelivery, PendingAttempt, DeliveryChange, DeliveryPage } from './types';

export interface HistoryStoreOptions {
  /** How long deliveries and attempts are kept. Default 30 days. */
  retentionMs?: number;
}

/** The history for a broker: Redis when it runs with `REDIS_URL` (keys `<ns>:wh:...`), memory otherwise. The caller closes it. */
export function createHistoryStore(broker: ServiceBroker, o: HistoryStoreOptions = {}): HistoryStore {
  const { redisUrl, namespace } = runtimeOf(broker);
  return redisUrl ? new RedisHistory({ redis: redisUrl, prefix: `${namespace}:wh:`, retentionMs: o.retentionMs }) : new MemoryHistory(o.retentionMs);
}
