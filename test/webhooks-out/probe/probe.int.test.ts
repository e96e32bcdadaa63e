/**
 * The probe of disabled endpoints on real NATS + Redis: an endpoint that keeps failing is disabled, probed
 * (signed, recorded, backing off) while it stays down, enabled once it answers 2xx and sent the deliveries it
 * missed (verified with the official `standardwebhooks` library); a subscription disabled by hand (or 410, by
 * default) is never probed; with two nodes, one probes a subscription per turn.
 */
import type { ServiceBroker } from 'moleculer';
import { createWebhooksService } from '../../../src/services/webhooks';
import type { ProbeMixinOptions } from '../../../src/webhooks-out/probe';
import { subscriptionStore } from '../../../src/webhooks-out/subscriptions';
import type { Delivery, DeliveryAttempt, Subscription } from '../../../src/webhooks-out/types';
import { suiteServers } from '../../harness/suite';
import { freshNamespace } from '../../integration/stack';
import { FAST, makeBroker, ok, publishReceived, sleep, startSubscriber, status, verifyWith, waitFor, type Answer, type Received, type Subscriber } from '../delivery/helpers';

const stack = suiteServers();

const open: Array<() => Promise<void>> = [];
afterEach(async () => { for (const close of open.splice(0).reverse()) await close().catch(() => undefined); });

async function node(ns: string, id: string, probe: ProbeMixinOptions | false, transporter = false): Promise<ServiceBroker> {
  const broker = makeBroker({ nodeID: `${ns}-${id}`, namespace: ns, natsUrl: stack.nats().url, redisUrl: stack.redis().url, transporter });
  broker.createService(createWebhooksService({
    subscriptions: { staticSubscriptions: '[]' },
    delivery: { ...FAST, namespace: ns, disableAfterFailingMs: 1_000 },
    probe,
  }));
  await broker.start();
  open.push(() => broker.stop());
  return broker;
}

async function subscriber(fallback: Answer): Promise<Subscriber> {
  const s = await startSubscriber(fallback);
  open.push(() => s.close());
  return s;
}

const isProbe = (r: Received) => r.body.type === 'webhook.test' && r.body.data.probe === true;
const probesOf = (s: Subscriber, subscriptionId: string) => s.received.filter((r) => isProbe(r) && r.body.data.subscriptionId === subscriptionId);
const get = (broker: ServiceBroker, id: string) => subscriptionStore(broker).get(id) as Promise<Subscription>;

async function deliveries(broker: ServiceBroker, subscriptionId: string): Promise<Array<{ delivery: Delivery; attempts: DeliveryAttempt[] }>> {
  const page = await broker.call('webhooks.listDeliveries', { subscriptionId, limit: 500 }) as { deliveries: Delivery[] };
  return Promise.all(page.deliveries.map((d) => broker.call('webhooks.getDelivery', { deliveryId: d.deliveryId }) as Promise<{ delivery: Delivery; attempts: DeliveryAttempt[] }>));
}

