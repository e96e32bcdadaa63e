/** The delivery actions (test event, list with outcome and cursor, get, redeliver, recover, tenants) and ordering per conversation, on NATS + Redis. */
import { suiteServers } from '../../harness/suite';
import { freshNamespace } from '../../integration/stack';
import type { Delivery, DeliveryAttempt } from '../../../src/webhooks-out/types';
import {
  TestLookup, newSecret, publishReceived, sleep, startSubscriber, startWebhooksNode, status, verifyWith, waitFor,
  type Answer, type WebhooksNode,
} from './helpers';

const stack = suiteServers();

const open: Array<{ stop(): Promise<void> } | { close(): Promise<void> }> = [];
afterEach(async () => { for (const o of open.splice(0).reverse()) await ('stop' in o ? o.stop() : o.close()).catch(() => undefined); });

async function setup(opts: Parameters<typeof startWebhooksNode>[0]['options'] = {}) {
  const ns = freshNamespace('wa');
  const lookup = new TestLookup();
  const sub = await startSubscriber();
  open.push(sub);
  const node = await startWebhooksNode({ nodeID: `${ns}-a`, namespace: ns, natsUrl: stack.nats().url, redisUrl: stack.redis().url, lookup, options: opts });
  open.push(node);
  return { ns, lookup, node, sub };
}
type Page = { deliveries: Array<Delivery & { nextAttemptAt?: string }>; nextCursor: string | null };
const call = <T>(node: WebhooksNode, action: string, params: Record<string, unknown>) => node.broker.call(`webhooks.${action}`, params) as Promise<T>;
const codeOf = async (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: number; type?: string }) => `${e.code} ${e.type ?? ''}`.trim());

