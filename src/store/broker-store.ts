/** One store per broker, shared by its services: Redis when the broker runs with a Redis URL, memory otherwise. */
import type { ServiceBroker } from 'moleculer';
import { RUNTIME_METADATA_KEY, type SwitchboardRuntime } from '../types';
import { MemoryStore } from './memory-store';
import { RedisStore } from './redis-store';
import type { KeyValueStore } from './types';

const held = new WeakMap<ServiceBroker, { store: KeyValueStore; refs: number }>();

/** Reads `broker.metadata.switchboard` (set by `createBrokerConfig`), with defaults for brokers built by hand. */
export function runtimeOf(broker: ServiceBroker): SwitchboardRuntime {
  const meta = (broker.metadata as Record<string, unknown> | undefined)?.[RUNTIME_METADATA_KEY] as Partial<SwitchboardRuntime> | undefined;
  return {
    namespace: meta?.namespace ?? 'switchboard', natsUrl: meta?.natsUrl, redisUrl: meta?.redisUrl, port: meta?.port,
    allowPrivateNetworks: meta?.allowPrivateNetworks === true,
    trustedProxies: Array.isArray(meta?.trustedProxies) ? meta.trustedProxies : undefined,
    publicUrl: typeof meta?.publicUrl === 'string' ? meta.publicUrl : undefined,
    recordWebhooksDir: typeof meta?.recordWebhooksDir === 'string' ? meta.recordWebhooksDir : undefined,
  };
}

/** The broker's shared store; call `releaseStore` once per acquire (e.g. in the service's `stopped`). */
export function acquireStore(broker: ServiceBroker): KeyValueStore {
  let entry = held.get(broker);
  if (!entry) {
    const { redisUrl, namespace } = runtimeOf(broker);
    const store = redisUrl ? new RedisStore({ redis: redisUrl, prefix: `${namespace}:` }) : new MemoryStore();
    entry = { store, refs: 0 };
    held.set(broker, entry);
  }
  entry.refs += 1;
  return entry.store;
}

/** Drops one reference; the last one closes the store. */
export async function releaseStore(broker: ServiceBroker): Promise<void> {
  const entry = held.get(broker);
  if (!entry) return;
  entry.refs -= 1;
  if (entry.refs <= 0) {
    held.delete(broker);
    await entry.store.close();
  }
}
