/** What a subscription change tells others: `switchboard.subscription.changed` to every node, and `<ns>.webhooks.subscription.disabled` on the channels. */
import type { ServiceBroker } from 'moleculer';
import { runtimeOf } from '../../store';
import type { Subscription, SubscriptionDisabledPayload } from '../types';
import { SUBSCRIPTION_CHANGED_EVENT, type SubscriptionChangedPayload } from './types';

/** The channel that carries disabled subscriptions: `<ns>.webhooks.subscription.disabled`. */
export function subscriptionDisabledChannel(namespace: string): string {
  return `${namespace}.webhooks.subscription.disabled`;
}

interface ChannelBroker {
  sendToChannel?(channel: string, payload: unknown, opts?: { msgID?: string }): Promise<unknown>;
  channelAdapter?: { ensureStream?(channel: string): unknown; addPrefixTopic?(channel: string): string };
}

/**
 * Publishes `{ subscriptionId, tenantId, reason }` on `<ns>.webhooks.subscription.disabled` (its stream is
 * created when missing) and resolves once stored. The message id is the subscription's and the moment it
 * was disabled, so publishing again for the same disabling stores nothing twice. A disabled subscription
 * without `disabledReason` is reported as `manual`.
 */
export async function publishSubscriptionDisabled(broker: ServiceBroker, subscription: Subscription): Promise<void> {
  const b = broker as unknown as ChannelBroker;
  if (typeof b.sendToChannel !== 'function') return; // no channels middleware: nothing to publish on
  const channel = subscriptionDisabledChannel(runtimeOf(broker).namespace);
  const adapter = b.channelAdapter;
  if (adapter && typeof adapter.ensureStream === 'function') {
    await adapter.ensureStream(typeof adapter.addPrefixTopic === 'function' ? adapter.addPrefixTopic(channel) : channel);
  }
  const payload: SubscriptionDisabledPayload = { subscriptionId: subscription.id, tenantId: subscription.tenantId, reason: subscription.disabledReason ?? 'manual' };
  await b.sendToChannel.call(broker, channel, payload, { msgID: `${subscription.id}:disabled:${subscription.updatedAt}` });
}

/** Broadcasts {@link SUBSCRIPTION_CHANGED_EVENT} so every node's caches forget the subscription. */
export async function announceSubscriptionChange(broker: ServiceBroker, subscription: Pick<Subscription, 'id' | 'tenantId'>): Promise<void> {
  const payload: SubscriptionChangedPayload = { subscriptionId: subscription.id, tenantId: subscription.tenantId };
  await broker.broadcast(SUBSCRIPTION_CHANGED_EVENT, payload);
}
