/**
 * Faults on real servers: two webhooks nodes share the work, NATS restarted mid-run, the webhooks process
 * killed (SIGKILL) mid-retry and mid-attempt — nothing lost, every attempt made once and recorded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ServiceBroker } from 'moleculer';
import { RedisHistory } from '../../../src/webhooks-out/history';
import { suiteServers } from '../../harness/suite';
import { freshNamespace } from '../../integration/stack';
import type { Delivery, DeliveryAttempt } from '../../../src/webhooks-out/types';
import {
  FAST, TestLookup, makeBroker, publishReceived, sleep, startSubscriber, startWebhooksNode, waitFor,
  type Received, type WebhooksNode,
} from './helpers';

const stack = suiteServers();

const open: Array<{ stop(): Promise<void> } | { close(): Promise<void> }> = [];
afterEach(async () => { for (const o of open.splice(0).reverse()) await ('stop' in o ? o.stop() : o.close()).catch(() => undefined); });

/** A lookup over the same subscriptions that counts the attempts its node made (one `signingSecrets` per attempt). */
class CountingLookup extends TestLookup {
  attempts = 0;
  constructor(shared: TestLookup) {
    super();
    (this as { subs: TestLookup['subs'] }).subs = shared.subs;
    (this as { secrets: TestLookup['secrets'] }).secrets = shared.secrets;
  }
  override async signingSecrets(id: string) { this.attempts += 1; return super.signingSecrets(id); }
}

async function publisher(ns: string): Promise<ServiceBroker> {
  const b = makeBroker({ nodeID: `${ns}-pub`, namespace: ns, natsUrl: stack.nats().url, transporter: false });
  await b.start();
  open.push({ stop: () => b.stop() });
  return b;
}

async function publishWithRetry(b: ServiceBroker, ns: string, eventId: string, conversationId = eventId): Promise<void> {
  for (let i = 0; ; i++) {
    try { await publishReceived(b, ns, { eventId, conversationId }); return; } catch (err) { if (i > 60) throw err; await sleep(250); }
  }
}

const byId = (received: Received[]) => {
  const m = new Map<string, number>();
  for (const r of received) m.set(r.headers['webhook-id']!, (m.get(r.headers['webhook-id']!) ?? 0) + 1);
  return m;
};

