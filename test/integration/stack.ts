/** Test stack for the inbound path: real NATS + Redis, brokers with the channels middleware, a gateway on a free port, stream readers. */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { ServiceBroker, type ServiceSchema } from 'moleculer';
import ApiGateway from 'moleculer-web';
import { connect, type NatsConnection } from 'nats';
import { createChannelsMiddleware, channelNames } from '../../src/channels';
import { webhookRoutes, type WebhookRoutesOptions } from '../../src/gateway';
import { defineIntegration } from '../../src/integration';
import { hmacSignature } from '../../src/security';
import { RUNTIME_METADATA_KEY, type IntegrationConfig, type NormalizedMessage, type WebhookEvent } from '../../src/types';
import { freePort } from '../harness/servers';

export interface BrokerOptions {
  nodeID: string;
  namespace: string;
  natsUrl: string;
  redisUrl?: string;
  services?: ServiceSchema[];
  /** Use the NATS transporter (default true). */
  transporter?: boolean;
  /** Let channel URLs reach loopback (local fake platforms). Default false, as in production. */
  allowPrivateNetworks?: boolean;
  /** Moleculer's tracing options. Default off. */
  tracing?: ConstructorParameters<typeof ServiceBroker>[0] extends infer O ? O extends { tracing?: infer T } ? T : never : never;
}

/** A broker as `createBrokerConfig` would make it, plus the channels middleware on JetStream. */
export function makeBroker(o: BrokerOptions): ServiceBroker {
  const broker = new ServiceBroker({
    nodeID: o.nodeID,
    logger: false,
    transporter: o.transporter === false ? null : { type: 'NATS', options: { servers: [o.natsUrl], maxReconnectAttempts: -1, reconnectTimeWait: 200 } },
    serializer: 'JSON',
    validator: true,
    metadata: { [RUNTIME_METADATA_KEY]: { namespace: o.namespace, natsUrl: o.natsUrl, redisUrl: o.redisUrl, allowPrivateNetworks: o.allowPrivateNetworks } },
    middlewares: [createChannelsMiddleware({ namespace: o.namespace, nats: o.natsUrl, publishTimeoutMs: 1_500 })],
    ...(o.tracing ? { tracing: o.tracing } : {}),
  });
  for (const s of o.services ?? []) broker.createService(s);
  return broker;
}

/** The moleculer-web gateway with the webhook routes on a free port. */
export async function gatewayService(options: WebhookRoutesOptions = {}): Promise<{ schema: ServiceSchema; url: string }> {
  const port = await freePort();
  const schema: ServiceSchema = { name: 'api', mixins: [ApiGateway], settings: { port, ip: '127.0.0.1', routes: webhookRoutes(options), log4XXResponses: false } };
  return { schema, url: `http://127.0.0.1:${port}` };
}

let nsCounter = 0;
/** A namespace no other test uses (streams are per namespace). */
export function freshNamespace(prefix = 'in'): string {
  return `${prefix}${process.pid}x${nsCounter++}`;
}

/** Reads the JetStream stream that stores `<ns>.processing.message.received`. */
export async function storedReceived(natsUrl: string, namespace: string): Promise<Array<Record<string, unknown>>> {
  const nc: NatsConnection = await connect({ servers: natsUrl });
  try {
    const jsm = await nc.jetstreamManager();
    const subject = channelNames(namespace).MESSAGE_RECEIVED;
    const stream = await jsm.streams.find(subject);
    const info = await jsm.streams.info(stream);
    const out: Array<Record<string, unknown>> = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      try {
        const m = await jsm.streams.getMessage(stream, { seq });
        out.push({ ...JSON.parse(Buffer.from(m.data).toString('utf8')), $msgId: m.header?.get('Nats-Msg-Id') });
      } catch {
        // deleted sequence
      }
    }
    return out;
  } finally {
    await nc.close();
  }
}

// ── the "acme" test integration: HMAC hex signatures, event id in the body ──

export const ACME_HEADER = 'x-acme-signature';
export const acmeScheme = hmacSignature({ header: ACME_HEADER, algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=' });

export interface AcmeBody {
  id?: string;
  messages?: Array<{ id: string; chat: string; from: string; text: string }>;
  [key: string]: unknown;
}

export function channel(id: string, overrides: Partial<IntegrationConfig> = {}): IntegrationConfig {
  return { id, tenantId: `tenant-${id}`, platform: 'acme', credentials: {}, secrets: [`secret-${id}`], settings: { verifyToken: `vt-${id}` }, status: 'active', ...overrides };
}

/** The acme integration; channels come from `channels` (a map the test may change). */
export function acmeIntegration(channels: Map<string, IntegrationConfig>, extra: { validate?: (b: AcmeBody) => boolean } = {}) {
  return defineIntegration({
    name: 'acme',
    spec: { id: 'acme', name: 'Acme', platform: 'acme', version: '1.0.0', status: 'ACTIVE', capabilities: ['RECEIVE_MESSAGE'] },
    webhookSignature: acmeScheme,
    inbound: { channelCacheTtlMs: 0 },
    eventId: (webhook: WebhookEvent<AcmeBody>) => webhook.payload.id,
    getChannelConfig: (_ctx, channelId) => channels.get(channelId) ?? null,
    validateWebhook: (webhook: WebhookEvent<AcmeBody>) => (extra.validate ? extra.validate(webhook.payload) : true),
    normalize(webhook: WebhookEvent<AcmeBody>): NormalizedMessage[] {
      return (webhook.payload.messages ?? []).map((m) => ({
        id: m.id, platform: 'acme', conversationId: m.chat, from: { id: m.from }, timestamp: webhook.receivedAt, content: { type: 'text', text: m.text },
      }));
    },
  });
}

/** A body with one message per text. */
export function acmeBody(id: string, ...texts: string[]): AcmeBody {
  return { id, messages: texts.map((text, i) => ({ id: `${id}-m${i}`, chat: 'c1', from: 'u1', text })) };
}

/** The acme signature header for `raw` under `secret`. */
export function acmeSign(raw: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}

/** POSTs `raw` to the gateway; returns status, parsed JSON (or text) and headers. */
export async function post(url: string, raw: string | Buffer, headers: Record<string, string>): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(url, { method: 'POST', body: raw, headers: { 'content-type': 'application/json', ...headers } });
  const text = await res.text();
  let body: unknown = text;
  try { body = JSON.parse(text); } catch { /* text */ }
  return { status: res.status, body, headers: res.headers };
}

/** POSTs a signed acme delivery. */
export function postAcme(base: string, channelId: string, body: AcmeBody | string, secret = `secret-${channelId}`, extraHeaders: Record<string, string> = {}) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  return post(`${base}/webhooks/acme/${channelId}`, raw, { [ACME_HEADER]: acmeSign(raw, secret), ...extraHeaders });
}

export const uid = () => randomUUID().slice(0, 8);
export const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
