/**
 * Fault tests with real consumer processes (node --import tsx) on a real nats-server:
 * a consumer killed mid-handler, and a message that kills every consumer that takes it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ServiceBroker } from 'moleculer';
import { startNats, type ServerProcess } from '../harness/servers';
import { channelNames, deadLetterChannel, streamNameFor } from '../../src/channels';
import { freshNamespace, headersOf, makeBroker, manager, waitFor } from './helpers';

let nats: ServerProcess;
const brokers: ServiceBroker[] = [];
const children: ChildProcess[] = [];
const ROOT = join(__dirname, '..', '..');

beforeAll(async () => { nats = await startNats(); });
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  await Promise.allSettled(brokers.splice(0).map((b) => b.stop()));
});
afterAll(async () => { await nats.cleanup(); });

interface Child { proc: ChildProcess; events: Array<{ event: string; seq?: number; deliveryCount?: number }>; exited: Promise<number | null> }

function spawnConsumer(env: Record<string, string>): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'consumer-child.ts')], {
    cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(proc);
  const events: Child['events'] = [];
  createInterface({ input: proc.stdout! }).on('line', (l) => { try { events.push(JSON.parse(l)); } catch { /* not ours */ } });
  let stderr = '';
  proc.stderr!.on('data', (d) => { stderr += d; });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => {
    if (code === 2) process.stderr.write(`consumer child failed:\n${stderr}\n`);
    r(code);
  }));
  return { proc, events, exited };
}

/**
 * A member of group `workers` (a separate process) hangs in its handler and is SIGKILLed before acking,
 * while a second member (`maxRetries` as given) has joined. Returns what the survivor processed.
 */
async function killMidHandler(tag: string, maxRetries?: number) {
  const ns = freshNamespace(tag);
  const ch = channelNames(ns);
  const child = spawnConsumer({ NATS_URL: nats.url, NS: ns, MODE: 'hang', ...(maxRetries === undefined ? {} : { MAX_RETRIES: String(maxRetries) }) });
  await waitFor(() => child.events.some((e) => e.event === 'ready'), 20_000, 50);

  const publisher = makeBroker({ kind: 'switchboard', url: nats.url, namespace: ns });
  brokers.push(publisher);
  await publisher.start();
  await publisher.sendToChannel(ch.OUTBOUND_SEND, { job: 1 }, { msgID: 'job-1' });
  await waitFor(() => child.events.some((e) => e.event === 'started'), 5_000);

  // the second member joins, then the first one dies without acking
  const processed: Array<{ job: number; deliveryCount: number }> = [];
  const handler = (p: { job: number }, raw: { deliveryCount: number }) => { processed.push({ job: p.job, deliveryCount: raw.deliveryCount }); };
  const member = makeBroker({
    kind: 'switchboard', url: nats.url, namespace: ns,
    services: [{ name: 'survivor', channels: { [ch.OUTBOUND_SEND]: { group: 'workers', ...(maxRetries === undefined ? {} : { maxRetries }), handler } } }],
  });
  brokers.push(member);
  await member.start();
  child.proc.kill('SIGKILL');
  await child.exited;
  await waitFor(() => processed.length === 1, 5_000);
  return { ns, ch, processed };
}

it('a consumer process killed mid-handler (before ack): the message is redelivered to another member of the group and processed', async () => {
  const { ch, processed } = await killMidHandler('crash');
  expect(processed).toEqual([{ job: 1, deliveryCount: 2 }]);
  const { nc, jsm } = await manager(nats.url);
  try {
    await waitFor(async () => (await jsm.consumers.info(streamNameFor(ch.OUTBOUND_SEND), 'workers')).num_ack_pending === 0, 3_000);
  } finally {
    await nc.close();
  }
}, 40_000);

it('maxRetries: 0 — a consumer killed mid-handler: the redelivery is processed by the survivor, not dead-lettered — defect: a crash redelivery was counted as a failed attempt and dead-lettered unprocessed', async () => {
  const { ns, ch, processed } = await killMidHandler('crash0', 0);
  expect(processed).toEqual([{ job: 1, deliveryCount: 2 }]);
  const { nc, jsm } = await manager(nats.url);
  try {
    await waitFor(async () => (await jsm.consumers.info(streamNameFor(ch.OUTBOUND_SEND), 'workers')).num_ack_pending === 0, 3_000);
    expect((await jsm.streams.info(streamNameFor(deadLetterChannel(ns)))).state.messages).toBe(0);
  } finally {
    await nc.close();
  }
}, 40_000);

it('a message that kills every consumer process that takes it is dead-lettered on the last delivery max_deliver allows (crash loop) instead of looping forever — defect: stock sets no max_deliver and never gives up on it', async () => {
  const ns = freshNamespace('poison');
  const ch = channelNames(ns);
  const dlq = deadLetterChannel(ns);
  const publisher = makeBroker({ kind: 'switchboard', url: nats.url, namespace: ns });
  brokers.push(publisher);
  await publisher.start();
  await publisher.sendToChannel(ch.OUTBOUND_SEND, { poison: true }, { msgID: 'poison-1' });

  const { nc, jsm } = await manager(nats.url);
  try {
    let crashes = 0;
    const inDlq = async () => ((await jsm.streams.info(streamNameFor(dlq))).state.messages === 1);
    for (let spawned = 0; spawned < 5 && !(await inDlq()); spawned++) {
      // max_deliver = 1 + 0 + 2 = 3: crashes are not handler failures, so the handler runs on deliveries 1 and 2
      const child = spawnConsumer({ NATS_URL: nats.url, NS: ns, MODE: 'exit', MAX_RETRIES: '0', DL_ATTEMPTS: '2' });
      const outcome = await Promise.race([
        child.exited.then(() => 'crashed' as const),
        waitFor(inDlq, 20_000, 100).then(() => 'dead-lettered' as const),
      ]);
      if (outcome === 'crashed') crashes++;
      else child.proc.kill('SIGKILL');
    }
    expect(crashes).toBe(2);
    await waitFor(inDlq, 1_000);
    const m = await jsm.streams.getMessage(streamNameFor(dlq), { seq: 1 });
    expect(headersOf(m.header)).toMatchObject({ 'x-original-msg-id': 'poison-1', 'x-delivery-count': '3' });
    expect(headersOf(m.header)['x-error-message']).toMatch(/delivered 3 times without an ack \(crash loop\?\)/);
  } finally {
    await nc.close();
  }
}, 60_000);