async function history(node: WebhooksNode, subscriptionId: string): Promise<Map<string, { delivery: Delivery; attempts: DeliveryAttempt[] }>> {
  const out = new Map<string, { delivery: Delivery; attempts: DeliveryAttempt[] }>();
  let cursor: string | null = null;
  do {
    const page = await node.broker.call('webhooks.listDeliveries', { subscriptionId, limit: 500, ...(cursor ? { cursor } : {}) }) as { deliveries: Delivery[]; nextCursor: string | null };
    for (const d of page.deliveries) out.set(d.deliveryId, await node.broker.call('webhooks.getDelivery', { deliveryId: d.deliveryId }) as { delivery: Delivery; attempts: DeliveryAttempt[] });
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

test('two webhooks nodes on one NATS share the work: each delivery attempted once, the history complete whichever node made it', async () => {
  const ns = freshNamespace('wc');
  const shared = new TestLookup();
  const sub = await startSubscriber();
  open.push(sub);
  shared.add({ id: 'sub_1', url: sub.url });
  shared.add({ id: 'sub_2', url: sub.url });
  const [la, lb] = [new CountingLookup(shared), new CountingLookup(shared)];
  const a = await startWebhooksNode({ nodeID: `${ns}-a`, namespace: ns, natsUrl: stack.nats().url, redisUrl: stack.redis().url, lookup: la, transporter: false, options: { concurrency: 5 } });
  const b = await startWebhooksNode({ nodeID: `${ns}-b`, namespace: ns, natsUrl: stack.nats().url, redisUrl: stack.redis().url, lookup: lb, transporter: false, options: { concurrency: 5 } });
  open.push(a, b);
  const pub = await publisher(ns);
  for (let i = 0; i < 100; i++) await publishReceived(pub, ns, { eventId: `e${i}` });
  await waitFor('200 deliveries', () => sub.received.length >= 200, 30_000);
  await sleep(1_000);
  const counts = byId(sub.received);
  expect(counts.size).toBe(200);
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
  expect(la.attempts).toBeGreaterThan(0);
  expect(lb.attempts).toBeGreaterThan(0);
  expect(la.attempts + lb.attempts).toBe(200);
  for (const s of ['sub_1', 'sub_2']) {
    const h = await history(a, s);
    expect(h.size).toBe(100);
    for (const { delivery, attempts } of h.values()) {
      expect(delivery.outcome).toBe('succeeded');
      expect(attempts).toHaveLength(1);
    }
  }
});

test('NATS restarted mid-run: every event delivered, none twice, the history complete', async () => {
  const ns = freshNamespace('wn');
  const lookup = new TestLookup();
  const sub = await startSubscriber();
  open.push(sub);
  lookup.add({ id: 'sub_1', url: sub.url });
  const node = await startWebhooksNode({ nodeID: `${ns}-a`, namespace: ns, natsUrl: stack.nats().url, redisUrl: stack.redis().url, lookup, transporter: false, options: { jobAckWaitMs: 3_000 } });
  open.push(node);
  const pub = await publisher(ns);
  for (let i = 0; i < 20; i++) await publishReceived(pub, ns, { eventId: `e${i}` });
  await stack.nats().stop();
  await sleep(1_000);
  await stack.nats().start();
  for (let i = 20; i < 40; i++) await publishWithRetry(pub, ns, `e${i}`);
  await waitFor('40 deliveries', () => byId(sub.received).size >= 40, 45_000);
  await sleep(1_500);
  const counts = byId(sub.received);
  expect(counts.size).toBe(40);
  const h = await waitFor('all settled', async () => {
    const x = await history(node, 'sub_1');
    return x.size === 40 && [...x.values()].every((d) => d.delivery.outcome === 'succeeded') ? x : null;
  }, 20_000);
  for (const [id, { attempts }] of h) {
    // a request the subscriber answered twice would be a second attempt, recorded as such
    expect(attempts.filter((a) => a.outcome === 'succeeded').length).toBeGreaterThanOrEqual(1);
    expect(attempts.length).toBeGreaterThanOrEqual(counts.get(id)!);
  }
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
}, 120_000);

function spawnWorker(cfg: Record<string, unknown>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'worker-process.ts')], {
    env: { ...process.env, WH_CONFIG: JSON.stringify(cfg) }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d) => { err += d; });
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => { if (d.toString().includes('ready')) resolve(child); });
    child.once('exit', (code) => reject(new Error(`worker exited ${code}: ${err.slice(-2000)}`)));
  });
}

