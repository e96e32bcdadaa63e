/**
 * The `generic` integration in one-process memory mode: the demo channel is there for local trials, and a
 * tenant's channel URLs cannot reach internal addresses (SSRF) unless private networks are allowed.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ServiceBroker } from 'moleculer';
import { createChannelsMiddleware } from '../../src/channels';
import { channelRegistry } from '../../src/registry';
import { RUNTIME_METADATA_KEY } from '../../src/types';
import generic, { GENERIC_DEMO_CHANNEL } from '../../services/generic.service';

let sink: Server;
let sinkBase: string;
const hits: string[] = [];

function memoryBroker(allowPrivateNetworks: boolean): ServiceBroker {
  const broker = new ServiceBroker({
    logger: false,
    metadata: { [RUNTIME_METADATA_KEY]: { namespace: `mem${process.pid}${allowPrivateNetworks}`, allowPrivateNetworks } },
    middlewares: [createChannelsMiddleware({ namespace: `mem${process.pid}${allowPrivateNetworks}` })],
  });
  broker.createService(generic);
  return broker;
}

beforeAll(async () => {
  delete process.env.SWITCHBOARD_CHANNELS;
  sink = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'leaked' })));
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  sinkBase = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => sink.close(() => r())));

describe('generic in memory mode, private networks refused (the default)', () => {
  const broker = memoryBroker(false);
  beforeAll(async () => {
    await broker.start();
    await channelRegistry(broker).put({
      id: 'evil', tenantId: 'mallory', platform: 'generic', credentials: { token: 't' }, secrets: ['s'], status: 'active',
      settings: { outboundUrl: `${sinkBase}/internal`, healthUrl: `${sinkBase}/admin` },
    });
  });
  afterAll(() => broker.stop());

  it('registers the demo channel for local trials', async () => {
    expect(await channelRegistry(broker).get('demo')).toMatchObject({ id: 'demo', tenantId: GENERIC_DEMO_CHANNEL.tenantId });
  });

  it('refuses a send to a loopback outboundUrl with 400 UNSAFE_URL, and the internal server sees nothing', async () => {
    hits.length = 0;
    const call = broker.call('generic.i_sendMessage', {
      channelId: 'evil', message: { conversationId: 'c', content: { type: 'text', text: 'x' } },
    }, { meta: { tenantId: 'mallory' } });
    await expect(call).rejects.toMatchObject({ code: 400, type: 'UNSAFE_URL' });
    expect(hits).toEqual([]);
  });

  it('reports a loopback healthUrl as unhealthy without probing it', async () => {
    hits.length = 0;
    const health = await broker.call('generic.i_healthCheck', { channelId: 'evil' }, { meta: { tenantId: 'mallory' } });
    expect(health).toMatchObject({ healthy: false, message: expect.stringContaining('SWITCHBOARD_ALLOW_PRIVATE_URLS') });
    expect(hits).toEqual([]);
  });

  it('a host name resolving inside (`localhost`): send and health answers say only "not allowed" + the variable, never the address', async () => {
    const port = new URL(sinkBase).port;
    await channelRegistry(broker).put({
      id: 'evil-name', tenantId: 'mallory', platform: 'generic', credentials: { token: 't' }, secrets: ['s'], status: 'active',
      settings: { outboundUrl: `http://localhost:${port}/internal`, healthUrl: `http://localhost:${port}/admin` },
    });
    hits.length = 0;
    const sent = await broker.call('generic.i_sendMessage', {
      channelId: 'evil-name', message: { conversationId: 'c', content: { type: 'text', text: 'x' } },
    }, { meta: { tenantId: 'mallory' } }).catch((e: unknown) => e);
    expect(sent).toMatchObject({ code: 400, type: 'UNSAFE_URL', message: expect.stringContaining('SWITCHBOARD_ALLOW_PRIVATE_URLS') });
    const health = await broker.call('generic.i_healthCheck', { channelId: 'evil-name' }, { meta: { tenantId: 'mallory' } });
    expect(health).toMatchObject({ healthy: false, message: expect.stringContaining('not allowed') });
    for (const answer of [JSON.stringify({ message: (sent as Error).message, data: (sent as { data?: unknown }).data }), JSON.stringify(health)]) {
      expect(answer).not.toMatch(/127\.0\.0\.1|::1|resolves/);
    }
    expect(hits).toEqual([]);
  });
});

describe('generic in memory mode with private networks allowed', () => {
  const broker = memoryBroker(true);
  beforeAll(async () => {
    await broker.start();
    await channelRegistry(broker).put({
      id: 'local', tenantId: 'acme', platform: 'generic', credentials: { token: 't' }, secrets: ['s'], status: 'active',
      settings: { outboundUrl: `${sinkBase}/messages` },
    });
  });
  afterAll(() => broker.stop());

  it('sends to the loopback platform', async () => {
    hits.length = 0;
    const result = await broker.call('generic.i_sendMessage', {
      channelId: 'local', message: { conversationId: 'c', content: { type: 'text', text: 'x' } },
    }, { meta: { tenantId: 'acme' } });
    expect(result).toMatchObject({ messageId: 'leaked', attempts: 1 });
    expect(hits).toEqual(['POST /messages']);
  });
});
