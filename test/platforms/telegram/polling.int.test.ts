/**
 * Polling mode on real NATS (JetStream) + Redis against the fake Bot API's getUpdates (long polls, confirms by
 * offset, 409 on a concurrent poll as Telegram does): deleteWebhook first; every update stored once across a
 * poller restart and a redelivery; two nodes, one polls; a holder that dies without releasing is replaced.
 */
import type { ServiceBroker } from 'moleculer';
import { defineIntegration } from '../../../src/integration';
import { telegram, telegramPollingOf } from '../../../src/platforms/telegram';
import { pollOffsetKey } from '../../../src/platforms/telegram/polling/offset';
import type { TelegramUpdate } from '../../../src/platforms/telegram/types';
import { channelRegistry } from '../../../src/registry';
import { RedisStore } from '../../../src/store';
import { startNats, startRedis, type ServerProcess } from '../../harness/servers';
import { freshNamespace, makeBroker, storedReceived, uid } from '../../integration/stack';
import { startFakeBotApi, type FakeBotApi } from './fake-bot-api';
import { fixture, newBotToken, newSecretToken, waitFor } from './helpers';

let nats: ServerProcess;
let redis: ServerProcess;
let api: FakeBotApi;
const brokers: ServiceBroker[] = [];

beforeAll(async () => {
  [nats, redis, api] = await Promise.all([startNats(), startRedis(), startFakeBotApi()]);
});
afterAll(async () => {
  await Promise.all(brokers.map((b) => b.stop().catch(() => undefined)));
  await Promise.all([nats?.cleanup(), redis?.cleanup(), api?.close()]);
});

/** Fast polling for tests: 1 s long polls, a 1.5 s lease, scans every 300 ms. */
const POLLING = { timeoutSeconds: 1, leaseTtlMs: 1500, leaseRetryMs: 200, rescanMs: 300, errorBackoffMs: 100, maxErrorBackoffMs: 500 };

async function node(ns: string, name: string): Promise<ServiceBroker> {
  const broker = makeBroker({
    nodeID: `${name}-${uid()}`, namespace: ns, natsUrl: nats.url, redisUrl: redis.url, transporter: false, allowPrivateNetworks: true,
    services: [defineIntegration(telegram({ inbound: { channelCacheTtlMs: 0 }, polling: POLLING }))],
  });
  brokers.push(broker);
  await broker.start();
  return broker;
}

const managerOf = (broker: ServiceBroker) => telegramPollingOf(broker.getLocalService('telegram'))!;
const holding = (broker: ServiceBroker) => managerOf(broker).running.some((p) => p.holding);

/** A text update with this id (the text-message fixture's shape). */
function update(id: number): TelegramUpdate {
  const base = fixture('text-message.json');
  return { update_id: id, message: { ...base.message!, message_id: id, text: `update ${id}` } };
}

async function pollingChannel(broker: ServiceBroker) {
  const id = `poll-${uid()}`;
  const token = newBotToken();
  api.addBot(token);
  await channelRegistry(broker).create({ id, tenantId: 'acme', platform: 'telegram', credentials: { botToken: token }, secrets: [newSecretToken()], settings: { apiBaseUrl: api.url, mode: 'polling' } });
  return { id, token };
}

