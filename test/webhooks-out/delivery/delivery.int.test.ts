/**
 * Delivery on real NATS JetStream + Redis to local subscribers: Standard Webhooks signatures (checked with the
 * official `standardwebhooks` package), retries, deadlines, caps, redirects, 410, Retry-After, the history.
 */
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { suiteServers } from '../../harness/suite';
import { freshNamespace } from '../../integration/stack';
import type { DeliveryAttempt, Delivery } from '../../../src/webhooks-out/types';
import { fanOut } from '../../../src/webhooks-out/delivery';
import { subscriptionDisabledChannel } from '../../../src/webhooks-out/delivery/job';
import { readStream } from '../../integration/outbound-stack';
import { createHistoryStore, type HistoryStore } from '../../../src/webhooks-out/history';
import {
  TestLookup, makeBroker, newSecret, ok, publishReceived, runtimeOfNode, sleep, startSubscriber, startWebhooksNode, status, verifyWith, waitFor,
  type Subscriber, type WebhooksNode,
} from './helpers';

const stack = suiteServers();

interface Setup { ns: string; lookup: TestLookup; node: WebhooksNode; sub: Subscriber }
const open: Array<{ stop(): Promise<void> } | { close(): Promise<void> }> = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await ('stop' in o ? o.stop() : o.close()).catch(() => undefined);
});

async function setup(opts: Parameters<typeof startWebhooksNode>[0]['options'] = {}): Promise<Setup> {
  const ns = freshNamespace('wh');
  const lookup = new TestLookup();
  const sub = await startSubscriber();
  open.push(sub);
  const node = await startWebhooksNode({ nodeID: `${ns}-a`, namespace: ns, natsUrl: stack.nats().url, redisUrl: stack.redis().url, lookup, options: opts });
  open.push(node);
  return { ns, lookup, node, sub };
}

const getDelivery = (s: Setup, deliveryId: string, tenantId = 't1') =>
  s.node.broker.call('webhooks.getDelivery', { tenantId, deliveryId }) as Promise<{ delivery: Delivery & { nextAttemptAt?: string }; attempts: DeliveryAttempt[] }>;

async function settled(s: Setup, deliveryId: string, outcome: Delivery['outcome'] = 'succeeded', timeoutMs = 15_000) {
  return waitFor(`delivery ${deliveryId} ${outcome}`, async () => {
    const d = await getDelivery(s, deliveryId).catch(() => null);
    return d && d.delivery.outcome === outcome ? d : null;
  }, timeoutMs);
}