test('the webhooks process killed (SIGKILL) mid-retry and mid-attempt: every retry still happens on a new node, no attempt unrecorded', async () => {
  const ns = freshNamespace('wk');
  const sub = await startSubscriber();
  open.push(sub);
  const lookup = new TestLookup();
  const s = lookup.add({ id: 'sub_1', url: sub.url });
  const options = { ...FAST, retryScheduleMs: [2_500, 500, 500], jobAckWaitMs: 2_000 };
  // e0..e4: the first attempt fails (500), the retry is due 2.5 s later; e5: the subscriber holds the first request
  const seen = new Map<string, number>();
  sub.fallback = (_q, res, _n, r) => {
    const text = String((r.body.data.eventId));
    const n = (seen.get(text) ?? 0) + 1;
    seen.set(text, n);
    if (n === 1 && text === 'e5') return; // held: the process dies with this request in flight
    res.writeHead(n === 1 ? 500 : 200); res.end();
  };
  const child = await spawnWorker({ nodeID: `${ns}-child`, namespace: ns, natsUrl: stack.nats().url, redisUrl: stack.redis().url, subscriptions: [{ sub: s, secrets: lookup.secrets.get('sub_1') }], options });
  let killed = false;
  open.push({ stop: async () => { if (!killed) child.kill('SIGKILL'); } });
  const pub = await publisher(ns);
  for (let i = 0; i < 6; i++) await publishReceived(pub, ns, { eventId: `e${i}` });
  await waitFor('6 first attempts', () => seen.size >= 6, 15_000);
  // the five 500s are recorded, their retries waiting in JetStream (read as an operator would, from Redis)
  const store = new RedisHistory({ redis: stack.redis().url, prefix: `${ns}:wh:` });
  open.push({ close: () => store.close() });
  await waitFor('5 recorded attempts', async () => {
    const page = await store.listDeliveries('sub_1', { limit: 10 });
    const ds = await Promise.all(page.deliveries.map((d) => store.getDelivery(d.deliveryId)));
    return ds.filter((d) => d && d.attemptCount === 1).length >= 5;
  }, 15_000);
  child.kill('SIGKILL');
  killed = true;
  await new Promise((r) => child.once('exit', r));
  const before = sub.received.length;
  expect(before).toBe(6);

  const node = await startWebhooksNode({ nodeID: `${ns}-new`, namespace: ns, natsUrl: stack.nats().url, redisUrl: stack.redis().url, lookup, transporter: false, options });
  open.push(node);
  const h = await waitFor('6 succeeded', async () => {
    const x = await history(node, 'sub_1');
    return x.size === 6 && [...x.values()].every((d) => d.delivery.outcome === 'succeeded') ? x : null;
  }, 30_000);
  for (const { delivery, attempts } of h.values()) {
    const text = delivery.eventId.split(":")[2];
    if (process.env.WH_DEBUG) console.log(text, JSON.stringify(attempts.map((a) => [a.attempt, a.outcome, a.error, a.response?.status])));
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2]);
    if (text === 'e5') {
      expect(attempts[0]).toMatchObject({ outcome: 'failed', error: { code: 'INTERRUPTED' } });
    } else {
      expect(attempts[0]).toMatchObject({ outcome: 'failed', response: { status: 500 } });
    }
    expect(attempts[1]).toMatchObject({ outcome: 'succeeded', response: { status: 200 } });
  }
  // every request the subscriber got is one recorded attempt
  expect(sub.received.length).toBe(12);
}, 90_000);


test('Redis down: fail closed — no attempt is made without its record, nothing is lost; once Redis is back every event is delivered once', async () => {
  const ns = freshNamespace('wr');
  const lookup = new TestLookup();
  const sub = await startSubscriber();
  open.push(sub);
  lookup.add({ id: 'sub_1', url: sub.url });
  const node = await startWebhooksNode({ nodeID: `${ns}-a`, namespace: ns, natsUrl: stack.nats().url, redisUrl: stack.redis().url, lookup, transporter: false });
  open.push(node);
  const pub = await publisher(ns);
  await stack.redis().stop();
  try {
    for (let i = 0; i < 5; i++) await publishReceived(pub, ns, { eventId: `e${i}` });
    await sleep(1_500);
    expect(sub.received).toHaveLength(0);
  } finally {
    await stack.redis().start();
  }
  await waitFor('5 deliveries', () => byId(sub.received).size >= 5, 30_000);
  const h = await waitFor('5 succeeded', async () => {
    const x = await history(node, 'sub_1').catch(() => null);
    return x && x.size === 5 && [...x.values()].every((d) => d.delivery.outcome === 'succeeded') ? x : null;
  }, 20_000);
  for (const { attempts } of h.values()) expect(attempts.map((a) => a.outcome)).toEqual(['succeeded']);
  expect([...byId(sub.received).values()].every((n) => n === 1)).toBe(true);
}, 90_000);
