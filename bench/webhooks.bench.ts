/**
 * Tenant webhooks benchmark: deliveries/s from `message.received` stored in JetStream to a local subscriber's
 * receipt, through the whole delivery side (fan-out consumer, delivery record and job per subscription, signed
 * POST, attempt record in Redis before the ack; the subscriptions in the Redis store, as deployed) with 1, 10
 * and 100 subscriptions per event — beside a
 * hand-written fan-out loop (fetch + HMAC signing, nothing persisted) in the same run, same concurrency, same
 * subscriber, same payload bytes. Also the p99 lag from the event's publish (stored) to the subscriber's
 * receipt, the CPU time per delivery of every process, and (unless BENCH_MATCH=0) the matching cost of the
 * subscriptions store (Redis) with 10 / 1 000 / 100 000 subscriptions in it (`subscription-match.bench.ts`).
 *
 *   npm run bench:webhooks   # BENCH_DELIVERIES=2000 BENCH_CONCURRENCY=50 BENCH_ROUNDS=4 BENCH_LATENCIES=0,50 BENCH_FAN=1,10,100
 *                            # BENCH_UNDICI=0 (skip the undici-request loop, information only)  BENCH_MATCH=0 (skip matching)
 *                            # BENCH_PROFILE_DIR=/tmp/prof (the webhooks node runs with --cpu-prof)
 *                            # BENCH_LOOKUP=memory (an in-memory lookup instead of the subscriptions store on Redis)
 *
 * Fairness: the sides alternate round by round (webhooks first in even rounds, the loops first in odd ones);
 * every delivery of both sides carries the same event payload (built once per event, the same object the
 * SDK publishes) in the same `{ type, timestamp, data }` body. Processes: this one (orchestrator, the
 * publisher of the SDK side, the hand loops), the `webhooks` node in a child process, the subscriber in
 * another, nats-server and redis-server (their CPU read from /proc). CPU µs per delivery is the steadier
 * figure on a shared machine; deliveries/s are medians over the rounds, with the range.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { cpus, loadavg } from 'node:os';
import type { AddressInfo } from 'node:net';
import type { ServiceBroker } from 'moleculer';
import { Agent, request as undiciRequest } from 'undici';
import { channelNames } from '../src/channels';
import { startNats, startRedis } from '../test/harness/servers';
import { procCpuMs, serverPid } from './proc';
import { runMatchBench } from './subscription-match.bench';
import { FAST, TestLookup, makeBroker, startWebhooksNode, type WebhooksNode } from '../test/webhooks-out/delivery/helpers';
import { deliveryMixin } from '../src/webhooks-out/delivery';
import { subscriptionStore } from '../src/webhooks-out/subscriptions';
import type { Subscription } from '../src/webhooks-out/types';

const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const LATENCIES = (process.env.BENCH_LATENCIES ?? '0,50').split(',').map(Number);
const FAN = (process.env.BENCH_FAN ?? '1,10,100').split(',').map(Number);
const UNDICI = process.env.BENCH_UNDICI !== '0';
const MATCH = process.env.BENCH_MATCH !== '0';
/** A directory: the webhooks node runs with `--cpu-prof` and writes its profile there. */
const PROFILE = process.env.BENCH_PROFILE_DIR;
/** `store` (default): the subscriptions store on Redis, as deployed; `memory`: an in-memory lookup. */
const LOOKUP = process.env.BENCH_LOOKUP ?? 'store';

// ── CPU time of a process ─────────────────────────────────────────────────────
const selfCpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

// ── the event payload, the same bytes for both sides ─────────────────────────
function eventPayload(e: number, receivedAt: number, tenantId: string) {
  return {
    tenantId, channelId: 'ch1', integration: 'acme', platform: 'acme', eventId: `e${e}`, index: 0, timestamp: receivedAt, receivedAt,
    message: { id: `e${e}-m0`, platform: 'acme', conversationId: `c${e % 50}`, from: { id: 'u1' }, timestamp: receivedAt, content: { type: 'text', text: 'hello' } },
  };
}