describe('actions', () => {
  test('sendTestEvent: a webhook.test delivery whatever `events` says, signed; 202 {deliveryId}', async () => {
    const { node, lookup, sub } = await setup();
    const secret = newSecret();
    lookup.add({ id: 'sub_1', url: sub.url, events: ['message.failed'] }, [secret]);
    const ctx = await node.broker.call('webhooks.sendTestEvent', { tenantId: 't1', subscriptionId: 'sub_1' }, { meta: {} });
    const { deliveryId } = ctx as { deliveryId: string };
    const r = await waitFor('the test event', () => sub.received[0]);
    expect(r.headers['webhook-id']).toBe(deliveryId);
    expect(verifyWith(secret, r)).toMatchObject({ type: 'webhook.test', data: { subscriptionId: 'sub_1' } });
    expect(await codeOf(call(node, 'sendTestEvent', { tenantId: 't2', subscriptionId: 'sub_1' }))).toBe('403 FORBIDDEN');
    expect(await codeOf(call(node, 'sendTestEvent', { tenantId: 't1', subscriptionId: 'nope' }))).toMatch(/^404/);
  });

  test('listDeliveries: newest first, filtered by outcome, paged with a cursor that covers every delivery once; 403 for another tenant', async () => {
    const { node, lookup, sub, ns } = await setup({ retryScheduleMs: [] });
    lookup.add({ id: 'sub_1', url: sub.url });
    let n = 0;
    sub.fallback = (_q, res) => { n += 1; res.writeHead(n % 3 === 0 ? 500 : 200); res.end(); };
    for (let i = 0; i < 12; i++) await publishReceived(node.broker, ns, { eventId: `e${i}`, conversationId: `c${i}` });
    await waitFor('12 requests', () => sub.received.length >= 12);
    await waitFor('12 settled', async () => (await call<Page>(node, 'listDeliveries', { tenantId: 't1', subscriptionId: 'sub_1', outcome: 'pending' })).deliveries.length === 0);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page = await call<Page>(node, 'listDeliveries', { tenantId: 't1', subscriptionId: 'sub_1', limit: 5, ...(cursor ? { cursor } : {}) });
      seen.push(...page.deliveries.map((d) => d.deliveryId));
      for (let i = 1; i < page.deliveries.length; i++) expect(page.deliveries[i - 1]!.createdAt >= page.deliveries[i]!.createdAt).toBe(true);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(12);
    expect(seen.sort()).toEqual([...new Set(sub.received.map((r) => r.headers['webhook-id']!))].sort());
    const failed = await call<Page>(node, 'listDeliveries', { tenantId: 't1', subscriptionId: 'sub_1', outcome: 'failed' });
    const succeeded = await call<Page>(node, 'listDeliveries', { tenantId: 't1', subscriptionId: 'sub_1', outcome: 'succeeded', limit: 100 });
    expect(failed.deliveries).toHaveLength(4);
    expect(succeeded.deliveries).toHaveLength(8);
    expect(failed.deliveries.every((d) => d.outcome === 'failed')).toBe(true);
    expect(await codeOf(call(node, 'listDeliveries', { tenantId: 't2', subscriptionId: 'sub_1' }))).toBe('403 FORBIDDEN');
    expect(await codeOf(call(node, 'listDeliveries', { tenantId: 't1', subscriptionId: 'sub_1', cursor: 'not-a-cursor' }))).toMatch(/^400/);
    expect(await codeOf(call(node, 'listDeliveries', { tenantId: 't1', subscriptionId: 'sub_1', outcome: 'lost' }))).toMatch(/^422/);
  });

  test('getDelivery and redeliver: same delivery id, a manual attempt on a succeeded delivery; 403 for another tenant', async () => {
    const { node, lookup, sub, ns } = await setup();
    lookup.add({ id: 'sub_1', url: sub.url });
    await publishReceived(node.broker, ns, { eventId: 'e1' });
    const id = (await waitFor('a request', () => sub.received[0])).headers['webhook-id']!;
    await waitFor('succeeded', async () => (await call<{ delivery: Delivery }>(node, 'getDelivery', { tenantId: 't1', deliveryId: id })).delivery.outcome === 'succeeded');
    expect(await codeOf(call(node, 'getDelivery', { tenantId: 't2', deliveryId: id }))).toBe('403 FORBIDDEN');
    expect(await codeOf(call(node, 'redeliver', { tenantId: 't2', deliveryId: id }))).toBe('403 FORBIDDEN');
    expect(await codeOf(call(node, 'getDelivery', { tenantId: 't1', deliveryId: 'msg_nothing' }))).toMatch(/^404/);
    sub.answers.push(status(500));
    expect(await call(node, 'redeliver', { tenantId: 't1', deliveryId: id })).toEqual({ deliveryId: id });
    await waitFor('the manual attempt', () => sub.received.length >= 2);
    expect(sub.received[1]!.headers['webhook-id']).toBe(id);
    expect(sub.received[1]!.raw).toBe(sub.received[0]!.raw);
    const got = await waitFor('2 attempts', async () => {
      const d = await call<{ delivery: Delivery; attempts: DeliveryAttempt[] }>(node, 'getDelivery', { tenantId: 't1', deliveryId: id });
      return d.attempts.length === 2 ? d : null;
    });
    expect(got.attempts[1]).toMatchObject({ attempt: 2, trigger: 'manual', outcome: 'failed', response: { status: 500 } });
    expect(got.delivery.outcome).toBe('failed'); // the latest attempt failed and no retry is scheduled for a manual one
    await sleep(700);
    expect(sub.received).toHaveLength(2);
  });

  test('recover: validates `since`, 403 for another tenant', async () => {
    const { node, lookup, sub } = await setup();
    lookup.add({ id: 'sub_1', url: sub.url });
    expect(await codeOf(call(node, 'recover', { tenantId: 't1', subscriptionId: 'sub_1', since: 'yesterday' }))).toMatch(/^400/);
    // the key's tenant (meta) and the params' must agree
    expect(await codeOf(node.broker.call('webhooks.recover', { tenantId: 't1', subscriptionId: 'sub_1', since: 0 }, { meta: { tenantId: 't2' } }))).toBe('403 FORBIDDEN');
    expect(await codeOf(node.broker.call('webhooks.listDeliveries', { subscriptionId: 'sub_1' }, { meta: { tenantId: 't2' } }))).toBe('403 FORBIDDEN');
    expect(await codeOf(call(node, 'recover', { tenantId: 't2', subscriptionId: 'sub_1', since: new Date().toISOString() }))).toBe('403 FORBIDDEN');
    expect(await call(node, 'recover', { tenantId: 't1', subscriptionId: 'sub_1', since: new Date().toISOString() })).toEqual({ requeued: 0 });
  });
});

