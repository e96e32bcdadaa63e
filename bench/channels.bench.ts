/**
 * Channels benchmark: Switchboard's JetStream adapter vs the stock @moleculer/channels NATS adapter,
 * side by side on one nats-server (started here). Measures publish-with-PubAck throughput
 * (sequential and 64 concurrent) and consumer throughput at maxInFlight 1/10/100, prints a table
 * with the ratio, and writes it to BENCHMARKS.md under `## Channels`.
 *
 *   npm run bench:channels   # BENCH_SCALE=0.5 quicker, BENCH_ROUNDS=5 steadier, BENCH_ONLY=publish one scenario, BENCH_NO_WRITE=1 no file
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { ServiceBroker, type ServiceSchema } from 'moleculer';
import { Adapters, Middleware } from '@moleculer/channels';
import { connect, DiscardPolicy, RetentionPolicy, StorageType, type JetStreamManager, type NatsConnection } from 'nats';
import { startNats } from '../test/harness/servers';
import {
  createChannelsMiddleware, streamNameFor, DEFAULT_DUPLICATE_WINDOW_MS, DEFAULT_MAX_AGE_MS, DEFAULT_MAX_BYTES, DEFAULT_MAX_MSGS,
} from '../src/channels';

type Kind = 'switchboard' | 'stock';
const KINDS: Kind[] = ['switchboard', 'stock'];
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
/** Alternating rounds per scenario; each adapter's median is reported. */
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const n = (x: number) => Math.max(100, Math.round(x * SCALE));
const NANOS = 1_000_000;
let seq = 0;

function broker(kind: Kind, url: string, services: ServiceSchema[] = []): ServiceBroker {
  const mw = kind === 'switchboard'
    ? createChannelsMiddleware({ namespace: 'bench', nats: url, provisionSdkChannels: false })
    : Middleware({ adapter: new Adapters.NATS({ nats: { url } }) } as never);
  const b = new ServiceBroker({ nodeID: `${kind}-${++seq}`, logger: false, middlewares: [mw as never] });
  for (const s of services) b.createService(s);
  return b;
}

/** The same stream for both adapters (our defaults), so neither pays for a different config. */
async function createStream(jsm: JetStreamManager, channel: string): Promise<void> {
  await jsm.streams.add({
    name: streamNameFor(channel), subjects: [channel], retention: RetentionPolicy.Limits, storage: StorageType.File,
    max_age: DEFAULT_MAX_AGE_MS * NANOS, max_msgs: DEFAULT_MAX_MSGS, max_bytes: DEFAULT_MAX_BYTES,
    duplicate_window: DEFAULT_DUPLICATE_WINDOW_MS * NANOS, num_replicas: 1, discard: DiscardPolicy.Old,
  });
}

const payload = { tenantId: 't1', channelId: 'c1', integration: 'generic', eventId: 'e', message: { id: 'm', text: 'hello world' } };

async function publishRate(kind: Kind, url: string, jsm: JetStreamManager, total: number, concurrency: number): Promise<number> {
  const channel = `bench.pub${++seq}`;
  await createStream(jsm, channel);
  const b = broker(kind, url);
  await b.start();
  try {
    let i = 0;
    const worker = async () => {
      while (i < total) {
        const k = i++;
        await b.sendToChannel(channel, payload, { msgID: `p-${k}` });
      }
    };
    for (let w = 0; w < 50; w++) await b.sendToChannel(channel, payload); // warm-up
    i = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: concurrency }, worker));
    return total / ((performance.now() - t0) / 1000);
  } finally {
    await b.stop();
  }
}

async function consumeRate(kind: Kind, url: string, nc: NatsConnection, jsm: JetStreamManager, total: number, maxInFlight: number): Promise<number> {
  const channel = `bench.con${++seq}`;
  await createStream(jsm, channel);
  const js = nc.jetstream();
  const data = new TextEncoder().encode(JSON.stringify(payload));
  for (let k = 0; k < total; k += 500) {
    await Promise.all(Array.from({ length: Math.min(500, total - k) }, () => js.publish(channel, data)));
  }
  let count = 0;
  let t0 = 0;
  let t1 = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => { done = r; });
  const b = broker(kind, url, [{
    name: 'reader',
    channels: {
      [channel]: {
        group: `g${seq}`,
        maxInFlight,
        // stock: start at the first stored message too (its default is "new")
        nats: { consumerOptions: { config: { deliver_policy: 'all' } } },
        handler: async () => {
          if (count === 0) t0 = performance.now();
          await Promise.resolve();
          if (++count === total) { t1 = performance.now(); done(); }
        },
      },
    },
  }]);
  await b.start();
  const timeout = setTimeout(() => done(), 120_000);
  await finished;
  clearTimeout(timeout);
  await b.stop();
  if (count < total) throw new Error(`${kind}: consumed ${count}/${total} within 120 s`);
  return (total - 1) / ((t1 - t0) / 1000);
}

