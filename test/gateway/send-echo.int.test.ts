/**
 * Issue 8.1: a platform (or a tenant's outbound URL) that echoes the channel's credential into every
 * field it can reach — the message id, the metadata (values and keys, deep), its error body, the error
 * a hook builds from it — never gets it back to the caller of `POST /api/.../messages`, nor into the
 * stored `message.sent` / `message.failed` events. Real NATS + Redis, the real gateway over HTTP.
 */
import { Errors, type ServiceBroker, type ServiceSchema } from 'moleculer';
import ApiGateway from 'moleculer-web';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { operatorApiRoutes } from '../../src/gateway';
import { defineIntegration } from '../../src/integration';
import { channelRegistry, channelRegistryActions } from '../../src/registry';
import { ensureOk } from '../../src/retry';
import { telegramSecretToken } from '../../src/security';
import type { IntegrationConfig, OutboundMessage } from '../../src/types';
import { freePort, startNats, startRedis, type ServerProcess } from '../harness/servers';
import { failedEvents, sentEvents } from '../integration/outbound-stack';
import { freshNamespace, makeBroker, uid } from '../integration/stack';

const KEY = `sk_echo_${'e'.repeat(24)}`;

/**
 * A hostile platform: `POST /send` answers with the request's Authorization header (and its URL, which
 * carries the token in the query) in every field. The message text picks the answer.
 */