describe("ordering: 'conversation'", () => {
  test('events of one conversation arrive in order (the next waits for the previous to succeed), other conversations in parallel', async () => {
    const { node, lookup, sub, ns } = await setup({ retryScheduleMs: [400, 400, 400] });
    lookup.add({ id: 'sub_1', url: sub.url, ordering: 'conversation' });
    const failsOf = new Map<string, number>([['a1', 2]]); // a1 fails twice, then succeeds
    const delivered: Array<{ text: string; at: number }> = [];
    const answer: Answer = (_q, res, _n, r) => {
      const text = String((r.body.data.message as { content: { text: string } }).content.text);
      const left = failsOf.get(text) ?? 0;
      if (left > 0) { failsOf.set(text, left - 1); res.writeHead(500); res.end(); return; }
      delivered.push({ text, at: Date.now() });
      res.writeHead(200); res.end();
    };
    sub.fallback = answer;
    for (const [conv, text] of [['A', 'a1'], ['A', 'a2'], ['B', 'b1'], ['A', 'a3'], ['B', 'b2']] as const) {
      await publishReceived(node.broker, ns, { eventId: text, conversationId: conv, text });
    }
    await waitFor('5 deliveries', () => delivered.length >= 5, 20_000);
    const order = delivered.map((d) => d.text);
    expect(order.filter((t) => t.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
    expect(order.filter((t) => t.startsWith('b'))).toEqual(['b1', 'b2']);
    // B did not wait for A's retries
    const at = (t: string) => delivered.find((d) => d.text === t)!.at;
    expect(at('b2')).toBeLessThan(at('a1'));
    // a2 was never sent before a1 succeeded
    const firstA2 = sub.received.findIndex((r) => (r.body.data.message as { content: { text: string } }).content.text === 'a2');
    const a1Success = sub.received.findIndex((r, i) => (r.body.data.message as { content: { text: string } }).content.text === 'a1' && i >= 2);
    expect(firstA2).toBeGreaterThan(a1Success);
  });

  test('a delivery given up lets the next one of its conversation go', async () => {
    const { node, lookup, sub, ns } = await setup({ retryScheduleMs: [200] });
    lookup.add({ id: 'sub_1', url: sub.url, ordering: 'conversation' });
    sub.fallback = (_q, res, _n, r) => {
      const text = String((r.body.data.message as { content: { text: string } }).content.text);
      res.writeHead(text === 'x1' ? 500 : 200); res.end();
    };
    await publishReceived(node.broker, ns, { eventId: 'x1', conversationId: 'X', text: 'x1' });
    await publishReceived(node.broker, ns, { eventId: 'x2', conversationId: 'X', text: 'x2' });
    await waitFor('x2 delivered', () => sub.received.some((r) => (r.body.data.message as { content: { text: string } }).content.text === 'x2'));
    const texts = sub.received.map((r) => (r.body.data.message as { content: { text: string } }).content.text);
    expect(texts).toEqual(['x1', 'x1', 'x2']);
  });

  test('recover re-queues failed deliveries of an ordered subscription, in order, right after they failed', async () => {
    const { node, lookup, sub, ns } = await setup({ retryScheduleMs: [] });
    lookup.add({ id: 'sub_1', url: sub.url, ordering: 'conversation' });
    sub.fallback = status(500);
    for (const text of ['o1', 'o2', 'o3']) await publishReceived(node.broker, ns, { eventId: text, conversationId: 'O', text });
    await waitFor('3 failed', async () => (await call<Page>(node, 'listDeliveries', { tenantId: 't1', subscriptionId: 'sub_1', outcome: 'failed' })).deliveries.length === 3);
    const before = sub.received.length;
    sub.fallback = status(200);
    expect(await call(node, 'recover', { tenantId: 't1', subscriptionId: 'sub_1', since: Date.now() - 60_000 })).toEqual({ requeued: 3 });
    await waitFor('3 succeeded', async () => (await call<Page>(node, 'listDeliveries', { tenantId: 't1', subscriptionId: 'sub_1', outcome: 'succeeded' })).deliveries.length === 3);
    const texts = sub.received.slice(before).map((r) => (r.body.data.message as { content: { text: string } }).content.text);
    expect(texts).toEqual(['o1', 'o2', 'o3']);
  });

  test('a burst of one conversation (published at once) arrives in the order it was stored', async () => {
    const { node, lookup, sub, ns } = await setup();
    lookup.add({ id: 'sub_1', url: sub.url, ordering: 'conversation' });
    const acks = await Promise.all(Array.from({ length: 20 }, (_, i) => publishReceived(node.broker, ns, { eventId: `b${i}`, conversationId: 'B', text: `b${i}` })));
    const storedOrder = acks.map((a, i) => ({ seq: a.seq, text: `b${i}` })).sort((x, y) => x.seq - y.seq).map((x) => x.text);
    await waitFor('20 deliveries', () => sub.received.length >= 20, 20_000);
    expect(sub.received.map((r) => (r.body.data.message as { content: { text: string } }).content.text)).toEqual(storedOrder);
  });
});