interface Row { name: string; ours: number; stock: number }

async function main(): Promise<void> {
  const nats = await startNats();
  const nc = await connect({ servers: nats.url });
  const jsm = await nc.jetstreamManager();
  const rows: Row[] = [];
  const measure = async (name: string, fn: (k: Kind) => Promise<number>) => {
    if (process.env.BENCH_ONLY && !name.includes(process.env.BENCH_ONLY)) return;
    for (const k of KINDS) await fn(k); // warm-up run each (JIT, connections), not counted
    const runs: Record<Kind, number[]> = { switchboard: [], stock: [] };
    // alternate the order round by round, report each adapter's median, to even out warm-up and noise
    for (let round = 0; round < ROUNDS; round++) {
      for (const k of round % 2 ? [...KINDS].reverse() : KINDS) runs[k].push(await fn(k));
    }
    const median = (xs: number[]) => { const v = [...xs].sort((a, b) => a - b); return v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2; };
    const r: Record<Kind, number> = { switchboard: median(runs.switchboard), stock: median(runs.stock) };
    rows.push({ name, ours: r.switchboard, stock: r.stock });
    process.stdout.write(`${name.padEnd(40)} switchboard ${r.switchboard.toFixed(0).padStart(7)} msg/s   stock ${r.stock.toFixed(0).padStart(7)} msg/s   ratio ${(r.switchboard / r.stock).toFixed(2)}\n`);
  };
  try {
    await measure(`publish, sequential (${n(3000)} msgs)`, (k) => publishRate(k, nats.url, jsm, n(3000), 1));
    await measure(`publish, 64 concurrent (${n(20000)} msgs)`, (k) => publishRate(k, nats.url, jsm, n(20000), 64));
    await measure(`consume, maxInFlight 1 (${n(3000)} msgs)`, (k) => consumeRate(k, nats.url, nc, jsm, n(3000), 1));
    await measure(`consume, maxInFlight 10 (${n(10000)} msgs)`, (k) => consumeRate(k, nats.url, nc, jsm, n(10000), 10));
    await measure(`consume, maxInFlight 100 (${n(20000)} msgs)`, (k) => consumeRate(k, nats.url, nc, jsm, n(20000), 100));
  } finally {
    await nc.close();
    await nats.cleanup();
  }
  const table = [
    '| Scenario | Switchboard (msg/s) | Stock NATS adapter (msg/s) | Ratio |',
    '|---|---:|---:|---:|',
    ...rows.map((r) => `| ${r.name} | ${r.ours.toFixed(0)} | ${r.stock.toFixed(0)} | ${(r.ours / r.stock).toFixed(2)}× |`),
  ].join('\n');
  process.stdout.write(`\n${table}\n`);
  if (!process.env.BENCH_NO_WRITE) writeSection(table);
}

function writeSection(table: string): void {
  const file = join(__dirname, '..', 'BENCHMARKS.md');
  const section = [
    '## Channels',
    '',
    `\`npm run bench:channels\` — machine: ${cpus().length} cores, Node ${process.versions.node.split('.')[0]}; nats-server on loopback, file storage; date 2026-11-22.`,
    'Publish = `broker.sendToChannel` resolved after the JetStream PubAck (msg id set). Consume = a fresh group reading a pre-filled',
    `stream with a no-op handler; "maxInFlight" as in the channel definition. Median of ${ROUNDS} alternating runs each after one warm-up run;`,
    `load average at the end of the run: ${loadavg().map((x) => x.toFixed(1)).join(' / ')} (other work on the machine skews single runs).`,
    '',
    table,
    '',
  ].join('\n');
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\n';
  const start = text.indexOf('## Channels');
  if (start === -1) text = `${text.replace(/\n*$/, '\n\n')}${section}`;
  else {
    const next = text.indexOf('\n## ', start + 1);
    text = text.slice(0, start) + section + (next === -1 ? '' : `\n${text.slice(next + 1)}`);
  }
  writeFileSync(file, text);
  process.stdout.write(`written to ${file}\n`);
}

main().catch((err) => { process.stderr.write(`${err?.stack ?? err}\n`); process.exit(1); });
