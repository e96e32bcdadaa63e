/** One SubscriptionStore per broker, over the broker's shared store; every change announced, every disabling published. */
import type { ServiceBroker } from 'moleculer';
import { ConfigError } from '../../errors';
import { acquireStore, releaseStore, runtimeOf } from '../../store';
import type { DisabledReason, Subscription } from '../types';
import { announceSubscriptionChange, publishSubscriptionDisabled } from './events';
import { SubscriptionStore } from './store';

/** Options of {@link subscriptionStore}, used when the broker's store is first made. */
export interface BrokerSubscriptionStoreOptions {
  /** Most subscriptions per tenant. Default {@link DEFAULT_MAX_SUBSCRIPTIONS_PER_TENANT} (100). */
  maxPerTenant?: number;
}

const stores = new WeakMap<ServiceBroker, { store: SubscriptionStore; options: BrokerSubscriptionStoreOptions }>();

/**
 * The broker's subscription store (a `SubscriptionLookup` plus CRUD), created on first use over
 * `acquireStore(broker)` — Redis with `REDIS_URL`, memory otherwise — and released when the broker stops.
 * URLs follow `SWITCHBOARD_ALLOW_PRIVATE_URLS` (the broker's `allowPrivateNetworks`). After every change it
 * broadcasts `switchboard.subscription.changed`; after a disabling (by the API, a 410 or failing too long)
 * it also publishes `<ns>.webhooks.subscription.disabled`. Options count only on the first call;
 * different ones later are a `ConfigError`.
 */
export function subscriptionStore(broker: ServiceBroker, options?: BrokerSubscriptionStoreOptions): SubscriptionStore {
  const held = stores.get(broker);
  if (held) {
    if (options && options.maxPerTenant !== undefined && options.maxPerTenant !== held.options.maxPerTenant) {
      throw new ConfigError(`subscriptionStore: this broker's store already exists with maxPerTenant ${held.options.maxPerTenant ?? 'default'}`, { option: 'maxPerTenant' });
    }
    return held.store;
  }
  const store = new SubscriptionStore(acquireStore(broker), {
    ...(options?.maxPerTenant !== undefined ? { maxPerTenant: options.maxPerTenant } : {}),
    urlPolicy: { allowPrivateNetworks: runtimeOf(broker).allowPrivateNetworks },
    onChange: async (change, subscription) => {
      await announceSubscriptionChange(broker, subscription);
      if (change === 'disabled') await publishSubscriptionDisabled(broker, subscription);
    },
  });
  stores.set(broker, { store, options: { ...options } });
  broker.localBus.once('$broker.stopped', () => {
    stores.delete(broker);
    void releaseStore(broker);
  });
  return store;
}

/**
 * Disables a subscription for the delivery side (`gone` after a 410, `failing` after failing too long) and
 * publishes `<ns>.webhooks.subscription.disabled`; null when it does not exist. Same as
 * `subscriptionStore(broker).disable(id, reason)`.
 */
export function disableSubscription(broker: ServiceBroker, id: string, reason: DisabledReason): Promise<Subscription | null> {
  return subscriptionStore(broker).disable(id, reason);
}
