/** The default `SubscriptionLookup` of a broker: the subscriptions store (`../subscriptions`, `subscriptionStore(broker)`). */
import type { ServiceBroker } from 'moleculer';
import { ConfigError } from '../../errors';
import type { SubscriptionLookup } from '../types';

/**
 * `subscriptionStore(broker)` from `src/webhooks-out/subscriptions`, loaded lazily (that folder is built
 * beside this one). Throws a `ConfigError` when it is not there: pass `lookup` to the mixin instead.
 */
export function defaultLookup(broker: ServiceBroker): SubscriptionLookup {
  let mod: { subscriptionStore?: (b: ServiceBroker) => SubscriptionLookup } | undefined;
  try {
    mod = require('../subscriptions') as typeof mod; // eslint-disable-line @typescript-eslint/no-require-imports
  } catch {
    mod = undefined;
  }
  if (typeof mod?.subscriptionStore !== 'function') {
    throw new ConfigError('webhooks: no subscription store (src/webhooks-out/subscriptions); pass `lookup` to deliveryMixin()', { option: 'lookup' });
  }
  return mod.subscriptionStore(broker);
}
