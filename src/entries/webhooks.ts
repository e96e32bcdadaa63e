/** `@switchboard/sdk/webhooks`: tenant webhooks — subscriptions (store, actions, static ones) and their operator API routes. */
export {
  SubscriptionStore, subscriptionStore, disableSubscription, subscriptionActions, subscriptionsMixin, parseSubscriptionsSource,
  seedSubscriptions, publishSubscriptionDisabled, subscriptionDisabledChannel, generateSubscriptionSecret, checkSubscriptionSecret,
  checkSubscriptionFilter, compileSubscriptionFilter, checkSubscriptionUrl, SubscriptionLimitError, SUBSCRIPTION_EVENT_TYPES,
  DEFAULT_MAX_SUBSCRIPTIONS_PER_TENANT, DEFAULT_SUBSCRIPTION_GRACE_SECONDS, SUBSCRIPTION_CHANGED_EVENT,
} from '../webhooks-out/subscriptions';
export type {
  SubscriptionStoreOptions, SubscriptionChange, BrokerSubscriptionStoreOptions, SubscriptionActionsOptions, SubscriptionsMixinOptions,
  SubscriptionInput, SubscriptionUpdate, StaticSubscriptionInput, RotateSubscriptionSecretOptions, CreatedSubscription,
  RotatedSubscriptionSecret, SubscriptionChangedPayload,
} from '../webhooks-out/subscriptions';
export { subscriptionRouteSpecs } from '../gateway';
