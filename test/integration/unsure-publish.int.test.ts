/**
 * A publish that gets no answer (nats-server paused past the publish timeout → 503 PUBLISH_FAILED,
 * `maybeStored`) is recorded in the claim and resolved on the platform's retry, however long after the
 * stream's duplicate window it comes: stored by NATS when it resumed → the retry stores nothing new;
 * lost with the server (SIGSTOP then SIGKILL) → the retry stores it. Exactly once either way. Real
 * nats-server and redis-server; the stream's duplicate window is 1 s so "after the window" is quick.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ServiceBroker } from 'moleculer';
import { channelNames, createChannelsMiddleware } from '../../src/channels';
import { RedisStore } from '../../src/store';
import { RUNTIME_METADATA_KEY, type IntegrationConfig } from '../../src/types';
import { startNats, startRedis, type ServerProcess } from '../harness/servers';
import { acmeBody, acmeIntegration, channel, freshNamespace, gatewayService, postAcme, storedReceived, uid } from './stack';

const WINDOW_MS = 1_000;
const PUBLISH_TIMEOUT_MS = 1_000;

let nats: ServerProcess;
let redis: ServerProcess;
let broker: ServiceBroker;
let base: string;
let ns: string;
let store: RedisStore;
let pid = 0;
let paused = false;
const channels = new Map<string, IntegrationConfig>([['c1', channel('c1')]]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The nats-server process of this file (the harness does not expose it). */
function natsPid(port: number): number {
  const n = Number(execFileSync('pgrep', ['-f', '--', `-p ${port} `]).toString().trim().split('\n')[0]);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`no nats-server on port ${port}`);
  return n;
}
async function pause(): Promise<void> {
  pid = natsPid(nats.port);
  process.kill(pid, 'SIGSTOP');
  paused = true;
  for (let i = 0; i < 100; i++) {
    let state = '';
    try { state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] ?? ''; } catch { await sleep(100); return; }
    if (state === 'T') return;
    await sleep(10);
  }
}
function resume(): void { if (paused) { process.kill(pid, 'SIGCONT'); paused = false; } }

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await sleep(300);
  }
}

beforeAll(async () => {
  [nats, redis] = await Promise.all([startNats(), startRedis()]);
  ns = freshNamespace('unsure');
  const { schema, url } = await gatewayService();
  base = url;
  broker = new ServiceBroker({
    nodeID: 'unsure', logger: false, transporter: null, serializer: 'JSON', validator: true,
    metadata: { [RUNTIME_METADATA_KEY]: { namespace: ns, natsUrl: nats.url, redisUrl: redis.url } },
    middlewares: [createChannelsMiddleware({
      namespace: ns, nats: { url: nats.url, connectionOptions: { reconnectTimeWait: 200 } }, publishTimeoutMs: PUBLISH_TIMEOUT_MS,
      streams: { [channelNames(ns).MESSAGE_RECEIVED]: { duplicateWindowMs: WINDOW_MS } },
    })],
  });
  broker.createService(schema);
  broker.createService(acmeIntegration(channels));
  await broker.start();
  store = new RedisStore({ redis: redis.url, prefix: `${ns}:` });
}, 60_000);

afterEach(() => resume());

afterAll(async () => {
  resume();
  await store?.close();
  await Promise.race([broker?.stop(), new Promise((r) => setTimeout(r, 8_000).unref())]);
  await Promise.allSettled([nats?.cleanup(), redis?.cleanup()]);
}, 20_000);

const keyOf = (id: string) => `inbound:acme:${channel('c1').tenantId}:c1:${id}`;
const storedIds = async (id: string) => (await storedReceived(nats.url, ns)).filter((m) => m.eventId === id).map((m) => m.$msgId);

it('NATS paused past the publish timeout → 503; it stores the message on resume; a retry after the duplicate window stores nothing new', async () => {
  const id = `stop-${uid()}`;
  const body = acmeBody(id, 'hello');
  await pause();
  const before = Date.now();
  const first = await postAcme(base, 'c1', body);
  expect(first).toMatchObject({ status: 503, body: { error: 'PUBLISH_FAILED', code: 503 } });
  const mark = await store.get(keyOf(id));
  expect(mark).toMatch(/^unsure:0:\d+$/);
  expect(Number(mark!.split(':')[2])).toBeGreaterThanOrEqual(before);
  resume();

  // NATS stores the paused publish once it runs again
  expect(await until(() => storedIds(id), (ids) => ids.length > 0, 10_000)).toEqual([`acme:c1:${id}:0`]);
  await sleep(WINDOW_MS + 500); // the platform retries after JetStream has forgotten the msg id

  const retry = await postAcme(base, 'c1', body);
  expect(retry).toMatchObject({ status: 200, body: { success: true, messages: 1, eventId: id } });
  expect(await store.get(keyOf(id))).toBe('done');
  expect(await storedIds(id)).toEqual([`acme:c1:${id}:0`]);
}, 60_000);

it('the second of two messages unconfirmed, stored on resume → a late retry stores neither again', async () => {
  const id = `stop2-${uid()}`;
  const body = acmeBody(id, 'a', 'b');
  // message 0 stored normally, then NATS pauses before message 1
  const real = broker.sendToChannel.bind(broker);
  broker.sendToChannel = async (name, payload, opts) => {
    if ((payload as { eventId?: string; index?: number }).eventId === id && (payload as { index?: number }).index === 1) await pause();
    return real(name, payload, opts);
  };
  try {
    expect(await postAcme(base, 'c1', body)).toMatchObject({ status: 503, body: { error: 'PUBLISH_FAILED' } });
  } finally {
    broker.sendToChannel = real;
  }
  expect(await store.get(keyOf(id))).toMatch(/^unsure:1:\d+$/);
  resume();
  expect(await until(() => storedIds(id), (ids) => ids.length === 2, 10_000)).toHaveLength(2);
  await sleep(WINDOW_MS + 500);
  expect(await postAcme(base, 'c1', body)).toMatchObject({ status: 200, body: { success: true, messages: 2 } });
  expect(await storedIds(id)).toEqual([`acme:c1:${id}:0`, `acme:c1:${id}:1`]);
}, 60_000);

it('NATS paused then killed (the publish is lost) → restart → the retry, after the window, stores it — once', async () => {
  const id = `kill-${uid()}`;
  const body = acmeBody(id, 'lost');
  await pause();
  expect(await postAcme(base, 'c1', body)).toMatchObject({ status: 503, body: { error: 'PUBLISH_FAILED' } });
  expect(await store.get(keyOf(id))).toMatch(/^unsure:0:\d+$/);
  await nats.kill();
  paused = false;
  await nats.start();
  await sleep(WINDOW_MS + 500);
  expect(await storedIds(id)).toEqual([]); // really lost

  // retries while the broker reconnects may get 503 again (the lookup cannot run yet); the unsure mark stays
  const retry = await until(() => postAcme(base, 'c1', body), (r) => r.status === 200, 20_000);
  expect(retry).toMatchObject({ status: 200, body: { success: true, messages: 1, eventId: id } });
  expect(await store.get(keyOf(id))).toBe('done');
  expect(await storedIds(id)).toEqual([`acme:c1:${id}:0`]);
  expect((await postAcme(base, 'c1', body)).body).toMatchObject({ duplicate: true });
}, 60_000);
