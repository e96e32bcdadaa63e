/**
 * Matching cost of the subscription store on a real redis-server: `match(tenant, type)` for a tenant with one
 * matching subscription while the store holds 10, 1 000 and 100 000 subscriptions of other tenants and types.
 * The index makes the cost flat: two set reads and one record read, whatever the store holds. Prints a table.
 *
 *   node --import tsx bench/subscription-match.bench.ts     # BENCH_MATCHES=2000 BENCH_SIZES=10,1000,100000
 *
 * `npm run bench:webhooks` runs it too, after the delivery rows, on its own redis-server (`runMatchBench`).
 */
import { startRedis } from '../test/harness/servers';
import { RedisStore } from '../src/entries/store';
import { SubscriptionStore } from '../src/entries/webhooks';

const SIZES = (process.env.BENCH_SIZES ?? '10,1000,100000').split(',').map(Number);
const MATCHES = Number(process.env.BENCH_MATCHES ?? 2000);
const URL = 'https://93.184.215.14/hooks';
const TYPES = ['message.received', 'message.sent', 'message.failed', 'message.status', '*'];

/** Fills a store on `redisUrl` (prefix `benchmatch:`) to each size in turn and prints the matching cost. */
export async function runMatchBench(redisUrl: string): Promise<string[]> {
    const kv = new RedisStore({ redis: redisUrl, prefix: 'benchmatch:' });
    await kv.ready();
    const store = new SubscriptionStore(kv, { maxPerTenant: 100_000 });
    await store.create('acme', { url: URL, events: ['message.sent'] });
    let held = 1;
    const rows: string[] = [];
    for (const size of SIZES) {
      // fill with other tenants' subscriptions of every type, and the tenant's own of other types
      const todo = size - held;
      for (let i = 0; i < todo; i += 200) {
        const batch = Array.from({ length: Math.min(200, todo - i) }, (_, k) => {
          const n = held + i + k;
          return n % 10 === 0
            ? store.create('acme', { url: URL, events: [n % 20 === 0 ? 'message.received' : 'message.failed'] })
            : store.create(`t${n % 997}`, { url: URL, events: [TYPES[n % TYPES.length]!] });
        });
        await Promise.all(batch);
      }
      held = size;
      const latencies: number[] = [];
      for (let i = 0; i < 1_000; i++) await store.match('acme', 'message.sent'); // warm-up (the first size would pay the JIT otherwise)
      const cpu0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < MATCHES; i++) {
        const s = process.hrtime.bigint();
        const found = await store.match('acme', 'message.sent');
        latencies.push(Number(process.hrtime.bigint() - s) / 1e6);
        if (found.length !== 1) throw new Error(`expected 1 match, got ${found.length}`);
      }
      const totalMs = Number(process.hrtime.bigint() - t0) / 1e6;
      const cpu = process.cpuUsage(cpu0);
      latencies.sort((a, b) => a - b);
      const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(3);
      rows.push(`| ${size.toLocaleString('en')} | ${(MATCHES / (totalMs / 1000)).toFixed(0)} | ${p(0.5)} | ${p(0.99)} | ${((cpu.user + cpu.system) / MATCHES).toFixed(0)} |`);
      console.log(rows[rows.length - 1]);
    }
    console.log('\n| subscriptions in the store | matches/s (sequential) | p50 ms | p99 ms | client CPU µs/match |\n|---|---|---|---|---|');
    for (const r of rows) console.log(r);
    await kv.close();
    return rows;
}

async function main(): Promise<void> {
  const redis = await startRedis();
  try {
    await runMatchBench(redis.url);
  } finally {
    await redis.cleanup();
  }
}

if (require.main === module) main().catch((err) => { console.error(err); process.exit(1); });
