/**
 * Outbound across nodes, on real NATS + Redis: two brokers on the NATS transporter share one rate
 * limit per channel; queued sends on `<ns>.outbound.send` are sent once by one node, and one that
 * keeps failing lands in the dead-letter stream with its error, from where it can be re-driven.
 */
import type { ServiceBroker } from 'moleculer';
import { channelNames } from '../../src/channels';
import { redriveDeadLetters } from '../../src/integration/outbound';
import { channelRegistry } from '../../src/registry';
import { startNats, startRedis, type ServerProcess } from '../harness/servers';
import { startFakeTelegram, type FakeTelegram } from './outbound-platform';
import { deadLetters, failedEvents, sentEvents, telegramIntegration, text } from './outbound-stack';
import { freshNamespace, makeBroker, uid } from './stack';

let nats: ServerProcess;
let redis: ServerProcess;
let platform: FakeTelegram;
let brokers: ServiceBroker[];
let ns: string;

beforeAll(async () => {
  [nats, redis, platform] = await Promise.all([startNats(), startRedis(), startFakeTelegram()]);
  ns = freshNamespace('cluster');
  brokers = ['a', 'b'].map((n) => makeBroker({
    nodeID: `node-${n}-${uid()}`, namespace: ns, natsUrl: nats.url, redisUrl: redis.url, services: [telegramIntegration('tg')],
  }));
  await Promise.all(brokers.map((b) => b.start()));
  // each broker must see the other's tg service before calls are pinned to a node
  for (const b of brokers) {
    const other = brokers.find((o) => o !== b)!.nodeID;
    const registry = (b as unknown as { registry: { getServiceList(o: object): Array<{ name: string; nodeID: string }> } }).registry;
    await waitFor(async () => registry.getServiceList({ onlyAvailable: true }), (list) => list.some((svc) => svc.name === 'tg' && svc.nodeID === other));
  }
});
afterAll(async () => {
  await Promise.allSettled((brokers ?? []).map((b) => b.stop()));
  await Promise.all([nats?.cleanup(), redis?.cleanup(), platform?.close()]);
});

async function newChannel(rateLimit = { capacity: 1000, refillPerSecond: 1000 }) {
  const id = `ch-${uid()}`;
  const token = `${Math.floor(Math.random() * 1e9)}:TOKEN-${uid()}`;
  platform.tokens.add(token);
  await channelRegistry(brokers[0]!).create({ id, tenantId: 'acme', platform: 'telegram', credentials: { token }, settings: { apiBase: platform.url, rateLimit } });
  return { id, token, requests: () => platform.requests.filter((r) => r.token === token && r.method === 'sendMessage') };
}

