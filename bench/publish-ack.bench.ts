/**
 * JetStream publish with PubAck, CPU per publish: nats.js `js.publish` (default, and on a connection with
 * `noAsyncTraces`) against the channels adapter's shared PubAck inbox (src/channels/jetstream/ack-inbox.ts).
 * 64 publishes in flight, msg id set, alternating rounds; CPU of this process (user + system) per publish.
 *
 *   node --import tsx bench/publish-ack.bench.ts     # BENCH_ROUNDS=3 BENCH_MSGS=20000
 */
import { connect, headers, RetentionPolicy, StorageType, type NatsConnection } from 'nats';
import { AckInbox } from '../src/channels/jetstream/ack-inbox';
import { startNats } from '../test/harness/servers';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const MSGS = Number(process.env.BENCH_MSGS ?? 20_000);
const CONCURRENCY = 64;
const payload = new TextEncoder().encode(JSON.stringify({ integration: 'bench', channelId: 'c1', message: { id: 'm', text: 'hello from the bench' } }));

type Publish = (i: number) => Promise<unknown>;

async function run(publish: Publish): Promise<{ perSec: number; cpuUs: number }> {
  let next = 0;
  const cpu = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => { while (next < MSGS) await publish(next++); }));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const used = process.cpuUsage(cpu);
  return { perSec: MSGS / secs, cpuUs: (used.user + used.system) / MSGS };
}

async function main(): Promise<void> {
  const nats = await startNats();
  const conns: NatsConnection[] = [];
  try {
    const nc = await connect({ servers: nats.url });
    const quiet = await connect({ servers: nats.url, noAsyncTraces: true });
    conns.push(nc, quiet);
    await (await nc.jetstreamManager()).streams.add({ name: 'pubbench', subjects: ['pubbench.>'], retention: RetentionPolicy.Limits, storage: StorageType.File, max_msgs: 100_000 });
    const js = nc.jetstream();
    const jsQuiet = quiet.jetstream();
    const inbox = new AckInbox(nc);
    let id = 0;
    const sides: Array<[string, Publish]> = [
      ['js.publish', () => js.publish('pubbench.a', payload, { msgID: `a-${id++}`, timeout: 5000 })],
      ['js.publish, noAsyncTraces', () => jsQuiet.publish('pubbench.b', payload, { msgID: `b-${id++}`, timeout: 5000 })],
      ['shared PubAck inbox', () => { const h = headers(); h.set('Nats-Msg-Id', `c-${id++}`); return inbox.publish('pubbench.c', payload, h, 5000); }],
    ];
    for (const [, p] of sides) await run(p); // warm-up
    const results = new Map<string, Array<{ perSec: number; cpuUs: number }>>();
    for (let r = 0; r < ROUNDS; r++) {
      for (const [name, p] of r % 2 ? [...sides].reverse() : sides) {
        const res = await run(p);
        results.set(name, [...(results.get(name) ?? []), res]);
        console.log(`  ${name.padEnd(28)} ${res.perSec.toFixed(0).padStart(6)} msg/s  CPU ${res.cpuUs.toFixed(1)} µs/publish`);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log('\n| publish | msg/s (median) | CPU µs/publish (median) |\n|---|---:|---:|');
    for (const [name, rs] of results) console.log(`| ${name} | ${median(rs.map((x) => x.perSec)).toFixed(0)} | ${median(rs.map((x) => x.cpuUs)).toFixed(1)} |`);
    inbox.close();
  } finally {
    await Promise.allSettled(conns.map((c) => c.close()));
    await nats.cleanup();
  }
}

main().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