async function startEchoPlatform(): Promise<{ url: string; hits: number; close(): Promise<void> }> {
  const state = { hits: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.hits++;
      const auth = String(req.headers.authorization ?? '');
      const mode = (JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { text?: string }).text ?? 'ok';
      const echo = { id: auth, url: req.url, meta: { [auth]: auth, deep: [[[[{ header: auth, url: req.url }]]]] } };
      const status = mode === 'ok' || mode === 'throw' ? 200 : mode === 'refuse' ? 400 : 503;
      const body = status === 200 ? echo : { ok: false, error_code: status, description: `rejected ${auth} at ${req.url}`, echo };
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-echo': auth });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get hits() { return state.hits; },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** An integration as a user would write it: the platform's id as messageId, its answer as metadata, errors built from its body. */
const echoIntegration = defineIntegration({
  name: 'echo',
  spec: { id: 'echo', name: 'Echo', platform: 'echo', version: '1', status: 'ACTIVE', capabilities: ['SEND_MESSAGE'] },
  webhookSignature: telegramSecretToken(),
  normalize: () => [],
  inbound: { channelCacheTtlMs: 0 },
  outbound: { retry: { maxAttempts: 2, initialDelayMs: 20, maxDelayMs: 50, attemptTimeoutMs: 2_000 }, eventPublishAttempts: 2 },
  async sendMessage(_ctx, message: OutboundMessage, channel: IntegrationConfig, attempt) {
    const token = String(channel.credentials.token);
    const res = await fetch(`${String(channel.settings.apiBase)}/send?token=${encodeURIComponent(token)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: message.content.type === 'text' ? message.content.text : '' }),
      signal: attempt.signal,
    });
    await ensureOk(res, `send (auth ${res.headers.get('x-echo')})`);
    const body = (await res.json()) as { id: string; meta: Record<string, unknown> };
    if (message.content.type === 'text' && message.content.text === 'throw') {
      // A careless hook: the platform's answer in the message, the type, the data.
      throw new Errors.MoleculerClientError(`platform answered ${JSON.stringify(body)}`, 409, body.id, { body });
    }
    return { messageId: body.id, metadata: { answer: body, [body.id]: body.meta } };
  },
});

let nats: ServerProcess;
let redis: ServerProcess;
let platform: Awaited<ReturnType<typeof startEchoPlatform>>;
let broker: ServiceBroker;
let base: string;
let ns: string;
let channelId: string;
let token: string;

beforeAll(async () => {
  [nats, redis, platform] = await Promise.all([startNats(), startRedis(), startEchoPlatform()]);
  ns = freshNamespace('echo');
  const port = await freePort();
  const gateway: ServiceSchema = {
    name: 'api', mixins: [ApiGateway],
    settings: { port, ip: '127.0.0.1', log4XXResponses: false, routes: operatorApiRoutes({ keys: `${KEY}:acme` }) },
  };
  broker = makeBroker({
    nodeID: `echo-${uid()}`, namespace: ns, natsUrl: nats.url, redisUrl: redis.url, transporter: false,
    services: [gateway, { name: 'registry', actions: channelRegistryActions() }, echoIntegration],
  });
  await broker.start();
  base = `http://127.0.0.1:${port}`;
  channelId = `ch-${uid()}`;
  // A token with a character that URL-encoding changes, as real bot tokens have (`123:ABC`).
  token = `${Date.now()}:ECHO-SECRET-${uid()}${uid()}`;
  await channelRegistry(broker).create({ id: channelId, tenantId: 'acme', platform: 'echo', credentials: { token }, secrets: [], settings: { apiBase: platform.url } });
}, 60_000);

afterAll(async () => {
  await broker?.stop();
  await Promise.allSettled([nats?.cleanup(), redis?.cleanup(), platform?.close()]);
});

async function send(text: string, headers: Record<string, string> = {}, query = '') {
  const res = await fetch(`${base}/api/integrations/echo/channels/${channelId}/messages${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ message: { conversationId: 'c1', content: { type: 'text', text } } }),
  });
  return { status: res.status, text: await res.text() };
}

/** The token in any spelling the platform used: plain, URL-encoded. */
function leaks(text: string): boolean {
  return text.includes(token) || text.includes(encodeURIComponent(token)) || text.includes(token.split(':')[1]!);
}

async function waitFor<T>(read: () => Promise<T[]>, pred: (x: T) => boolean): Promise<T[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const all = (await read()).filter(pred);
    if (all.length > 0 || Date.now() > deadline) return all;
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('a send whose platform echoes the credential in the id and metadata: answer and message.sent hold none of it', async () => {
  const key = `k-${uid()}`;
  const first = await send('ok', { 'idempotency-key': key });
  expect(first.status).toBe(200);
  const body = JSON.parse(first.text) as { messageId: string; metadata: Record<string, unknown> };
  expect(body.messageId).toBe('Bearer [redacted]');
  expect(JSON.stringify(body.metadata)).toContain('[redacted]');
  expect(leaks(first.text)).toBe(false);
  // the idempotent replay answers the stored (scrubbed) result
  const again = await send('ok', { 'idempotency-key': key });
  expect(JSON.parse(again.text)).toMatchObject({ duplicate: true, messageId: 'Bearer [redacted]' });
  expect(leaks(again.text)).toBe(false);
  const events = await waitFor(() => sentEvents(nats.url, ns), (e) => e.data.idempotencyKey === key);
  expect(events).toHaveLength(1);
  expect(events[0]!.data.messageId).toBe('Bearer [redacted]');
  expect(leaks(JSON.stringify(events[0]))).toBe(false);
});

it('a queued send: the consumer stores a scrubbed message.sent', async () => {
  const key = `q-${uid()}`;
  const res = await send('ok', { 'idempotency-key': key }, '?mode=queued');
  expect(res.status).toBe(202);
  const events = await waitFor(() => sentEvents(nats.url, ns), (e) => e.data.idempotencyKey === key);
  expect(events).toHaveLength(1);
  expect(leaks(JSON.stringify(events[0]))).toBe(false);
});

it.each([
  ['refuse', 502],  // 400 from the platform: its body (with the credential) in PlatformError data
  ['down', 502],    // 503 twice: retries exhausted, the last error carried
  ['throw', 409],   // the hook throws with the platform's answer as message, type and data
])('a failing send (%s) whose platform echoes the credential: answer and message.failed hold none of it', async (mode, status) => {
  const key = `${mode}-${uid()}`;
  const res = await send(mode, { 'idempotency-key': key });
  expect(res.status).toBe(status);
  expect(JSON.parse(res.text)).toMatchObject({ code: status, message: expect.any(String) });
  expect(leaks(res.text)).toBe(false);
  const events = await waitFor(() => failedEvents(nats.url, ns), (e) => e.data.idempotencyKey === key);
  expect(events).toHaveLength(1);
  expect(JSON.stringify(events[0])).toContain('[redacted]');
  expect(leaks(JSON.stringify(events[0]))).toBe(false);
});
