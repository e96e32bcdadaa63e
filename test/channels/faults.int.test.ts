/**
 * Fault tests on a nats-server that stops answering (SIGSTOP, as a hung or partitioned server
 * would): the broker still stops, and publishes report honestly what is known.
 */
import { execFileSync } from 'node:child_process';
import type { ServiceBroker } from 'moleculer';
import { startNats, type ServerProcess } from '../harness/servers';
import { channelNames, type JetStreamAdapter } from '../../src/channels';
import { freshNamespace, makeBroker, sleep } from './helpers';

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
function pause(): void { process.kill(pid, 'SIGSTOP'); paused = true; }
function resume(): void { if (paused) { process.kill(pid, 'SIGCONT'); paused = false; } }

beforeAll(async () => { nats = await startNats(); pid = natsPid(nats.port); });
afterEach(async () => {
  resume();
  // bounded: a stop that hangs is what these tests catch, it must not hang the suite
  await Promise.race([Promise.allSettled(brokers.splice(0).map((b) => b.stop())), sleep(4_000)]);
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
  pause();
  const stopping = broker.stop();
  stopping.catch(() => undefined);
  const started = Date.now();
  const outcome = await Promise.race([stopping.then(() => 'stopped'), sleep(12_000).then(() => 'still stopping')]);
  if (outcome !== 'stopped') { resume(); await nc.close().catch(() => undefined); }
  // publish wait (publishTimeoutMs 2 s) + handlers (drainTimeoutMs 2 s) + drain (drainTimeoutMs 2 s), with room
  expect(outcome).toBe('stopped');
  expect(Date.now() - started).toBeLessThan(10_000);
}, 30_000);
