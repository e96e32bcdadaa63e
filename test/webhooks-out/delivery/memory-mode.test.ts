/** Without NATS and Redis (`npm start` with nothing set): the same service on in-memory channels and history, retries included. */
import { ServiceBroker } from 'moleculer';
import { createChannelsMiddleware, channelNames } from '../../../src/channels';
import { deliveryMixin } from '../../../src/webhooks-out/delivery';
import { TestLookup, newSecret, startSubscriber, status, verifyWith, waitFor } from './helpers';

test('in memory: delivered, signed, retried after a 500, the history readable', async () => {
  const lookup = new TestLookup();
  const sub = await startSubscriber();
  const secret = newSecret();
  lookup.add({ id: 'sub_1', url: sub.url }, [secret]);
  sub.answers.push(status(500));
  const broker = new ServiceBroker({ logger: false, middlewares: [createChannelsMiddleware({ namespace: 'mem' })] });
  broker.createService({ name: 'webhooks', mixins: [deliveryMixin({ namespace: 'mem', lookup: () => lookup, retryScheduleMs: [200], jitter: 0, allowPrivateNetworks: true })] });
  await broker.start();
  try {
    await broker.sendToChannel(channelNames('mem').MESSAGE_RECEIVED, { tenantId: 't1', channelId: 'c', integration: 'acme', platform: 'acme', eventId: 'e1', timestamp: 1, receivedAt: 1, message: { id: 'm', conversationId: 'c1', content: { type: 'text', text: 'hi' } } });
    await waitFor('two requests', () => sub.received.length >= 2);
    expect(verifyWith(secret, sub.received[1]!)).toMatchObject({ type: 'message.received' });
    const id = sub.received[0]!.headers['webhook-id']!;
    const got = await waitFor('succeeded', async () => {
      const d = await broker.call('webhooks.getDelivery', { tenantId: 't1', deliveryId: id }) as { delivery: { outcome: string }; attempts: unknown[] };
      return d.delivery.outcome === 'succeeded' ? d : null;
    });
    expect(got.attempts).toHaveLength(2);
  } finally {
    await broker.stop();
    await sub.close();
  }
});
