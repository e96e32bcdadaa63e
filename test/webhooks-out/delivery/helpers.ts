/** Test helpers for the delivery side: an in-memory SubscriptionLookup, local subscriber servers, brokers with the webhooks service. */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServiceBroker } from 'moleculer';
import { Webhook } from 'standardwebhooks';
import { channelNames } from '../../../src/channels';
import { deliveryMixin, deliveryRuntime, type DeliveryMixinOptions } from '../../../src/webhooks-out/delivery';
import { subscriptionDisabledChannel } from '../../../src/webhooks-out/delivery/job';
import type { DisabledReason, Subscription, SubscriptionLookup } from '../../../src/webhooks-out/types';
import { ServiceBroker as Broker } from 'moleculer';
import { createChannelsMiddleware } from '../../../src/channels';
import { RUNTIME_METADATA_KEY } from '../../../src/types';

/** A `whsec_` secret as the subscriptions side makes them. */
export const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

/**
 * The subscriptions, in memory, for tests (the real store is built elsewhere). `disable` publishes
 * `<ns>.webhooks.subscription.disabled` through `broker` when one is attached, as the contract says.
 */
export class TestLookup implements SubscriptionLookup {
  readonly subs = new Map<string, Subscription>();
  readonly secrets = new Map<string, string[]>();
  readonly disabled: Array<{ id: string; reason: DisabledReason }> = [];
  broker?: ServiceBroker;
  namespace = 'switchboard';

  add(partial: Partial<Subscription> & { id: string; url: string }, secrets: string[] = [newSecret()]): Subscription {
    const now = new Date().toISOString();
    const sub: Subscription = { tenantId: 't1', events: ['*'], status: 'active', createdAt: now, updatedAt: now, ...partial };
    this.subs.set(sub.id, sub);
    this.secrets.set(sub.id, secrets);
    return sub;
  }

  async match(tenantId: string, eventType: string, o: { includeDisabled?: boolean } = {}) {
    return [...this.subs.values()].filter((s) => s.tenantId === tenantId && (s.status === 'active' || o.includeDisabled === true) && (s.events.includes('*') || s.events.includes(eventType as never)));
  }
  async get(id: string) { return this.subs.get(id) ?? null; }
  async signingSecrets(id: string) { return this.secrets.get(id) ?? []; }
  async disable(id: string, reason: DisabledReason) {
    const s = this.subs.get(id);
    if (!s) return null;
    const next: Subscription = { ...s, status: 'disabled', disabledReason: reason, updatedAt: new Date().toISOString() };
    this.subs.set(id, next);
    this.disabled.push({ id, reason });
    if (this.broker) await this.broker.sendToChannel(subscriptionDisabledChannel(this.namespace), { subscriptionId: id, tenantId: s.tenantId, reason });
    return next;
  }
  enable(id: string) {
    const s = this.subs.get(id)!;
    const { disabledReason: _r, ...rest } = s;
    this.subs.set(id, { ...rest, status: 'active' });
  }
}

export interface Received {
  headers: Record<string, string>;
  raw: string;
  body: { type: string; timestamp: string; data: Record<string, unknown> };
  at: number;
}

/** How the subscriber answers one request; default 200. */
export type Answer = (req: IncomingMessage, res: ServerResponse, n: number, body: Received) => void | Promise<void>;

export interface Subscriber {
  url: string;
  port: number;
  received: Received[];
  /** Answers, in order; once used up, `fallback` answers. */
  answers: Answer[];
  fallback: Answer;
  close(): Promise<void>;
}

export const ok: Answer = (_q, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"ok":true}'); };
export const status = (code: number, headers: Record<string, string> = {}): Answer => (_q, res) => { res.writeHead(code, headers); res.end(`status ${code}`); };

