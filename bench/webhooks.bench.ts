/**
 * Tenant webhooks benchmark: deliveries/s from `message.received` stored in JetStream to a local subscriber's
 * receipt, through the whole delivery side (fan-out consumer, delivery record and job per subscription, signed
 * POST, attempt record in Redis before the ack) with 1, 10 and 100 subscriptions per event — beside a
 * hand-written fan-out loop (fetch + HMAC signing, nothing persisted) in the same run, same concurrency, same
 * subscriber. Also the p99 lag from the event's publish (stored) to the subscriber's receipt.
 *
 *   npm run bench:webhooks   # BENCH_DELIVERIES=2000 BENCH_CONCURRENCY=50 BENCH_ROUNDS=2 BENCH_LATENCIES=0,50 BENCH_FAN=1,10,100
 *
 * The subscriber runs in its own process (as a tenant's server would); nats-server and redis-server are
 * started by the test harness. Matching cost against a store of 10 / 1 000 / 100 000 subscriptions belongs to
 * the subscriptions store (`webhooks-out/subscriptions`), measured there; this bench uses an in-memory lookup
 * that returns the N subscriptions of the scenario.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { cpus } from 'node:os';
import type { AddressInfo } from 'node:net';
import { startNats, startRedis } from '../test/harness/servers';
import { TestLookup, makeBroker, publishReceived, startWebhooksNode } from '../test/webhooks-out/delivery/helpers';

const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const LATENCIES = (process.env.BENCH_LATENCIES ?? '0,50').split(',').map(Number);
const FAN = (process.env.BENCH_FAN ?? '1,10,100').split(',').map(Number);

// ── role: the subscriber (child process) ──────────────────────────────────────
async function serveSubscriber(): Promise<void> {
  let latencyMs = 0;
  let count = 0;
  let lags: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const now = Date.now();
      count += 1;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString()) as { data?: { receivedAt?: number } };
        if (typeof body.data?.receivedAt === 'number') lags.push(now - body.data.receivedAt);
      } catch { /* not JSON */ }
      const answer = () => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"ok":true}'); };
      if (latencyMs > 0) setTimeout(answer, latencyMs); else answer();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  process.on('message', (m: { latencyMs?: number; reset?: boolean; read?: boolean }) => {
    if (typeof m.latencyMs === 'number') latencyMs = m.latencyMs;
    if (m.reset) { count = 0; lags = []; }
    process.send?.({ count, lags: m.read ? lags : [] });
  });
  process.send?.({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` });
}

interface SubscriberProc { proc: ChildProcess; url: string; ask(m: Record<string, unknown>): Promise<{ count: number; lags: number[] }> }

function startSubscriberProc(): Promise<SubscriberProc> {
  const proc = fork(__filename, ['subscriber'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    proc.once('error', reject);
    proc.once('message', (m: { url: string }) => resolve({
      proc, url: m.url,
      ask: (msg) => new Promise((ok) => { proc.once('message', (r: { count: number; lags: number[] }) => ok(r)); proc.send(msg); }),
    }));
  });
}

const p99 = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * 0.99))] ?? NaN; };
/** The middle value (of an even count, the upper middle one). */
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] ?? NaN; };

/** The hand-written fan-out: for each event, for each subscription, sign and POST — a pool of CONCURRENCY, nothing stored. */
async function handLoop(url: string, events: number, fan: number, secrets: Buffer[]): Promise<{ perSecond: number; p99: number }> {
  const started = Date.now();
  const lags: number[] = [];
  const jobs: Array<{ e: number; s: number; at: number }> = [];
  for (let e = 0; e < events; e++) for (let s = 0; s < fan; s++) jobs.push({ e, s, at: 0 });
  let next = 0;
  const publishedAt = Date.now();
  const worker = async () => {
    while (next < jobs.length) {
      const j = jobs[next++]!;
      const id = `msg_${j.e}_${j.s}`;
      const ts = String(Math.floor(Date.now() / 1000));
      const body = JSON.stringify({ type: 'message.received', timestamp: new Date().toISOString(), data: { tenantId: 't1', eventId: `e${j.e}`, receivedAt: publishedAt } });
      const sig = createHmac('sha256', secrets[j.s]!).update(`${id}.${ts}.${body}`).digest('base64');
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': `v1,${sig}` }, body });
      await res.arrayBuffer();
      lags.push(Date.now() - publishedAt);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { perSecond: jobs.length / ((Date.now() - started) / 1000), p99: p99(lags) };
}

async function main(): Promise<void> {
  if (process.argv[2] === 'subscriber') return serveSubscriber();
  const [nats, redis] = await Promise.all([startNats(), startRedis()]);
  const subscriber = await startSubscriberProc();
  const rows: string[] = [];
  let nsCount = 0;
  try {
    for (const latency of LATENCIES) {
      await subscriber.ask({ latencyMs: latency });
      for (const fan of FAN) {
        const events = Math.max(1, Math.round(DELIVERIES / fan));
        const total = events * fan;
        const sdk: Array<{ perSecond: number; p99: number }> = [];
        const raw: Array<{ perSecond: number; p99: number }> = [];
        for (let round = 0; round < ROUNDS; round++) {
          // the SDK: one webhooks node, events published as the inbound pipeline does
          const ns = `bwh${process.pid}x${nsCount++}`;
          const lookup = new TestLookup();
          const secrets: string[] = [];
          for (let s = 0; s < fan; s++) { const sec = `whsec_${randomBytes(24).toString('base64')}`; secrets.push(sec); lookup.add({ id: `sub_${s}`, url: subscriber.url }, [sec]); }
          const node = await startWebhooksNode({ nodeID: `${ns}-w`, namespace: ns, natsUrl: nats.url, redisUrl: redis.url, lookup, transporter: false, options: { concurrency: CONCURRENCY, retryScheduleMs: [1000], allowPrivateNetworks: true } });
          const pub = makeBroker({ nodeID: `${ns}-p`, namespace: ns, natsUrl: nats.url, transporter: false });
          await pub.start();
          await subscriber.ask({ reset: true });
          const started = Date.now();
          let nextEvent = 0;
          await Promise.all(Array.from({ length: Math.min(CONCURRENCY, events) }, async () => {
            while (nextEvent < events) { const e = nextEvent++; await publishReceived(pub, ns, { eventId: `e${e}`, conversationId: `c${e % 50}` }); }
          }));
          if (process.env.BENCH_DEBUG) console.log(`published ${events} events in ${Date.now() - started} ms`);
          let state = await subscriber.ask({});
          while (state.count < total) {
            if (Date.now() - started > 600_000) throw new Error(`only ${state.count}/${total} delivered in 10 min`);
            await new Promise((r) => setTimeout(r, 20));
            state = await subscriber.ask({});
          }
          const elapsed = (Date.now() - started) / 1000;
          const read = await subscriber.ask({ read: true });
          sdk.push({ perSecond: total / elapsed, p99: p99(read.lags) });
          await node.stop();
          await pub.stop();
          // the hand-written loop, same subscriber, same number of deliveries
          await subscriber.ask({ reset: true });
          raw.push(await handLoop(subscriber.url, events, fan, secrets.map((s) => Buffer.from(s.slice(6), 'base64'))));
          console.log(`latency ${latency} ms, ${fan} sub(s)/event, round ${round + 1}: webhooks ${sdk[round]!.perSecond.toFixed(0)}/s (p99 lag ${sdk[round]!.p99} ms), hand loop ${raw[round]!.perSecond.toFixed(0)}/s`);
        }
        const s = median(sdk.map((x) => x.perSecond));
        const r = median(raw.map((x) => x.perSecond));
        rows.push(`| ${latency} ms | ${fan} | ${total} | ${s.toFixed(0)} | ${median(sdk.map((x) => x.p99)).toFixed(0)} ms | ${r.toFixed(0)} | ${(s / r).toFixed(2)}× |`);
      }
    }
    const header = `${ROUNDS} round(s) per row (medians), ${CONCURRENCY} concurrent deliveries, ${cpus().length} CPU(s) (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.\n\n` +
      '| subscriber latency | subs/event | deliveries | webhooks deliveries/s | p99 lag stored→receipt | hand loop deliveries/s | ratio |\n|---|---|---|---|---|---|---|';
    console.log(`\n${header}\n${rows.join('\n')}`);
  } finally {
    subscriber.proc.kill();
    await Promise.all([nats.cleanup(), redis.cleanup()]);
  }
}

main().then(() => { if (process.argv[2] !== 'subscriber') process.exit(0); }, (err) => { console.error(err); process.exit(1); });
