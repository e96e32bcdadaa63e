/** Without NATS and Redis: the probe on the in-memory store (its lease too), channels and history — disabled, probed, enabled, replayed. */
import { ServiceBroker } from 'moleculer';
import { createChannelsMiddleware, channelNames } from '../../../src/channels';
import { createWebhooksService } from '../../../src/services/webhooks';
import { RUNTIME_METADATA_KEY } from '../../../src/types';
import { probeLoop } from '../../../src/webhooks-out/probe';
import { subscriptionStore } from '../../../src/webhooks-out/subscriptions';
import { ok, startSubscriber, status, verifyWith, waitFor } from '../delivery/helpers';

test('in memory: a failing endpoint is disabled, probed while down, enabled and replayed once it answers; the loop stops with the service', async () => {
  const sub = await startSubscriber(status(500));
  const broker = new ServiceBroker({
    logger: false, metadata: { [RUNTIME_METADATA_KEY]: { namespace: 'mem', allowPrivateNetworks: true } },
    middlewares: [createChannelsMiddleware({ namespace: 'mem' })],
  });
  broker.createService(createWebhooksService({
    subscriptions: { staticSubscriptions: '[]' },
    delivery: { namespace: 'mem', retryScheduleMs: [100], jitter: 0, allowPrivateNetworks: true, disableAfterFailingMs: 50 },
    probe: { intervalMs: 150 },
  }));
  await broker.start();
  try {
    const store = subscriptionStore(broker);
    const { subscription, secret } = await store.create('t1', { url: sub.url, events: ['message.received'] });
    await broker.sendToChannel(channelNames('mem').MESSAGE_RECEIVED, { tenantId: 't1', channelId: 'c', integration: 'acme', platform: 'acme', eventId: 'e1', timestamp: 1, receivedAt: 1, message: { id: 'm', conversationId: 'c1', content: { type: 'text', text: 'kept for later' } } });
    await waitFor('disabled', async () => (await store.get(subscription.id))?.disabledReason === 'failing');
    await waitFor('a probe', () => sub.received.some((r) => r.body.type === 'webhook.test'));
    expect((await store.get(subscription.id))?.status).toBe('disabled');
    sub.fallback = ok;
    await waitFor('enabled', async () => (await store.get(subscription.id))?.status === 'active');
    const replayed = await waitFor('replayed', () => sub.received.filter((r) => r.raw.includes('kept for later')).at(2));
    expect(verifyWith(secret, replayed)).toMatchObject({ type: 'message.received' });
  } finally {
    const loop = probeLoop(broker.getLocalService('webhooks')!);
    await broker.stop();
    expect(loop?.running).toBe(false);
    await sub.close();
  }
});
