/** One ChannelRegistry per broker, over the broker's shared store (Redis when configured, memory otherwise). */
import type { ServiceBroker } from 'moleculer';
import { acquireStore, releaseStore } from '../store';
import { ChannelRegistry } from './channel-registry';

const registries = new WeakMap<ServiceBroker, ChannelRegistry>();

/**
 * The broker's channel registry, created on first use over `acquireStore(broker)` and released
 * when the broker stops. Every service of the broker (and, on Redis, every node) sees the same channels.
 */
export function channelRegistry(broker: ServiceBroker): ChannelRegistry {
  let registry = registries.get(broker);
  if (!registry) {
    registry = new ChannelRegistry(acquireStore(broker));
    registries.set(broker, registry);
    broker.localBus.once('$broker.stopped', () => {
      registries.delete(broker);
      void releaseStore(broker);
    });
  }
  return registry;
}