// ── role: the subscriber (child process) ──────────────────────────────────────
async function serveSubscriber(): Promise<void> {
  let latencyMs = 0;
  let count = 0;
  let lags: number[] = [];
  let first = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const now = Date.now();
      count += 1;
      if (count === 1) first = now;
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
    if (m.reset) { count = 0; lags = []; first = 0; }
    process.send?.({ count, lags: m.read ? lags : [], cpuMs: selfCpuMs(), first });
  });
  process.send?.({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` });
}

// ── role: the webhooks node (child process) ───────────────────────────────────
interface NodeConfig { ns: string; tenantId: string; natsUrl: string; redisUrl: string; subscriptions: Array<{ sub: Subscription; secrets: string[] }> }
async function serveNode(): Promise<void> {
  let node: WebhooksNode | undefined;
  process.on('message', (m: { start?: NodeConfig; stop?: boolean; exit?: boolean }) => {
    void (async () => {
      if (m.start) node = LOOKUP === 'memory' ? await memoryLookupNode(m.start) : await storeLookupNode(m.start);
      if (m.stop) { await node?.stop(); node = undefined; }
      if (m.exit) process.exit(0); // a clean exit writes the --cpu-prof profile
      process.send?.({ cpuMs: selfCpuMs() });
    })();
  });
  process.send?.({ ready: true });
}

const NODE_OPTIONS = { concurrency: CONCURRENCY, retryScheduleMs: [1000], allowPrivateNetworks: true };

/** The webhooks node as deployed: the subscriptions store on Redis (the broker's `REDIS_URL`), the subscriptions created through it. */
async function storeLookupNode(c: NodeConfig): Promise<WebhooksNode> {
  const broker = makeBroker({ nodeID: `${c.ns}-w`, namespace: c.ns, natsUrl: c.natsUrl, redisUrl: c.redisUrl, transporter: false });
  const store = subscriptionStore(broker, { maxPerTenant: 1_000 });
  broker.createService({ name: 'webhooks', mixins: [deliveryMixin({ ...FAST, namespace: c.ns, lookup: () => store, ...NODE_OPTIONS })] });
  await broker.start();
  for (const { sub, secrets } of c.subscriptions) await store.create(c.tenantId, { url: sub.url, events: ['message.received'], secret: secrets[0]! });
  return { broker, stop: () => broker.stop() };
}

/** BENCH_LOOKUP=memory: an in-memory lookup answering the row's subscriptions (no Redis reads for them). */
async function memoryLookupNode(c: NodeConfig): Promise<WebhooksNode> {
  const lookup = new TestLookup();
  for (const { sub, secrets } of c.subscriptions) lookup.add({ ...sub, tenantId: c.tenantId }, secrets);
  return startWebhooksNode({ nodeID: `${c.ns}-w`, namespace: c.ns, natsUrl: c.natsUrl, redisUrl: c.redisUrl, lookup, transporter: false, options: NODE_OPTIONS });
}

interface Child<R> { proc: ChildProcess; first: Record<string, unknown>; ask(m: Record<string, unknown>): Promise<R> }
function startChild<R>(role: string, execArgv: string[] = []): Promise<Child<R>> {
  const proc = fork(__filename, [role], { execArgv: ['--import', 'tsx', ...execArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    proc.once('error', reject);
    proc.once('message', (first: Record<string, unknown>) => resolve({
      proc, first,
      ask: (msg) => new Promise((ok) => { proc.once('message', (r: R) => ok(r)); proc.send(msg); }),
    }));
  });
}
type SubscriberChild = Child<{ count: number; lags: number[]; cpuMs: number; first: number }>;
type NodeChild = Child<{ cpuMs: number }>;

const p99 = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * 0.99))] ?? NaN; };
/** The middle value (of an even count, the upper middle one). */
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] ?? NaN; };

interface Side { perSecond: number; p99: number; cpu: Record<string, number>; firstMs?: number }

/** A hand-written fan-out: for each event, each subscription, sign and POST — CONCURRENCY in flight, nothing stored. */
async function handLoop(send: (body: string, headers: Record<string, string>) => Promise<void>, tenantId: string, events: number, fan: number, secrets: Buffer[]): Promise<{ perSecond: number; lags: number[] }> {
  const started = Date.now();
  const lags: number[] = [];
  const payloads = Array.from({ length: events }, (_, e) => eventPayload(e, started, tenantId));
  const timestamp = new Date(started).toISOString();
  let next = 0;
  const total = events * fan;
  const worker = async () => {
    while (next < total) {
      const j = next++;
      const e = Math.floor(j / fan);
      const s = j % fan;
      const id = `msg_${e}_${s}`;
      const ts = String(Math.floor(Date.now() / 1000));
      const body = JSON.stringify({ type: 'message.received', timestamp, data: payloads[e] });
      const sig = createHmac('sha256', secrets[s]!).update(`${id}.${ts}.${body}`).digest('base64');
      await send(body, { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': `v1,${sig}` });
      lags.push(Date.now() - started);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { perSecond: total / ((Date.now() - started) / 1000), lags };
}

async function runLoop(kind: 'fetch' | 'undici', subscriber: SubscriberChild, tenantId: string, events: number, fan: number, secrets: Buffer[]): Promise<Side> {
  const url = subscriber.first.url as string;
  const agent = new Agent({ connections: CONCURRENCY });
  const send = kind === 'fetch'
    ? async (body: string, headers: Record<string, string>) => { const res = await fetch(url, { method: 'POST', headers, body }); await res.arrayBuffer(); }
    : async (body: string, headers: Record<string, string>) => { const res = await undiciRequest(url, { method: 'POST', headers, body, dispatcher: agent }); await res.body.arrayBuffer(); };
  const sub0 = (await subscriber.ask({ reset: true })).cpuMs;
  const self0 = selfCpuMs();
  const r = await handLoop(send, tenantId, events, fan, secrets);
  const self1 = selfCpuMs();
  const sub1 = (await subscriber.ask({})).cpuMs;
  await agent.close();
  const n = events * fan;
  return { perSecond: r.perSecond, p99: p99(r.lags), cpu: { loop: ((self1 - self0) * 1000) / n, subscriber: ((sub1 - sub0) * 1000) / n } };
}

async function runWebhooks(env: { natsUrl: string; redisUrl: string; natsPid: number; redisPid: number }, node: NodeChild, subscriber: SubscriberChild, ns: string, events: number, fan: number, secrets: string[]): Promise<Side> {
  const url = subscriber.first.url as string;
  const subscriptions = secrets.map((secret, s) => ({ sub: { id: `sub_${s}`, url, tenantId: 't1', events: ['*'], status: 'active', createdAt: '', updatedAt: '' } as Subscription, secrets: [secret] }));
  await node.ask({ start: { ns, tenantId: ns, natsUrl: env.natsUrl, redisUrl: env.redisUrl, subscriptions } });
  const pub: ServiceBroker = makeBroker({ nodeID: `${ns}-p`, namespace: ns, natsUrl: env.natsUrl, transporter: false });
  await pub.start();
  const total = events * fan;
  const sub0 = (await subscriber.ask({ reset: true })).cpuMs;
  const node0 = (await node.ask({})).cpuMs;
  const self0 = selfCpuMs();
  const nats0 = procCpuMs(env.natsPid);
  const redis0 = procCpuMs(env.redisPid);
  const started = Date.now();
  const channel = channelNames(ns).MESSAGE_RECEIVED;
  let nextEvent = 0;
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, events) }, async () => {
    while (nextEvent < events) {
      const e = nextEvent++;
      await pub.sendToChannel(channel, eventPayload(e, Date.now(), ns), { msgID: `acme:ch1:e${e}:0` });
    }
  }));
  const selfPub = selfCpuMs();
  let state = await subscriber.ask({});
  while (state.count < total) {
    if (Date.now() - started > 600_000) throw new Error(`only ${state.count}/${total} delivered in 10 min`);
    await new Promise((r) => setTimeout(r, 10));
    state = await subscriber.ask({});
  }
  const elapsed = (Date.now() - started) / 1000;
  const node1 = (await node.ask({})).cpuMs;
  const nats1 = procCpuMs(env.natsPid);
  const redis1 = procCpuMs(env.redisPid);
  const read = await subscriber.ask({ read: true });
  await node.ask({ stop: true });
  await pub.stop();
  const per = (ms: number) => (ms * 1000) / total;
  return {
    perSecond: total / elapsed, p99: p99(read.lags), firstMs: read.first - started,
    cpu: { node: per(node1 - node0), publisher: per(selfPub - self0), nats: per(nats1 - nats0), redis: per(redis1 - redis0), subscriber: per(read.cpuMs - sub0) },
  };
}

const range = (xs: number[], digits = 0) => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
const cpuMedian = (sides: Side[], key: string) => median(sides.map((s) => s.cpu[key] ?? NaN));

async function main(): Promise<void> {
  if (process.argv[2] === 'subscriber') return serveSubscriber();
  if (process.argv[2] === 'node') return serveNode();
  const [nats, redis] = await Promise.all([startNats(), startRedis()]);
  const env = { natsUrl: nats.url, redisUrl: redis.url, natsPid: serverPid(nats.port), redisPid: serverPid(redis.port) };
  const [subscriber, node] = await Promise.all([startChild<{ count: number; lags: number[]; cpuMs: number; first: number }>('subscriber'), startChild<{ cpuMs: number }>('node', PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`] : [])]);
  const rows: string[] = [];
  const cpuRows: string[] = [];
  const loads: number[] = [loadavg()[0]!];
  let nsCount = 0;
  try {
    // warm-up, not counted: both sides' code paths compiled before the first measured round
    {
      const secrets = [`whsec_${randomBytes(24).toString('base64')}`];
      const keys = secrets.map((s) => Buffer.from(s.slice(6), 'base64'));
      await runWebhooks(env, node, subscriber, `bwh${process.pid}warm`, 300, 1, secrets);
      await runLoop('fetch', subscriber, `bwh${process.pid}warm`, 300, 1, keys);
      if (UNDICI) await runLoop('undici', subscriber, `bwh${process.pid}warm`, 300, 1, keys);
    }
    for (const latency of LATENCIES) {
      await subscriber.ask({ latencyMs: latency });
      for (const fan of FAN) {
        const events = Math.max(1, Math.round(DELIVERIES / fan));
        const sdk: Side[] = [];
        const hand: Side[] = [];
        const und: Side[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          const secrets = Array.from({ length: fan }, () => `whsec_${randomBytes(24).toString('base64')}`);
          const keys = secrets.map((s) => Buffer.from(s.slice(6), 'base64'));
          const ns = `bwh${process.pid}x${nsCount++}`;
          const loops = async () => {
            hand.push(await runLoop('fetch', subscriber, ns, events, fan, keys));
            if (UNDICI) und.push(await runLoop('undici', subscriber, ns, events, fan, keys));
          };
          // alternate which side goes first, round by round
          if (round % 2 === 0) { sdk.push(await runWebhooks(env, node, subscriber, ns, events, fan, secrets)); await loops(); }
          else { await loops(); sdk.push(await runWebhooks(env, node, subscriber, ns, events, fan, secrets)); }
          loads.push(loadavg()[0]!);
          const s = sdk[sdk.length - 1]!;
          const h = hand[hand.length - 1]!;
          console.log(`latency ${latency} ms, ${fan} sub(s)/event, round ${round + 1}: webhooks ${s.perSecond.toFixed(0)}/s (first receipt after ${s.firstMs} ms, p99 lag ${s.p99} ms, node ${s.cpu.node!.toFixed(0)} µs CPU/delivery), ` +
            `fetch loop ${h.perSecond.toFixed(0)}/s (${h.cpu.loop!.toFixed(0)} µs)${UNDICI ? `, undici loop ${und[und.length - 1]!.perSecond.toFixed(0)}/s (${und[und.length - 1]!.cpu.loop!.toFixed(0)} µs)` : ''}, ` +
            `ratio ${(s.perSecond / h.perSecond).toFixed(2)}×, load ${loadavg()[0]!.toFixed(1)}`);
        }
        const s = median(sdk.map((x) => x.perSecond));
        const h = median(hand.map((x) => x.perSecond));
        const ratios = sdk.map((x, i) => x.perSecond / hand[i]!.perSecond);
        rows.push(`| ${latency} ms | ${fan} | ${events * fan} | ${s.toFixed(0)} (${range(sdk.map((x) => x.perSecond))}) | ${median(sdk.map((x) => x.p99)).toFixed(0)} ms | ` +
          `${h.toFixed(0)} (${range(hand.map((x) => x.perSecond))}) | ${(s / h).toFixed(2)}× (${range(ratios, 2)}) |` +
          (UNDICI ? ` ${median(und.map((x) => x.perSecond)).toFixed(0)} |` : ''));
        cpuRows.push(`| ${latency} ms | ${fan} | ${cpuMedian(sdk, 'node').toFixed(0)} | ${cpuMedian(sdk, 'publisher').toFixed(0)} | ${cpuMedian(sdk, 'nats').toFixed(0)} | ` +
          `${cpuMedian(sdk, 'redis').toFixed(0)} | ${cpuMedian(sdk, 'subscriber').toFixed(0)} | ${cpuMedian(hand, 'loop').toFixed(0)} | ${cpuMedian(hand, 'subscriber').toFixed(0)} |` +
          (UNDICI ? ` ${cpuMedian(und, 'loop').toFixed(0)} |` : ''));
      }
    }
    console.log(`\n${new Date().toISOString().slice(0, 16)}Z, ${cpus().length} CPU(s) (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}; ` +
      `${ROUNDS} round(s) per row, sides alternating; subscriptions: ${LOOKUP === 'memory' ? 'in-memory lookup' : 'the Redis store'}; ${CONCURRENCY} deliveries in flight; load average (1 min) ${range(loads, 1)}.\n`);
    console.log('| subscriber latency | subs/event | deliveries | webhooks deliveries/s, median (range) | p99 lag stored→receipt | fetch loop deliveries/s | ratio, median (per-round range) |' +
      (UNDICI ? ' undici-request loop/s (info) |' : ''));
    console.log(`|---|---|---|---|---|---|---|${UNDICI ? '---|' : ''}`);
    for (const r of rows) console.log(r);
    console.log('\nCPU µs per delivery (medians):\n');
    console.log('| latency | subs/event | webhooks node | publisher | nats-server | redis-server | subscriber | fetch loop | subscriber (loop) |' + (UNDICI ? ' undici loop |' : ''));
    console.log(`|---|---|---|---|---|---|---|---|---|${UNDICI ? '---|' : ''}`);
    for (const r of cpuRows) console.log(r);
    subscriber.proc.kill();
    if (PROFILE) await new Promise((r) => { node.proc.once('exit', r); node.proc.send({ exit: true }); });
    node.proc.kill();
    if (MATCH) {
      console.log('\nMatching (subscriptions store on redis-server), one matching subscription of the tenant and type:\n');
      await runMatchBench(redis.url);
    }
  } finally {
    subscriber.proc.kill();
    node.proc.kill();
    await Promise.all([nats.cleanup(), redis.cleanup()]);
  }
}

main().then(() => { if (process.argv[2] === undefined) process.exit(0); }, (err) => { console.error(err); process.exit(1); });
