/** The in-memory adapter behind the same broker API: PubAck, msg-id de-dupe, groups, retries with delay, dead letters. */
import { ServiceBroker, type ServiceSchema } from 'moleculer';
import {
  channelNames, createChannelsMiddleware, deadLetterChannel, MemoryAdapter, parseDeadLetterError, type ChannelsMiddlewareOptions,
} from '../../src/channels';
import { ConfigError, PublishError, UnavailableError } from '../../src/errors';

const NS = 'mem';
const ch = channelNames(NS);
const brokers: ServiceBroker[] = [];
afterEach(async () => { await Promise.allSettled(brokers.splice(0).map((b) => b.stop())); });

async function broker(services: ServiceSchema[] = [], options: ChannelsMiddlewareOptions = {}) {
  const mw = createChannelsMiddleware({ namespace: NS, retryBackoff: { initialDelayMs: 20, jitter: 0 }, ...options });
  const b = new ServiceBroker({ logger: false, middlewares: [mw as never] });
  for (const s of services) b.createService(s);
  brokers.push(b);
  await b.start();
  return { b, adapter: mw.adapter as MemoryAdapter };
}

const until = async (cond: () => boolean, ms = 2_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timeout');
    await new Promise((r) => setTimeout(r, 5));
  }
};

it('without nats the factory uses the in-memory adapter', () => {
  expect(createChannelsMiddleware({ nats: '' }).adapter).toBeInstanceOf(MemoryAdapter);
  expect(createChannelsMiddleware().adapter).toBeInstanceOf(MemoryAdapter);
});

it('publish resolves with a PubAck; a msgID repeat inside the window is a duplicate, after it a new message', async () => {
  let now = 1_000_000;
  const { b } = await broker([], { now: () => now, streamDefaults: { duplicateWindowMs: 60_000 } });
  expect(await b.sendToChannel(ch.MESSAGE_RECEIVED, { a: 1 }, { msgID: 'x' })).toEqual({ stream: 'mem_processing_message_received', seq: 1, duplicate: false });
  expect(await b.sendToChannel(ch.MESSAGE_RECEIVED, { a: 1 }, { msgID: 'x' })).toEqual({ stream: 'mem_processing_message_received', seq: 1, duplicate: true });
  now += 61_000;
  expect(await b.sendToChannel(ch.MESSAGE_RECEIVED, { a: 1 }, { msgID: 'x' })).toMatchObject({ seq: 2, duplicate: false });
});

it('rejects with PublishError on a channel without a stream, and while stopping', async () => {
  const { b, adapter } = await broker();
  await expect(b.sendToChannel(`${NS}.nowhere`, {})).rejects.toBeInstanceOf(PublishError);
  const stopping = adapter.disconnect();
  await expect(b.sendToChannel(ch.MESSAGE_SENT, {})).rejects.toBeInstanceOf(PublishError);
  await stopping;
});

it('every group gets every message, also those published before it subscribed; members of a group share them', async () => {
  const seen: Record<string, number[]> = { a1: [], a2: [], b: [] };
  const svc = (name: string, group: string): ServiceSchema => ({
    name, channels: { [ch.MESSAGE_RECEIVED]: { group, maxInFlight: 1, handler: async (p: { i: number }) => { seen[name]!.push(p.i); await new Promise((r) => setTimeout(r, 2)); } } },
  });
  const { b } = await broker();
  for (let i = 0; i < 3; i++) await b.sendToChannel(ch.MESSAGE_RECEIVED, { i });
  await b.createService(svc('a1', 'A'));
  await b.createService(svc('a2', 'A'));
  await b.createService(svc('b', 'B'));
  await new Promise((r) => setTimeout(r, 20));
  for (let i = 3; i < 10; i++) await b.sendToChannel(ch.MESSAGE_RECEIVED, { i });
  await until(() => seen.a1!.length + seen.a2!.length === 10 && seen.b!.length === 10);
  expect([...seen.a1!, ...seen.a2!].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  expect(seen.a1!.length).toBeGreaterThan(0);
  expect(seen.a2!.length).toBeGreaterThan(0);
});

it('retries wait (growing delay), maxRetries counts retries, then the dead letter carries the headers and the error', async () => {
  const at: number[] = [];
  const { b, adapter } = await broker([{
    name: 'w',
    channels: { [ch.OUTBOUND_SEND]: { group: 'w', maxRetries: 2, handler: () => { at.push(Date.now()); throw new UnavailableError('platform down'); } } },
  }]);
  await b.sendToChannel(ch.OUTBOUND_SEND, { n: 1 }, { msgID: 'send-1', headers: { 'x-tenant': 't' } });
  await until(() => adapter.stored(deadLetterChannel(NS)).length === 1);
  expect(at).toHaveLength(3);
  expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(15);
  expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(35);
  const [dl] = adapter.stored(deadLetterChannel(NS));
  expect(dl!.payload).toEqual({ n: 1 });
  expect(dl!.headers).toMatchObject({ 'x-tenant': 't', 'x-original-msg-id': 'send-1', 'x-original-channel': ch.OUTBOUND_SEND, 'x-original-group': 'w', 'x-delivery-count': '3' });
  expect(parseDeadLetterError(dl!.headers)).toMatchObject({ name: 'UnavailableError', message: 'platform down', code: '503', type: 'UNAVAILABLE', retryable: true });
});

it('a message the filter rejects is skipped, not retried', async () => {
  const seen: string[] = [];
  let filtered = 0;
  const { b } = await broker([{
    name: 'f',
    channels: { [ch.MESSAGE_SENT]: { group: 'f', filter: (p: unknown) => { const ok = (p as { id: string }).id !== 'skip'; if (!ok) filtered++; return ok; }, handler: (p: { id: string }) => { seen.push(p.id); } } },
  }]);
  await b.sendToChannel(ch.MESSAGE_SENT, { id: 'skip' });
  await b.sendToChannel(ch.MESSAGE_SENT, { id: 'keep' });
  await until(() => seen.length === 1);
  await new Promise((r) => setTimeout(r, 60));
  expect(seen).toEqual(['keep']);
  expect(filtered).toBe(1);
});

it('retention: maxMsgs keeps only the newest messages', async () => {
  const { b, adapter } = await broker([], { streams: { [`${NS}.audit`]: { maxMsgs: 2 } } });
  for (let i = 0; i < 5; i++) await b.sendToChannel(`${NS}.audit`, { i });
  expect(adapter.stored(`${NS}.audit`).map((m) => m.payload)).toEqual([{ i: 3 }, { i: 4 }]);
});

it('conflicting or invalid options are rejected with ConfigError naming the option', () => {
  expect(() => createChannelsMiddleware({ maxRetries: -2 })).toThrow(ConfigError);
  expect(() => createChannelsMiddleware({ nats: { url: 'nats://x:1', connection: {} as never } })).toThrow(/nats\.connection/);
  expect(() => createChannelsMiddleware({ streamDefaults: { maxAgeMs: 1_000, duplicateWindowMs: 5_000 } })).toThrow(/duplicateWindowMs/);
});

it("a publish from a service's started() (before the middleware connected) waits for the connection and is stored", async () => {
  const acks: unknown[] = [];
  await broker([{ name: 'early', async started(this: { broker: ServiceBroker }) { acks.push(await this.broker.sendToChannel(ch.MESSAGE_SENT, { early: true })); } }]);
  expect(acks).toEqual([{ stream: 'mem_processing_message_sent', seq: 1, duplicate: false }]);
});