/** A local subscriber on 127.0.0.1 recording every request. */
export async function startSubscriber(fallback: Answer = ok, port = 0): Promise<Subscriber> {
  const s: Subscriber = { url: '', port: 0, received: [], answers: [], fallback, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      let body: Received['body'];
      try { body = JSON.parse(raw) as Received['body']; } catch { body = { type: '?', timestamp: '', data: {} }; }
      const r: Received = { headers, raw, body, at: Date.now() };
      s.received.push(r);
      const answer = s.answers.shift() ?? s.fallback;
      void Promise.resolve(answer(req, res, s.received.length, r)).catch(() => res.destroy());
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  s.port = (server.address() as AddressInfo).port;
  s.url = `http://127.0.0.1:${s.port}/hook`;
  s.close = () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  return s;
}

/** Verifies a received delivery with the official `standardwebhooks` library; throws when it does not verify. */
export function verifyWith(secret: string, r: Received): unknown {
  return new Webhook(secret).verify(r.raw, { 'webhook-id': r.headers['webhook-id']!, 'webhook-timestamp': r.headers['webhook-timestamp']!, 'webhook-signature': r.headers['webhook-signature']! });
}

/** Fast schedule for tests. */
export const FAST: DeliveryMixinOptions = { retryScheduleMs: [300, 600, 900], jitter: 0, attemptDeadlineMs: 2_000, allowPrivateNetworks: true };

export interface WebhooksNode { broker: ServiceBroker; stop(): Promise<void> }

/** A broker as `createBrokerConfig` makes it, with small streams (many namespaces share one test nats-server). */
export function makeBroker(o: { nodeID: string; namespace: string; natsUrl: string; redisUrl?: string; transporter?: boolean }): ServiceBroker {
  return new Broker({
    nodeID: o.nodeID,
    logger: process.env.WH_TEST_LOG ? { type: 'Console', options: { level: 'info' } } : false,
    transporter: o.transporter === false ? null : { type: 'NATS', options: { servers: [o.natsUrl], maxReconnectAttempts: -1, reconnectTimeWait: 200 } },
    serializer: 'JSON',
    validator: true,
    metadata: { [RUNTIME_METADATA_KEY]: { namespace: o.namespace, natsUrl: o.natsUrl, redisUrl: o.redisUrl, allowPrivateNetworks: true } },
    middlewares: [createChannelsMiddleware({ namespace: o.namespace, nats: o.natsUrl, publishTimeoutMs: 1_500, streamDefaults: { maxBytes: 4 * 1024 * 1024 } })],
  });
}

/** A broker with the channels middleware on NATS and a `webhooks` service made of the delivery mixin. */
export async function startWebhooksNode(o: { nodeID: string; namespace: string; natsUrl: string; redisUrl?: string; lookup: TestLookup; options?: DeliveryMixinOptions; transporter?: boolean }): Promise<WebhooksNode> {
  const broker = makeBroker(o);
  o.lookup.namespace = o.namespace;
  o.lookup.broker ??= broker;
  broker.createService({ name: 'webhooks', mixins: [deliveryMixin({ ...FAST, namespace: o.namespace, lookup: () => o.lookup, ...o.options })] });
  await broker.start();
  return { broker, stop: () => broker.stop() };
}

export const runtimeOfNode = (n: WebhooksNode) => deliveryRuntime(n.broker.getLocalService('webhooks')!);

/** Publishes a `message.received` event (as the inbound pipeline does: msg id `<integration>:<channel>:<event>:<index>`). */
export async function publishReceived(broker: ServiceBroker, namespace: string, o: { tenantId?: string; eventId: string; conversationId?: string; text?: string; channelId?: string }) {
  const payload = {
    tenantId: o.tenantId ?? 't1', channelId: o.channelId ?? 'ch1', integration: 'acme', platform: 'acme', eventId: o.eventId, index: 0,
    timestamp: Date.now(), receivedAt: Date.now(),
    message: { id: `${o.eventId}-m0`, platform: 'acme', conversationId: o.conversationId ?? 'c1', from: { id: 'u1' }, timestamp: Date.now(), content: { type: 'text', text: o.text ?? 'hello' } },
  };
  return broker.sendToChannel(channelNames(namespace).MESSAGE_RECEIVED, payload, { msgID: `acme:${payload.channelId}:${o.eventId}:0` });
}

/** Polls until `cond` holds (or throws with `what` after `timeoutMs`). */
export async function waitFor<T>(what: string, cond: () => T | Promise<T>, timeoutMs = 15_000, everyMs = 50): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await cond();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