describe('a delivery', () => {
  test('is a signed POST of {type, timestamp, data}: every active secret signs, the official library verifies each; the history has the attempt', async () => {
    const s = await setup();
    const [current, previous] = [newSecret(), newSecret()];
    s.lookup.add({ id: 'sub_1', url: s.sub.url }, [current, previous]);
    await publishReceived(s.node.broker, s.ns, { eventId: 'e1', text: 'héllo ✓' });
    const r = await waitFor('a request', () => s.sub.received[0]);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(verifyWith(current, r)).toMatchObject({ type: 'message.received', data: { tenantId: 't1', message: { content: { text: 'héllo ✓' } } } });
    expect(verifyWith(previous, r)).toBeTruthy();
    expect(() => verifyWith(newSecret(), r)).toThrow();
    expect(new Date(r.body.timestamp).toISOString()).toBe(r.body.timestamp);
    expect(Math.abs(Number(r.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(30);

    const deliveryId = r.headers['webhook-id']!;
    expect(deliveryId).toMatch(/^msg_[A-Za-z0-9]{27}$/);
    const { delivery, attempts } = await settled(s, deliveryId);
    expect(delivery).toMatchObject({ deliveryId, subscriptionId: 'sub_1', eventType: 'message.received', eventId: 'acme:ch1:e1:0', outcome: 'succeeded', attemptCount: 1 });
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({
      deliveryId, attempt: 1, trigger: 'scheduled', outcome: 'succeeded',
      request: { url: s.sub.url, method: 'POST', bodyBytes: Buffer.byteLength(r.raw) },
      response: { status: 200, body: '{"ok":true}' },
    });
    expect(attempts[0]!.request.headers['webhook-id']).toBe(deliveryId);
    expect(JSON.stringify(attempts)).not.toContain(current.slice(6));
  });

  test('goes to matching subscriptions only: event type, tenant, filter; a redelivered event makes no second delivery', async () => {
    const s = await setup();
    s.lookup.add({ id: 'all', url: s.sub.url });
    s.lookup.add({ id: 'sentOnly', url: s.sub.url, events: ['message.sent'] });
    s.lookup.add({ id: 'otherTenant', url: s.sub.url, tenantId: 't2' });
    s.lookup.add({ id: 'filtered', url: s.sub.url, filter: { equals: { 'message.conversationId': 'c-vip' } } });
    s.lookup.add({ id: 'filteredIn', url: s.sub.url, filter: { in: { channelId: ['ch9'] }, exists: ['message.id'] } });
    await publishReceived(s.node.broker, s.ns, { eventId: 'e1', conversationId: 'c-vip' });
    await waitFor('two requests', () => s.sub.received.length >= 2);
    await sleep(500);
    expect(s.sub.received).toHaveLength(2);
    // the fan-out run again on the same event (as after a crash before its ack): nothing new
    const rt = runtimeOfNode(s.node);
    const event = { eventType: 'message.received', eventId: 'acme:ch1:e1:0', tenantId: 't1', data: s.sub.received[0]!.body.data, storedAt: Date.now() };
    expect(await fanOut(rt, event)).toBe(2);
    await sleep(800);
    expect(s.sub.received).toHaveLength(2);
    expect(new Set(s.sub.received.map((r) => r.headers['webhook-id'])).size).toBe(2);
  });
});

describe('fan-out reads', () => {
  test('a backlog of one conversation shares its subscription reads (not one read per event, in turn); every event is delivered once, in order', async () => {
    const ns = freshNamespace('wh');
    const sub = await startSubscriber();
    open.push(sub);
    // a first node makes the stream and the fan-out's durable consumer, then stops: the events wait in the stream
    const first = await startWebhooksNode({ nodeID: `${ns}-a`, namespace: ns, natsUrl: stack.nats().url, redisUrl: stack.redis().url, lookup: new TestLookup() });
    await first.stop();
    const publisher = makeBroker({ nodeID: `${ns}-p`, namespace: ns, natsUrl: stack.nats().url, redisUrl: stack.redis().url });
    await publisher.start();
    open.push({ stop: () => publisher.stop() });
    const events = 40;
    for (let e = 0; e < events; e++) await publishReceived(publisher, ns, { eventId: `e${e}`, conversationId: 'c1', text: `m${e}` });

    let reads = 0;
    const lookup = new (class extends TestLookup {
      override async match(tenantId: string, eventType: string, o: { includeDisabled?: boolean } = {}) { reads++; return super.match(tenantId, eventType, o); }
    })();
    lookup.add({ id: 'sub_1', url: sub.url, ordering: 'conversation' });
    const node = await startWebhooksNode({ nodeID: `${ns}-b`, namespace: ns, natsUrl: stack.nats().url, redisUrl: stack.redis().url, lookup });
    open.push(node);
    await waitFor(`${events} deliveries`, () => sub.received.length >= events);
    await sleep(300);
    expect(sub.received.map((r) => (r.body.data as { message: { content: { text: string } } }).message.content.text))
      .toEqual(Array.from({ length: events }, (_, e) => `m${e}`));
    // taken up in a few pulled batches: a read per batch (one each, in turn, before)
    expect(reads).toBeLessThan(events / 2);
  });
});

describe('retries', () => {
  test('500 then 200: the same webhook-id, two attempts recorded, the first with its status and next attempt time', async () => {
    const s = await setup();
    s.lookup.add({ id: 'sub_1', url: s.sub.url });
    s.sub.answers.push(status(500));
    await publishReceived(s.node.broker, s.ns, { eventId: 'e1' });
    await waitFor('two requests', () => s.sub.received.length >= 2);
    const [a, b] = s.sub.received;
    expect(b!.headers['webhook-id']).toBe(a!.headers['webhook-id']);
    expect(b!.at - a!.at).toBeGreaterThanOrEqual(250);
    const { delivery, attempts } = await settled(s, a!.headers['webhook-id']!);
    expect(delivery.attemptCount).toBe(2);
    expect(attempts.map((x) => [x.attempt, x.outcome, x.response?.status])).toEqual([[1, 'failed', 500], [2, 'succeeded', 200]]);
    expect(attempts[0]!.error).toEqual({ code: 'HTTP_ERROR', message: 'HTTP 500' });
    expect(Date.parse(attempts[0]!.nextAttemptAt!)).toBeGreaterThan(Date.parse(attempts[0]!.at));
  });

  test('subscriber down: every scheduled attempt fails and is recorded, then the delivery has failed; recover re-queues it once the subscriber is back', async () => {
    const s = await setup();
    const port = s.sub.port;
    await s.sub.close();
    s.lookup.add({ id: 'sub_1', url: `http://127.0.0.1:${port}/hook` });
    await publishReceived(s.node.broker, s.ns, { eventId: 'e1' });
    const page = await waitFor('a failed delivery', async () => {
      const p = await s.node.broker.call('webhooks.listDeliveries', { tenantId: 't1', subscriptionId: 'sub_1', outcome: 'failed' }) as { deliveries: Delivery[] };
      return p.deliveries.length ? p : null;
    });
    const id = page.deliveries[0]!.deliveryId;
    const { attempts } = await getDelivery(s, id);
    expect(attempts).toHaveLength(4); // first + 3 retries of the test schedule
    for (const a of attempts) { expect(a.outcome).toBe('failed'); expect(a.response).toBeUndefined(); expect(a.error?.code).toMatch(/ECONNREFUSED|CONNECTION_ERROR/); }

    const back = await startSubscriber(ok, port);
    open.push(back);
    const since = new Date(Date.now() - 60_000).toISOString();
    expect(await s.node.broker.call('webhooks.recover', { tenantId: 't1', subscriptionId: 'sub_1', since })).toEqual({ requeued: 1 });
    const done = await settled(s, id);
    expect(done.attempts).toHaveLength(5);
    expect(back.received[0]!.headers['webhook-id']).toBe(id);
    expect(await s.node.broker.call('webhooks.recover', { tenantId: 't1', subscriptionId: 'sub_1', since })).toEqual({ requeued: 0 });
  });

  test('503 with Retry-After is honoured (within bounds) instead of the schedule', async () => {
    const s = await setup({ retryScheduleMs: [10_000, 10_000], retryAfterMinMs: 500 });
    s.lookup.add({ id: 'sub_1', url: s.sub.url });
    s.sub.answers.push(status(503, { 'retry-after': '1' }));
    await publishReceived(s.node.broker, s.ns, { eventId: 'e1' });
    await waitFor('the retry', () => s.sub.received.length >= 2, 8_000);
    const gap = s.sub.received[1]!.at - s.sub.received[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(900);
    expect(gap).toBeLessThan(9_000);
  });

  test('failing without a success for the configured period disables the subscription (failing)', async () => {
    const s = await setup({ retryScheduleMs: [300, 300, 300, 300, 300, 300], disableAfterFailingMs: 700 });
    s.sub.fallback = status(500);
    s.lookup.add({ id: 'sub_1', url: s.sub.url });
    await publishReceived(s.node.broker, s.ns, { eventId: 'e1' });
    await waitFor('disabled', () => s.lookup.disabled.length > 0);
    expect(s.lookup.disabled).toEqual([{ id: 'sub_1', reason: 'failing' }]);
    const id = s.sub.received[0]!.headers['webhook-id']!;
    const { delivery } = await settled(s, id, 'failed');
    const n = s.sub.received.length;
    await sleep(1_000);
    expect(s.sub.received.length).toBe(n);
    expect(delivery.attemptCount).toBe(n);
  });
});

describe('the record before the ack', () => {
  test('a record write that fails leaves the job unacked: it comes back, the lost attempt is recorded (INTERRUPTED), then the next one', async () => {
    let failures = 3; // writeRecord tries 3 times: one whole run fails
    const s = await setup({
      history: (broker) => {
        const real = createHistoryStore(broker);
        return Object.assign(Object.create(real) as HistoryStore, {
          finishAttempt: (...args: Parameters<HistoryStore['finishAttempt']>) => (failures-- > 0 ? Promise.reject(new Error('redis write lost')) : real.finishAttempt(...args)),
          close: () => real.close(),
        });
      },
    });
    s.lookup.add({ id: 'sub_1', url: s.sub.url });
    await publishReceived(s.node.broker, s.ns, { eventId: 'e1' });
    await waitFor('two requests', () => s.sub.received.length >= 2, 20_000);
    const id = s.sub.received[0]!.headers['webhook-id']!;
    const { attempts } = await settled(s, id);
    expect(attempts.map((a) => [a.attempt, a.outcome, a.error?.code])).toEqual([[1, 'failed', 'INTERRUPTED'], [2, 'succeeded', undefined]]);
    expect(s.sub.received).toHaveLength(2);
  });
});

describe('answers that misbehave', () => {
  test('410 disables the subscription at once (gone) and publishes the disabled event; later events are not delivered', async () => {
    const s = await setup();
    s.sub.fallback = status(410);
    s.lookup.add({ id: 'sub_1', url: s.sub.url });
    await publishReceived(s.node.broker, s.ns, { eventId: 'e1' });
    await waitFor('disabled', () => s.lookup.disabled.length > 0);
    expect(s.lookup.disabled).toEqual([{ id: 'sub_1', reason: 'gone' }]);
    const events = await waitFor('the disabled event', async () => { const x = await readStream(stack.nats().url, subscriptionDisabledChannel(s.ns)); return x.length ? x : null; });
    expect(events.map((e) => e.data)).toEqual([{ subscriptionId: 'sub_1', tenantId: 't1', reason: 'gone' }]);
    const { delivery, attempts } = await settled(s, s.sub.received[0]!.headers['webhook-id']!, 'failed');
    expect(delivery.attemptCount).toBe(1);
    expect(attempts[0]).toMatchObject({ outcome: 'failed', response: { status: 410 }, error: { code: 'GONE' } });
    await publishReceived(s.node.broker, s.ns, { eventId: 'e2' });
    await sleep(800);
    expect(s.sub.received).toHaveLength(1);
    // not sent, but kept: a failed delivery without an attempt, which `recover` brings once enabled
    const kept = await s.node.broker.call('webhooks.listDeliveries', { tenantId: 't1', subscriptionId: 'sub_1', outcome: 'failed' }) as { deliveries: Delivery[] };
    expect(kept.deliveries.find((d) => d.eventId.includes('e2'))).toMatchObject({ outcome: 'failed', attemptCount: 0 });
  });

  test('at most `concurrency` attempts in flight, the slots kept full: every attempt recorded once', async () => {
    const s = await setup({ concurrency: 2 });
    let inFlight = 0;
    let peak = 0;
    s.sub.fallback = async (_q, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await sleep(150);
      inFlight--;
      res.writeHead(200);
      res.end('ok');
    };
    s.lookup.add({ id: 'sub_1', url: s.sub.url });
    const started = Date.now();
    for (let e = 0; e < 8; e++) await publishReceived(s.node.broker, s.ns, { eventId: `e${e}`, conversationId: `c${e}` });
    const page = await waitFor('8 succeeded deliveries', async () => {
      const p = await s.node.broker.call('webhooks.listDeliveries', { tenantId: 't1', subscriptionId: 'sub_1', outcome: 'succeeded' }) as { deliveries: Delivery[] };
      return p.deliveries.length === 8 ? p.deliveries : null;
    });
    expect(peak).toBe(2); // never more than the cap, and the cap was reached
    expect(Date.now() - started).toBeGreaterThanOrEqual(4 * 150 - 50); // 8 attempts, 2 at a time
    expect(s.sub.received).toHaveLength(8);
    for (const d of page) expect((await getDelivery(s, d.deliveryId)).attempts).toHaveLength(1);
  });

  test('a status line trickling at 1 byte/s: the deadline fires, the attempt is recorded failed (TIMEOUT)', async () => {
    const s = await setup({ attemptDeadlineMs: 1_500, retryScheduleMs: [] });
    const sockets: Socket[] = [];
    const trickle: TcpServer = createTcpServer((sock) => {
      sockets.push(sock);
      sock.on('error', () => undefined);
      const text = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok';
      let i = 0;
      const t = setInterval(() => { if (i < text.length && !sock.destroyed) sock.write(text[i++]!); else clearInterval(t); }, 1_000);
      sock.on('close', () => clearInterval(t));
    });
    await new Promise<void>((r) => trickle.listen(0, '127.0.0.1', r));
    open.push({ close: () => new Promise<void>((r) => { sockets.forEach((x) => x.destroy()); trickle.close(() => r()); }) });
    s.lookup.add({ id: 'sub_1', url: `http://127.0.0.1:${(trickle.address() as AddressInfo).port}/hook` });
    await publishReceived(s.node.broker, s.ns, { eventId: 'e1' });
    const page = await waitFor('a failed delivery', async () => {
      const p = await s.node.broker.call('webhooks.listDeliveries', { tenantId: 't1', subscriptionId: 'sub_1', outcome: 'failed' }) as { deliveries: Delivery[] };
      return p.deliveries[0];
    });
    const { attempts } = await getDelivery(s, page.deliveryId);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ outcome: 'failed', error: { code: 'TIMEOUT' } });
    expect(attempts[0]!.response).toBeUndefined();
    expect(attempts[0]!.durationMs).toBeGreaterThanOrEqual(1_400);
    expect(attempts[0]!.durationMs).toBeLessThan(5_000);
  });

  test('a 50 MB answer: read capped, the record keeps the first 4 KiB, the rest is never downloaded', async () => {
    const s = await setup();
    let written = 0;
    let finished = false;
    const big: Server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(50 * 1024 * 1024) });
        const chunk = Buffer.alloc(64 * 1024, 'x');
        const pump = () => {
          while (written < 50 * 1024 * 1024) {
            written += chunk.length;
            if (!res.write(chunk)) { res.once('drain', pump); return; }
          }
          finished = true;
          res.end();
        };
        res.on('close', () => undefined);
        pump();
      });
    });
    await new Promise<void>((r) => big.listen(0, '127.0.0.1', r));
    open.push({ close: () => new Promise<void>((r) => { big.closeAllConnections(); big.close(() => r()); }) });
    s.lookup.add({ id: 'sub_1', url: `http://127.0.0.1:${(big.address() as AddressInfo).port}/hook` });
    await publishReceived(s.node.broker, s.ns, { eventId: 'e1' });
    const page = await waitFor('a succeeded delivery', async () => {
      const p = await s.node.broker.call('webhooks.listDeliveries', { tenantId: 't1', subscriptionId: 'sub_1', outcome: 'succeeded' }) as { deliveries: Delivery[] };
      return p.deliveries[0];
    });
    const { attempts } = await getDelivery(s, page.deliveryId);
    expect(attempts[0]!.response!.status).toBe(200);
    expect(attempts[0]!.response!.body).toBe('x'.repeat(4096));
    await sleep(300);
    expect(finished).toBe(false);
    expect(written).toBeLessThan(50 * 1024 * 1024);
  });

  test('a redirect (to an internal address) is not followed: a failed attempt, recorded with its Location; nothing reaches the target', async () => {
    const s = await setup({ retryScheduleMs: [] });
    const target = await startSubscriber();
    open.push(target);
    s.sub.fallback = status(302, { location: `http://169.254.169.254/latest/meta-data?via=${encodeURIComponent(target.url)}` });
    s.sub.answers.push(status(307, { location: target.url }));
    s.lookup.add({ id: 'sub_1', url: s.sub.url });
    await publishReceived(s.node.broker, s.ns, { eventId: 'e1' });
    const page = await waitFor('a failed delivery', async () => {
      const p = await s.node.broker.call('webhooks.listDeliveries', { tenantId: 't1', subscriptionId: 'sub_1', outcome: 'failed' }) as { deliveries: Delivery[] };
      return p.deliveries[0];
    });
    const { attempts } = await getDelivery(s, page.deliveryId);
    expect(attempts[0]).toMatchObject({ outcome: 'failed', response: { status: 307 }, error: { code: 'REDIRECT' } });
    expect(attempts[0]!.error!.message).toContain(target.url);
    expect(target.received).toHaveLength(0);
  });

  test('an internal URL is refused on the address dialled when private networks are not allowed: recorded, no request', async () => {
    const s = await setup({ retryScheduleMs: [], allowPrivateNetworks: false });
    s.lookup.add({ id: 'sub_1', url: s.sub.url });
    await publishReceived(s.node.broker, s.ns, { eventId: 'e1' });
    const page = await waitFor('a failed delivery', async () => {
      const p = await s.node.broker.call('webhooks.listDeliveries', { tenantId: 't1', subscriptionId: 'sub_1', outcome: 'failed' }) as { deliveries: Delivery[] };
      return p.deliveries[0];
    });
    const { attempts } = await getDelivery(s, page.deliveryId);
    expect(attempts[0]).toMatchObject({ outcome: 'failed', error: { code: 'UNSAFE_URL' } });
    expect(s.sub.received).toHaveLength(0);
  });
});