async function storedIds(ns: string, channelId: string): Promise<string[]> {
  return (await storedReceived(nats.url, ns)).filter((m) => m.channelId === channelId).map((m) => String(m.eventId));
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

it('deletes the webhook first, stores each update once across a poller restart and Telegram redelivering unconfirmed ones, commits the offset', async () => {
  const ns = freshNamespace('poll');
  const a = await node(ns, 'a');
  const ch = await pollingChannel(a);
  api.push(ch.token, ...range(100, 104).map(update));
  await waitFor(() => storedIds(ns, ch.id), (ids) => ids.length === 5);
  const calls = api.calls.filter((c) => c.token === ch.token);
  expect(calls[0]!.method).toBe('deleteWebhook');
  expect(calls.find((c) => c.method === 'getUpdates')!.body).toMatchObject({ timeout: 1, allowed_updates: expect.arrayContaining(['message', 'callback_query']) });

  // the offset is committed after the stored updates
  const store = new RedisStore({ redis: redis.url, prefix: `${ns}:` });
  await waitFor(() => store.get(pollOffsetKey(ch.token.split(':')[0]!)), (v) => v === '105');

  // restart the poller; as if the node had died after storing 103-104 but before committing their offset:
  // the committed offset is 103 and Telegram still holds 103-104 (unconfirmed), so they come again
  await a.stop();
  await store.set(pollOffsetKey(ch.token.split(':')[0]!), '103');
  api.push(ch.token, ...[103, 104].map(update), ...range(105, 107).map(update));
  const a2 = await node(ns, 'a2');
  const ids = await waitFor(() => storedIds(ns, ch.id), (x) => x.length >= 8);
  await new Promise((r) => setTimeout(r, 500)); // nothing more arrives
  expect((await storedIds(ns, ch.id)).sort()).toEqual(range(100, 107).map(String));
  expect(ids).toHaveLength(8);
  expect(api.delivered(ch.token).filter((id) => id === 103 || id === 104)).toHaveLength(4); // fetched twice, stored once
  const restarted = api.calls.filter((c) => c.token === ch.token && c.method === 'getUpdates').at(-1)!;
  expect(restarted.body.offset).toBe(108);
  expect(api.conflicts(ch.token)).toBe(0);
  await store.close();
  await a2.stop();
});

it('two nodes: one polls (no concurrent getUpdates ever); a holder that dies without releasing is replaced after the lease', async () => {
  const ns = freshNamespace('poll2');
  const [a, b] = [await node(ns, 'a'), await node(ns, 'b')];
  const ch = await pollingChannel(a);
  api.push(ch.token, ...range(200, 209).map(update));
  await waitFor(() => storedIds(ns, ch.id), (ids) => ids.length === 10);
  await waitFor(() => [holding(a), holding(b)], (h) => h.filter(Boolean).length === 1);
  const [holder, other] = holding(a) ? [a, b] : [b, a];
  // the other node runs a poller for the bot too, waiting for the lease
  const waiting = await waitFor(() => managerOf(other).running, (r) => r.length === 1);
  expect(waiting).toEqual([expect.objectContaining({ channelId: ch.id, holding: false, stored: 0 })]);

  // the holder dies: its lease is not released, it simply stops renewing
  for (const { poller } of (managerOf(holder) as unknown as { pollers: Map<string, { poller: { lease: { release(): Promise<void> } } }> }).pollers.values()) {
    poller.lease.release = async () => undefined;
  }
  await holder.stop();
  api.push(ch.token, ...range(210, 214).map(update));
  await waitFor(() => storedIds(ns, ch.id), (ids) => ids.length === 15);
  expect(holding(other)).toBe(true);
  expect(await other.call('telegram.pollingStatus')).toEqual({ nodeID: other.nodeID, pollers: [expect.objectContaining({ channelId: ch.id, holding: true, stored: 5 })] });
  expect((await storedIds(ns, ch.id)).sort()).toEqual(range(200, 214).map(String));
  expect(api.conflicts(ch.token)).toBe(0);
  await other.stop();
});

it('a channel switched back to webhook mode stops being polled on every node', async () => {
  const ns = freshNamespace('poll3');
  const a = await node(ns, 'a');
  const ch = await pollingChannel(a);
  await waitFor(() => holding(a), (h) => h);
  await channelRegistry(a).update(ch.id, { settings: { apiBaseUrl: api.url, mode: 'webhook' } });
  await waitFor(() => managerOf(a).running, (r) => r.length === 0);
  const polls = api.calls.filter((c) => c.token === ch.token && c.method === 'getUpdates').length;
  await new Promise((r) => setTimeout(r, 1500));
  expect(api.calls.filter((c) => c.token === ch.token && c.method === 'getUpdates').length).toBe(polls);
  await a.stop();
});

it('NATS down while polling: the offset stays where the stored updates end; after recovery each update is stored once', async () => {
  const ns = freshNamespace('poll4');
  const a = await node(ns, 'a');
  const ch = await pollingChannel(a);
  api.push(ch.token, ...range(300, 302).map(update));
  await waitFor(() => storedIds(ns, ch.id), (ids) => ids.length === 3);
  const store = new RedisStore({ redis: redis.url, prefix: `${ns}:` });
  const offsetKey = pollOffsetKey(ch.token.split(':')[0]!);
  await waitFor(() => store.get(offsetKey), (v) => v === '303');

  await nats.kill();
  api.push(ch.token, ...range(303, 305).map(update));
  // the poller fetches them and fails to store: the offset does not move past what is stored
  await waitFor(() => api.delivered(ch.token).filter((id) => id >= 303).length, (n) => n >= 3, 20_000);
  await new Promise((r) => setTimeout(r, 1000));
  expect(await store.get(offsetKey)).toBe('303');

  await nats.start();
  await waitFor(() => storedIds(ns, ch.id).catch(() => []), (ids) => ids.length >= 6, 30_000);
  await waitFor(() => store.get(offsetKey), (v) => v === '306', 10_000);
  expect((await storedIds(ns, ch.id)).sort()).toEqual(range(300, 305).map(String));
  expect(api.delivered(ch.token).filter((id) => id === 303).length).toBeGreaterThanOrEqual(2); // read again after the failure
  await store.close();
  await a.stop();
}, 90_000);