async function waitFor<T>(get: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await get();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${JSON.stringify(value).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('the per-channel rate limit holds across two brokers sharing Redis', async () => {
  const ch = await newChannel({ capacity: 2, refillPerSecond: 10 });
  const [a, b] = brokers as [ServiceBroker, ServiceBroker];
  const started = Date.now();
  await Promise.all(Array.from({ length: 22 }, (_, i) =>
    a.call('tg.i_sendMessage', { channelId: ch.id, message: text('c', `m${i}`) }, { nodeID: (i % 2 ? a : b).nodeID })));
  const elapsed = Date.now() - started;
  const requests = ch.requests();
  expect(requests).toHaveLength(22);
  // both nodes sent
  expect(new Set(requests.map((r) => r.headers['x-node'])).size).toBe(2);
  // 22 sends through one bucket of 2 + 10/s take ≥ 2 s; each node alone would have taken ~0.9 s
  expect(elapsed).toBeGreaterThanOrEqual(1_800);
  // no 500 ms window holds more than burst + refill (2 + 5), with slack for timer edges and pauses (each node alone would allow ~14)
  const times = requests.map((r) => r.at).sort((x, y) => x - y);
  for (const t of times) expect(times.filter((u) => u >= t && u < t + 500).length).toBeLessThanOrEqual(10);
});

it('a queued send is sent once by one of the nodes, and message.sent is stored', async () => {
  const ch = await newChannel();
  await brokers[0]!.sendToChannel(channelNames(ns).OUTBOUND_SEND, { integration: 'tg', channelId: ch.id, message: text('chat-q', 'queued'), idempotencyKey: `q-${uid()}` });
  await waitFor(() => sentEvents(nats.url, ns), (events) => events.some((e) => e.data.channelId === ch.id));
  await new Promise((r) => setTimeout(r, 300));
  expect(ch.requests()).toHaveLength(1);
  expect(ch.requests()[0]!.body).toMatchObject({ chat_id: 'chat-q', text: 'queued' });
});

it('a queued send that keeps failing lands in the dead-letter stream with its error, and can be re-driven', async () => {
  const ch = await newChannel();
  platform.script(ch.token, { status: 500 }, { status: 500 }, { status: 500 });
  const payload = { integration: 'tg', channelId: ch.id, message: text('chat-dl', 'doomed') };
  await brokers[1]!.sendToChannel(channelNames(ns).OUTBOUND_SEND, payload);
  const letters = await waitFor(() => deadLetters(nats.url, ns), (all) => all.some((m) => m.data.channelId === ch.id));
  const letter = letters.find((m) => m.data.channelId === ch.id)!;
  expect(letter.data).toEqual(payload);
  expect(letter.headers).toMatchObject({
    'x-original-channel': channelNames(ns).OUTBOUND_SEND,
    'x-error-type': 'RETRY_EXHAUSTED',
    'x-error-message': expect.stringContaining('HTTP 500'),
  });
  expect(ch.requests()).toHaveLength(3);
  const failed = (await failedEvents(nats.url, ns)).filter((e) => e.data.channelId === ch.id);
  expect(failed).toHaveLength(1);
  expect(failed[0]!.data).toMatchObject({ retryCount: 2, error: { type: 'RETRY_EXHAUSTED' } });

  // Re-drive: the platform is healthy again; the dead letter goes back to the queue and is sent.
  const redriven = await redriveDeadLetters({ nats: nats.url, namespace: ns, filter: (p, error) => p.channelId === ch.id && error.type === 'RETRY_EXHAUSTED' });
  expect(redriven.redriven).toBe(1);
  expect((await deadLetters(nats.url, ns)).filter((m) => m.data.channelId === ch.id)).toHaveLength(0);
  await waitFor(() => sentEvents(nats.url, ns), (events) => events.some((e) => e.data.channelId === ch.id));
  expect(ch.requests()).toHaveLength(4);
  // a second run finds nothing more for this channel
  expect((await redriveDeadLetters({ nats: nats.url, namespace: ns, filter: (p) => p.channelId === ch.id })).redriven).toBe(0);
});

it("a queued send naming another tenant than the channel's is refused (403) and dead-lettered, never sent", async () => {
  const ch = await newChannel();
  await brokers[0]!.sendToChannel(channelNames(ns).OUTBOUND_SEND, { integration: 'tg', channelId: ch.id, tenantId: 'intruder', message: text('c', 'x') });
  const letters = await waitFor(() => deadLetters(nats.url, ns), (all) => all.some((m) => m.data.channelId === ch.id));
  expect(letters.find((m) => m.data.channelId === ch.id)!.headers).toMatchObject({ 'x-error-type': 'FORBIDDEN', 'x-error-code': '403' });
  expect(ch.requests()).toHaveLength(0);
});

it('an invalid queued message is dead-lettered at once with the validation error, never sent, no message.failed', async () => {
  const ch = await newChannel();
  for (const message of [{ foo: 1 }, { conversationId: 'c' }, { conversationId: '', content: { type: 'text', text: 'x' } }]) {
    await brokers[0]!.sendToChannel(channelNames(ns).OUTBOUND_SEND, { integration: 'tg', channelId: ch.id, message });
  }
  const letters = await waitFor(() => deadLetters(nats.url, ns), (all) => all.filter((m) => m.data.channelId === ch.id).length === 3);
  for (const letter of letters.filter((m) => m.data.channelId === ch.id)) {
    expect(letter.headers).toMatchObject({ 'x-error-type': 'VALIDATION_ERROR', 'x-error-code': '422', 'x-delivery-count': '1', 'x-error-data': expect.stringContaining('message') });
  }
  await new Promise((r) => setTimeout(r, 300));
  expect(ch.requests()).toHaveLength(0);
  expect((await failedEvents(nats.url, ns)).filter((e) => e.data.channelId === ch.id)).toHaveLength(0);
});

it('a queued send no integration takes is not dropped silently: skipped by the others, logged as an error', async () => {
  const ch = await newChannel();
  const spies = brokers.map((b) => jest.spyOn(b.getLocalService('tg')!.logger, 'error'));
  try {
    await brokers[0]!.sendToChannel(channelNames(ns).OUTBOUND_SEND, { integration: 'someone-else', channelId: ch.id, message: text('c', 'x') });
    const logged = () => spies.flatMap((spy) => spy.mock.calls).filter((args) => args.some((a) => typeof a === 'string' && a.includes('someone-else') && a.includes(ch.id)));
    await waitFor(async () => logged().length, (n) => n > 0);
    await new Promise((r) => setTimeout(r, 300));
    // one group (tg's) consumed it, on one of its two nodes: logged once
    expect(logged()).toHaveLength(1);
    expect(ch.requests()).toHaveLength(0);
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
});

it('queued sends for another integration are left to it, and not reported by the others', async () => {
  const ch = await newChannel();
  const spies = brokers.map((b) => jest.spyOn(b.getLocalService('tg')!.logger, 'error'));
  const other = makeBroker({ nodeID: `node-other-${uid()}`, namespace: ns, natsUrl: nats.url, redisUrl: redis.url, services: [telegramIntegration('tgother')] });
  try {
    await other.start();
    const registry = (brokers[0] as unknown as { registry: { getServiceList(o: object): Array<{ name: string }> } }).registry;
    await waitFor(async () => registry.getServiceList({ onlyAvailable: true }), (list) => list.some((svc) => svc.name === 'tgother'));
    await brokers[0]!.sendToChannel(channelNames(ns).OUTBOUND_SEND, { integration: 'tgother', channelId: ch.id, message: text('c', 'x') });
    await waitFor(async () => ch.requests().length, (n) => n === 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(ch.requests()[0]!.headers['x-node']).toBe(other.nodeID);
    expect((await deadLetters(nats.url, ns)).filter((m) => m.data.channelId === ch.id)).toHaveLength(0);
    expect(spies.flatMap((spy) => spy.mock.calls)).toHaveLength(0);
  } finally {
    for (const spy of spies) spy.mockRestore();
    await other.stop();
  }
});
