/** Tenant webhook subscriptions: the indexed store (a `SubscriptionLookup`), validation, secrets, static ones, and the actions. */
export { SubscriptionStore, toSubscription } from './store';
export type { SubscriptionStoreOptions, SubscriptionChange } from './store';
export { subscriptionStore, disableSubscription } from './broker-store';
export type { BrokerSubscriptionStoreOptions } from './broker-store';
export { subscriptionActions, subscriptionsMixin } from './actions';
export type { SubscriptionActionsOptions, SubscriptionsMixinOptions } from './actions';
export { parseSubscriptionsSource, seedSubscriptions, SUBSCRIPTIONS_VARIABLE } from './static';
export { publishSubscriptionDisabled, announceSubscriptionChange, subscriptionDisabledChannel } from './events';
export { generateSubscriptionSecret, checkSubscriptionSecret } from './secrets';
export { checkSubscriptionFilter, compileSubscriptionFilter } from './filter';
export { checkSubscriptionInput, checkSubscriptionUpdate, checkStaticSubscription, checkEvents } from './validate';
export { checkSubscriptionUrl, ALLOW_PRIVATE_URLS_VARIABLE } from './url';
export { SubscriptionLimitError } from './errors';
export {
  SUBSCRIPTION_EVENT_TYPES, DEFAULT_MAX_SUBSCRIPTIONS_PER_TENANT, DEFAULT_SUBSCRIPTION_GRACE_SECONDS, MAX_SUBSCRIPTION_GRACE_SECONDS,
  MAX_DESCRIPTION_LENGTH, MAX_URL_LENGTH, MAX_FILTER_PATHS, MAX_FILTER_IN_VALUES, GENERATED_SECRET_BYTES, SUBSCRIPTION_CHANGED_EVENT,
} from './types';
export type {
  SubscriptionRecord, SubscriptionInput, SubscriptionUpdate, StaticSubscriptionInput, RotateSubscriptionSecretOptions,
  CreatedSubscription, RotatedSubscriptionSecret, SubscriptionChangedPayload,
} from './types';
