/**
 * Tenant webhooks end to end, both halves together, on real NATS + Redis: a tenant subscribes its URL through
 * the operator API, a signed webhook comes in, and the subscriber receives a delivery that the official
 * `standardwebhooks` library verifies with the secret the create answer showed; the history API lists the
 * delivery and its attempt; the test route sends `webhook.test`; a rotated secret signs at once.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServiceBroker } from 'moleculer';
import ApiGateway from 'moleculer-web';
import { Webhook } from 'standardwebhooks';
import { operatorApiRoutes, webhookRoutes } from '../../src/gateway';
import type { IntegrationConfig } from '../../src/types';
import { deliveryMixin } from '../../src/webhooks-out/delivery';
import { subscriptionsMixin } from '../../src/webhooks-out/subscriptions';
import { freePort, startNats, startRedis, type ServerProcess } from '../harness/servers';
import { acmeBody, acmeIntegration, channel, freshNamespace, makeBroker, postAcme, uid } from '../integration/stack';

const KEY = `sk_acme_${'e'.repeat(24)}`;
interface Received { headers: Record<string, string>; body: string }

let nats: ServerProcess;
let redis: ServerProcess;
let broker: ServiceBroker;
let subscriber: Server;
let subscriberUrl: string;
let base: string;
const received: Received[] = [];

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, any> }> {
  const res = await fetch(`${base}/api${path}`, {
    method, headers: { authorization: `Bearer ${KEY}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: await res.json() as Record<string, any> };
}

async function until<T>(read: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  [nats, redis] = await Promise.all([startNats(), startRedis()]);
  subscriber = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => subscriber.listen(0, '127.0.0.1', r));
  subscriberUrl = `http://127.0.0.1:${(subscriber.address() as AddressInfo).port}/hooks`;

  const ns = freshNamespace('e2e');
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const channels = new Map<string, IntegrationConfig>([['shop', channel('shop', { tenantId: 'acme' })]]);
  broker = makeBroker({
    nodeID: `e2e-${uid()}`, namespace: ns, natsUrl: nats.url, redisUrl: redis.url, transporter: false, allowPrivateNetworks: true,
    services: [
      {
        name: 'api', mixins: [ApiGateway],
        settings: { port, ip: '127.0.0.1', log4XXResponses: false, routes: [...webhookRoutes({ discoveryGraceMs: 0 }), ...operatorApiRoutes({ keys: `${KEY}:acme`, discoveryGraceMs: 0 })] },
      },
      acmeIntegration(channels),
      { name: 'webhooks', mixins: [subscriptionsMixin({ staticSubscriptions: '[]' }), deliveryMixin({ namespace: ns })] },
    ],
  });
  await broker.start();
});
afterAll(async () => {
  await broker?.stop();
  subscriber?.closeAllConnections();
  await new Promise<void>((r) => (subscriber ? subscriber.close(() => r()) : r()));
  await Promise.all([nats?.cleanup(), redis?.cleanup()]);
});

describe('tenant webhooks, subscribe → receive → history', () => {
  let subscriptionId: string;
  let secret: string;

  it('a subscription made through the API receives the stored message, signed as Standard Webhooks says', async () => {
    const created = await api('POST', '/subscriptions', { url: subscriberUrl, events: ['message.received'], description: 'crm' });
    expect(created.status).toBe(201);
    subscriptionId = created.body.subscription.id;
    secret = created.body.secret;
    expect(secret).toMatch(/^whsec_/);

    const event = `evt-${uid()}`;
    expect((await postAcme(base, 'shop', acmeBody(event, 'hello tenant'))).status).toBe(200);

    const delivery = await until(() => received.find((r) => r.body.includes('hello tenant')));
    // The official library, not ours, checks the signature with the secret the tenant was shown.
    const verified = new Webhook(secret).verify(delivery.body, delivery.headers) as { type: string; timestamp: string; data: Record<string, any> };
    expect(verified.type).toBe('message.received');
    expect(Number.isNaN(Date.parse(verified.timestamp))).toBe(false);
    expect(verified.data).toMatchObject({ tenantId: 'acme', channelId: 'shop', integration: 'acme', eventId: event, message: { content: { type: 'text', text: 'hello tenant' } } });
    expect(delivery.headers['webhook-id']).toMatch(/^msg_/);
    expect(delivery.headers['content-type']).toContain('application/json');
  });

  it('the history API lists the delivery and its succeeded attempt, with no secret in it', async () => {
    const list = await until(async () => {
      const r = await api('GET', `/subscriptions/${subscriptionId}/deliveries?outcome=succeeded`);
      return r.body.deliveries?.length ? r : undefined;
    });
    expect(list.status).toBe(200);
    const { deliveryId } = list.body.deliveries[0];
    expect(list.body.deliveries[0]).toMatchObject({ subscriptionId, eventType: 'message.received', outcome: 'succeeded', attemptCount: 1 });
    const one = await api('GET', `/deliveries/${deliveryId}`);
    expect(one.status).toBe(200);
    expect(one.body.attempts).toHaveLength(1);
    expect(one.body.attempts[0]).toMatchObject({ attempt: 1, trigger: 'scheduled', outcome: 'succeeded', response: { status: 204 }, request: { url: subscriberUrl, method: 'POST' } });
    expect(JSON.stringify(one.body)).not.toContain(secret.slice(6));
  });

  it('the test route sends webhook.test; after a rotation the new secret verifies the next delivery', async () => {
    const test = await api('POST', `/subscriptions/${subscriptionId}/test`);
    expect(test.status).toBe(202);
    const testDelivery = await until(() => received.find((r) => r.headers['webhook-id'] === test.body.deliveryId));
    expect((new Webhook(secret).verify(testDelivery.body, testDelivery.headers) as { type: string }).type).toBe('webhook.test');

    const rotated = await api('POST', `/subscriptions/${subscriptionId}/rotate-secret`, {});
    expect(rotated.status).toBe(200);
    const event = `evt-${uid()}`;
    await postAcme(base, 'shop', acmeBody(event, 'after rotation'));
    const next = await until(() => received.find((r) => r.body.includes('after rotation')));
    // Both secrets sign during the grace period: each library instance finds its own signature.
    expect(() => new Webhook(rotated.body.secret).verify(next.body, next.headers)).not.toThrow();
    expect(() => new Webhook(secret).verify(next.body, next.headers)).not.toThrow();
  });
});