test('an endpoint down stays disabled and is probed with a backoff; back up, it is enabled and receives the deliveries it missed', async () => {
  const ns = freshNamespace('probe');
  const broker = await node(ns, 'a', { intervalMs: 300, maxIntervalMs: 1_200 });
  const down = await subscriber(status(500));
  const { subscription, secret } = await subscriptionStore(broker).create('t1', { url: down.url, events: ['*'] });

  // two events fail through their retries and the subscription is disabled for failing
  await publishReceived(broker, ns, { eventId: 'e1', text: 'missed one' });
  await publishReceived(broker, ns, { eventId: 'e2', text: 'missed two' });
  await waitFor('disabled for failing', async () => (await get(broker, subscription.id)).disabledReason === 'failing');
  await waitFor('both deliveries failed', async () => (await deliveries(broker, subscription.id)).filter((d) => d.delivery.eventType === 'message.received' && d.delivery.outcome === 'failed').length === 2);
  const beforeProbes = down.received.filter((r) => !isProbe(r)).length;

  // down: probed, signed like any delivery, each probe waiting longer; still disabled
  await waitFor('three probes', () => probesOf(down, subscription.id).length >= 3, 10_000);
  const probes = probesOf(down, subscription.id);
  expect(verifyWith(secret, probes[0]!)).toMatchObject({ type: 'webhook.test', data: { subscriptionId: subscription.id, probe: true } });
  expect(new Set(probes.map((p) => p.headers['webhook-id'])).size).toBe(1); // one probe delivery per disabling
  const gaps = probes.slice(1).map((p, i) => p.at - probes[i]!.at);
  expect(gaps[0]).toBeGreaterThanOrEqual(280);
  expect(gaps[1]).toBeGreaterThanOrEqual(580); // doubled after the second failure
  expect(await get(broker, subscription.id)).toMatchObject({ status: 'disabled', disabledReason: 'failing' });
  expect(down.received.filter((r) => !isProbe(r))).toHaveLength(beforeProbes); // nothing but probes while disabled
  const probeDelivery = (await deliveries(broker, subscription.id)).find((d) => d.delivery.eventType === 'webhook.test')!;
  expect(probeDelivery.delivery).toMatchObject({ outcome: 'pending', deliveryId: probes[0]!.headers['webhook-id'] });
  expect(probeDelivery.attempts[0]).toMatchObject({ attempt: 1, trigger: 'scheduled', outcome: 'failed', response: { status: 500 }, error: { code: 'HTTP_ERROR' } });
  expect(probeDelivery.attempts[0]!.nextAttemptAt).toBeDefined();
  // an event while disabled: not sent, kept as a failed delivery without an attempt (what the replay brings)
  await publishReceived(broker, ns, { eventId: 'e-off', text: 'missed while disabled' });
  const kept = await waitFor('the delivery kept while disabled', async () => (await deliveries(broker, subscription.id)).find((d) => d.delivery.eventId.includes('e-off')) ?? null);
  expect(kept.delivery).toMatchObject({ outcome: 'failed', attemptCount: 0 });
  expect(kept.attempts).toEqual([]);

  // back up: the next probe succeeds, the subscription is enabled, the two missed deliveries arrive once each
  const switchedAt = Date.now();
  down.fallback = ok;
  await waitFor('enabled', async () => (await get(broker, subscription.id)).status === 'active', 10_000);
  expect(await get(broker, subscription.id)).not.toHaveProperty('disabledReason');
  const replayed = await waitFor('the missed deliveries', () => {
    const after = down.received.filter((r) => r.at >= switchedAt && r.body.type === 'message.received');
    return after.length >= 3 ? after : null;
  });
  await sleep(500);
  expect(down.received.filter((r) => r.at >= switchedAt && r.body.type === 'message.received')).toHaveLength(3);
  const texts = replayed.map((r) => (verifyWith(secret, r) as { data: { message: { content: { text: string } } } }).data.message.content.text).sort();
  expect(texts).toEqual(['missed one', 'missed two', 'missed while disabled']);
  const after = await deliveries(broker, subscription.id);
  expect(after.filter((d) => d.delivery.eventType === 'message.received').map((d) => d.delivery.outcome)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  const probeDone = after.find((d) => d.delivery.eventType === 'webhook.test')!;
  expect(probeDone.delivery.outcome).toBe('succeeded');
  expect(probeDone.attempts.at(-1)).toMatchObject({ outcome: 'succeeded', response: { status: 200 } });
  expect(probeDone.attempts.filter((a) => a.outcome === 'succeeded')).toHaveLength(1);
  // enabled: events are delivered again as they come
  await publishReceived(broker, ns, { eventId: 'e3', text: 'live again' });
  await waitFor('live delivery', () => down.received.some((r) => r.raw.includes('live again')));
});

test('a subscription disabled by hand, or one answering 410, is never probed; one disabled for failing beside them is', async () => {
  const ns = freshNamespace('probe');
  const broker = await node(ns, 'a', { intervalMs: 200 });
  const up = await subscriber(ok);
  const store = subscriptionStore(broker);
  const mk = async () => (await store.create('t1', { url: up.url, events: ['message.sent'] })).subscription;
  const [byHand, gone, failingThenByHand, control] = await Promise.all([mk(), mk(), mk(), mk()]);
  await broker.call('webhooks.disableSubscription', { tenantId: 't1', subscriptionId: byHand.id });
  await store.disable(gone.id, 'gone');
  await store.disable(failingThenByHand.id, 'failing');
  await broker.call('webhooks.disableSubscription', { tenantId: 't1', subscriptionId: failingThenByHand.id }); // the operator's word wins
  await store.disable(control.id, 'failing');

  await waitFor('the control enabled', async () => (await get(broker, control.id)).status === 'active', 10_000);
  await sleep(1_000); // five more rounds
  expect(up.received.filter(isProbe).map((r) => r.body.data.subscriptionId)).toEqual([control.id]);
  expect(await get(broker, byHand.id)).toMatchObject({ status: 'disabled', disabledReason: 'manual' });
  expect(await get(broker, gone.id)).toMatchObject({ status: 'disabled', disabledReason: 'gone' });
  expect(await get(broker, failingThenByHand.id)).toMatchObject({ status: 'disabled', disabledReason: 'manual' });
});

test('probing gone subscriptions when asked; off by default: no probe without the option', async () => {
  const ns = freshNamespace('probe');
  const withGone = await node(ns, 'a', { intervalMs: 200, reasons: ['failing', 'gone'] });
  const up = await subscriber(ok);
  const gone = (await subscriptionStore(withGone).create('t1', { url: up.url, events: ['*'] })).subscription;
  await subscriptionStore(withGone).disable(gone.id, 'gone');
  await waitFor('gone enabled', async () => (await get(withGone, gone.id)).status === 'active', 10_000);

  const ns2 = freshNamespace('probe');
  const off = await node(ns2, 'b', false);
  const idle = (await subscriptionStore(off).create('t1', { url: up.url, events: ['*'] })).subscription;
  await subscriptionStore(off).disable(idle.id, 'failing');
  await sleep(800);
  expect(probesOf(up, idle.id)).toHaveLength(0);
});

test('two nodes: one probe of a subscription per turn, and one enabling when it answers again', async () => {
  const ns = freshNamespace('probe');
  const options: ProbeMixinOptions = { intervalMs: 300, maxIntervalMs: 300 };
  const [a, b] = [await node(ns, 'a', options, true), await node(ns, 'b', options, true)];
  // a slow failing answer: two nodes probing the same turn would overlap
  const slow = await subscriber(async (_q, res) => { await sleep(150); res.writeHead(503); res.end('down'); });
  const { subscription } = await subscriptionStore(a).create('t1', { url: slow.url, events: ['*'] });
  await subscriptionStore(a).disable(subscription.id, 'failing');

  const started = Date.now();
  await waitFor('five probes', () => probesOf(slow, subscription.id).length >= 5, 20_000);
  await sleep(1_000);
  const probes = probesOf(slow, subscription.id);
  // a probe's wait starts when the previous one ended: never two in one turn, whichever node made them
  expect(probes.length).toBeLessThanOrEqual((Date.now() - started) / 300 + 1);
  const gaps = probes.slice(1).map((p, i) => p.at - probes[i]!.at);
  expect(Math.min(...gaps)).toBeGreaterThanOrEqual(280);

  const switchedAt = Date.now();
  slow.fallback = ok;
  await waitFor('enabled', async () => (await get(b, subscription.id)).status === 'active', 10_000);
  await sleep(1_000);
  expect(probesOf(slow, subscription.id).filter((r) => r.at >= switchedAt)).toHaveLength(1);
  const probe = (await deliveries(b, subscription.id)).find((d) => d.delivery.eventType === 'webhook.test')!;
  expect(probe.attempts.filter((x) => x.outcome === 'succeeded')).toHaveLength(1);
  expect(probe.attempts).toHaveLength(probesOf(slow, subscription.id).length);
});
