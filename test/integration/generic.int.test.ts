/**
 * The shipped `generic` integration on NATS + Redis through HTTP: channels from the registry (never the
 * public demo channel on shared servers), Standard Webhooks signatures, the documented JSON format, and
 * `sendMessage` to a local endpoint (bearer token, Idempotency-Key, `id` → messageId) with private
 * networks allowed, as a deployment whose platforms are internal would configure it.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { ServiceBroker } from 'moleculer';
import { channelRegistry } from '../../src/registry';
import { standardWebhooks } from '../../src/security';
import generic, { GENERIC_DEMO_CHANNEL } from '../../services/generic.service';
import { freePort, startNats, startRedis, type ServerProcess } from '../harness/servers';
import { freshNamespace, gatewayService, makeBroker, post, storedReceived, uid } from './stack';

let nats: ServerProcess;
let redis: ServerProcess;
let broker: ServiceBroker;
let base: string;
let ns: string;
let sink: Server;
let sinkUrl: string;
let demoAtStart: unknown;
const received: Array<{ headers: IncomingHttpHeaders; body: unknown }> = [];
const sw = standardWebhooks();
const secret = GENERIC_DEMO_CHANNEL.secrets![0];

beforeAll(async () => {
  delete process.env.SWITCHBOARD_CHANNELS;
  [nats, redis] = await Promise.all([startNats(), startRedis()]);
  const port = await freePort();
  sink = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => { data += c; });
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(data) });
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `out-${received.length}` }));
    });
  });
  await new Promise<void>((r) => sink.listen(port, '127.0.0.1', r));
  sinkUrl = `http://127.0.0.1:${port}/messages`;
  ns = freshNamespace('gen');
  const gw = await gatewayService();
  base = gw.url;
  broker = makeBroker({ nodeID: 'gen', namespace: ns, natsUrl: nats.url, redisUrl: redis.url, services: [gw.schema, generic], allowPrivateNetworks: true });
  await broker.start();
  demoAtStart = await channelRegistry(broker).get('demo');
  await channelRegistry(broker).put({ ...GENERIC_DEMO_CHANNEL });
  await channelRegistry(broker).put({ id: 'tg', tenantId: 't2', platform: 'telegram', credentials: {}, secrets: [secret], settings: {}, status: 'active' });
  await channelRegistry(broker).put({ ...GENERIC_DEMO_CHANNEL, id: 'out', settings: { outboundUrl: sinkUrl } });
}, 60_000);

afterAll(async () => {
  await broker?.stop();
  sink?.close();
  await Promise.allSettled([nats?.cleanup(), redis?.cleanup()]);
});

const sample = (text: string) => JSON.stringify({ messages: [{ id: `m-${uid()}`, conversationId: 'conv', from: { id: 'u1', name: 'Ann' }, text }] });

it('the demo channel (its secret is public) is not registered at start on shared NATS + Redis', () => {
  expect(demoAtStart).toBeNull();
});

it('a signed sample is stored with webhook-id as the event id', async () => {
  const raw = sample('hello');
  const id = `evt_${uid()}`;
  const res = await post(`${base}/webhooks/generic/demo`, raw, sw.sign({ rawBody: raw, secret, id }));
  expect(res).toMatchObject({ status: 200, body: { success: true, messages: 1, eventId: id } });
  const [m] = (await storedReceived(nats.url, ns)).filter((x) => x.eventId === id);
  expect(m).toMatchObject({ $msgId: `generic:demo:${id}:0`, tenantId: 'demo', message: { platform: 'generic', conversationId: 'conv', from: { id: 'u1', name: 'Ann' }, content: { type: 'text', text: 'hello' } } });
});

it('a message without text or content → 400 with the reason', async () => {
  const raw = JSON.stringify({ messages: [{ id: 'm', conversationId: 'c', from: { id: 'u' } }] });
  const res = await post(`${base}/webhooks/generic/demo`, raw, sw.sign({ rawBody: raw, secret }));
  expect(res).toMatchObject({ status: 400, body: { message: expect.stringContaining('messages[0]') } });
});

it('a registry channel of another platform is unknown here → 404', async () => {
  const raw = sample('x');
  expect((await post(`${base}/webhooks/generic/tg`, raw, sw.sign({ rawBody: raw, secret }))).status).toBe(404);
});

it('a disabled channel → 404 once the short channel cache expires', async () => {
  await channelRegistry(broker).put({ ...GENERIC_DEMO_CHANNEL, id: 'soon-off' });
  const raw = sample('x');
  expect((await post(`${base}/webhooks/generic/soon-off`, raw, sw.sign({ rawBody: raw, secret }))).status).toBe(200);
  await channelRegistry(broker).disable('soon-off');
  await new Promise((r) => setTimeout(r, 5_100));
  expect((await post(`${base}/webhooks/generic/soon-off`, raw, sw.sign({ rawBody: raw, secret }))).status).toBe(404);
}, 15_000);

it('sendMessage POSTs JSON with the bearer token and one Idempotency-Key, returning the answer\'s id', async () => {
  const result = await broker.call('generic.i_sendMessage', {
    channelId: 'out', idempotencyKey: 'key-1',
    message: { conversationId: 'conv', content: { type: 'text', text: 'out' } },
  }, { meta: { tenantId: 'demo' } });
  expect(result).toMatchObject({ messageId: 'out-1' });
  expect(received[0].headers).toMatchObject({ authorization: 'Bearer demo-token', 'idempotency-key': 'key-1', 'content-type': 'application/json' });
  expect(received[0].body).toMatchObject({ channelId: 'out', message: { conversationId: 'conv' } });
});
