/**
 * Fault tests on a nats-server that stops answering (SIGSTOP, as a hung or partitioned server
 * would): the broker still stops, and publishes report honestly what is known.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Context, Service, ServiceBroker } from 'moleculer';
import { startNats, type ServerProcess } from '../harness/servers';
import { channelNames, streamNameFor, type JetStreamAdapter } from '../../src/channels';
import { PublishError } from '../../src/errors';
import { enqueueSend } from '../../src/integration/outbound/queue';
import type { OutboundRuntime } from '../../src/integration/runtime/outbound';
import type { SendRequest } from '../../src/integration/outbound/send-message';
import { freshNamespace, headersOf, makeBroker, manager, sleep, waitFor } from './helpers';

let nats: ServerProcess;
let pid = 0;
let paused = false;
const brokers: ServiceBroker[] = [];

/** The nats-server process of this file (the harness does not expose it). */
function natsPid(port: number): number {
  const out = execFileSync('pgrep', ['-f', '--', `-p ${port} `]).toString().trim().split('\n');
  const n = Number(out[0]);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`no nats-server on port ${port}`);
  return n;
}
/** SIGSTOP, and wait until the kernel reports the process stopped (Linux /proc; elsewhere a short sleep). */
async function pause(): Promise<void> {
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
/**
 * A race's time bound. Its timer is unref'd: the winner does not clear it, and a bound still running after
 * the last test (12 s) kept the Jest worker alive past its exit ("failed to exit gracefully").
 */
const bound = (ms: number) => new Promise<void>((r) => { setTimeout(r, ms).unref(); });

beforeAll(async () => { nats = await startNats(); pid = natsPid(nats.port); });
afterEach(async () => {
  resume();
  // bounded: a stop that hangs is what these tests catch, it must not hang the suite
  await Promise.race([Promise.allSettled(brokers.splice(0).map((b) => b.stop())), bound(4_000)]);
}, 10_000);
afterAll(async () => { resume(); await nats.cleanup(); });

it('broker.stop() finishes while nats-server does not answer (SIGSTOP) — defect: stop awaited nc.drain() without a bound and hung forever', async () => {
  const ns = freshNamespace('hang');
  const ch = channelNames(ns);
  const broker = makeBroker({
    kind: 'switchboard', url: nats.url, namespace: ns,
    services: [{ name: 'c', channels: { [ch.MESSAGE_RECEIVED]: { group: 'c', handler: async () => { await sleep(300); } } } }],
  });
  await broker.start();
  await broker.sendToChannel(ch.MESSAGE_RECEIVED, { i: 0 });
  await sleep(100);
  const nc = (broker as unknown as { channelAdapter: JetStreamAdapter }).channelAdapter.connection!;
  await pause();
  const stopping = broker.stop();
  stopping.catch(() => undefined);
  const started = Date.now();
  const outcome = await Promise.race([stopping.then(() => 'stopped'), bound(12_000).then(() => 'still stopping')]);
  if (outcome !== 'stopped') { resume(); await nc.close().catch(() => undefined); }
  // publish wait (publishTimeoutMs 2 s) + handlers (drainTimeoutMs 2 s) + drain (drainTimeoutMs 2 s), with room
  expect(outcome).toBe('stopped');
  expect(Date.now() - started).toBeLessThan(10_000);
}, 30_000);

it('a publish whose PubAck does not come (server paused) says "not confirmed (it may have been stored)" with data.maybeStored — defect: it said "was not stored", yet the message was stored and consumed once the server resumed', async () => {
  const ns = freshNamespace('unconf');
  const ch = channelNames(ns);
  const got: unknown[] = [];
  const broker = makeBroker({
    kind: 'switchboard', url: nats.url, namespace: ns,
    services: [{ name: 'c', channels: { [ch.MESSAGE_RECEIVED]: { group: 'c', handler: (p: unknown) => { got.push(p); } } } }],
  });
  brokers.push(broker);
  await broker.start();
  await pause();
  const err = await broker.sendToChannel(ch.MESSAGE_RECEIVED, { i: 1 }, { timeoutMs: 1_000, msgID: 'unconf-1' }).then(() => null, (e: unknown) => e);
  resume();
  expect(err).toBeInstanceOf(PublishError);
  expect((err as Error).message).toMatch(/not confirmed \(it may have been stored\)/);
  expect((err as PublishError).data).toMatchObject({ maybeStored: true, msgID: 'unconf-1' });
  await waitFor(() => got.length === 1, 8_000); // it was stored after all
}, 30_000);

it('a queued send without an idempotency key is published with a msg id of its own — defect: it had none, so a retry after an unconfirmed publish could store it twice', async () => {
  const ns = freshNamespace('qid');
  const ch = channelNames(ns);
  const broker = makeBroker({ kind: 'switchboard', url: nats.url, namespace: ns });
  brokers.push(broker);
  await broker.start();
  const service = { name: 'tg', broker } as unknown as Service;
  const runtime = {
    options: { queue: { enabled: true } },
    queueChannel: ch.OUTBOUND_SEND,
    pipeline: () => ({ platform: 'tg', lookupChannel: async () => ({ id: 'c1', platform: 'tg', status: 'active', tenantId: 't1' }) }),
  } as unknown as OutboundRuntime;
  const queued = await enqueueSend(service, runtime, {} as Context, { channelId: 'c1', message: { text: 'hi' } } as unknown as SendRequest);
  expect(queued.queueId).toMatch(/^queue:tg:c1:q-/);
  const { nc, jsm } = await manager(nats.url);
  try {
    const m = await jsm.streams.getMessage(streamNameFor(ch.OUTBOUND_SEND), { seq: queued.seq! });
    expect(headersOf(m.header)['Nats-Msg-Id']).toBe(queued.queueId);
  } finally {
    await nc.close();
  }
}, 15_000);
