/**
 * Send benchmark: throughput of `i_sendMessage` (channel lookup, idempotency key and token bucket in
 * Redis, sendMessage with retries, `message.sent` stored in JetStream with its PubAck) against a fake
 * Telegram Bot API, beside a hand-written `fetch` loop doing the same HTTP requests — in one run,
 * alternating rounds, same concurrency. Two Switchboard senders: the shipped `telegram()` integration (its
 * Bot API client, what a team configures and runs), and an integration whose own `sendMessage` calls `fetch`
 * like the loop (so the pipeline's overhead shows alone). Prints sends/s, p50/p99 and the ratio to the loop for
 * three platform latencies: 0 ms (the SDK's whole overhead shows), 20 ms, and 100 ms (a chat API's usual answer time).
 *
 *   npm run bench:send       # BENCH_ROUNDS=3 BENCH_SECONDS=5 BENCH_CONCURRENCY=50 BENCH_LATENCIES=0,20,100; BENCH_NO_WRITE=1 skips BENCHMARKS.md
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { procCpuMs, serverPid } from './proc';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { ServiceBroker } from 'moleculer';
import { startNats, startRedis } from '../test/harness/servers';
import { startFakeTelegram } from '../test/integration/outbound-platform';
import { RUNTIME_METADATA_KEY, defineIntegration, telegram, telegramSecretToken, type IntegrationConfig, type OutboundMessage } from '../src/index';
import { createChannelsMiddleware } from '../src/entries/channels';
import { channelRegistry } from '../src/entries/registry';
import { ensureOk } from '../src/entries/retry';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const LATENCIES = (process.env.BENCH_LATENCIES ?? '0,20,100').split(',').map(Number);
/** BENCH_PROFILE_SIDE=sdk|own|fetch: run only that side (shipped telegram(), own sendMessage, the loop) for a CPU profile of it alone (`node --cpu-prof`). */
const PROFILE_SIDE = process.env.BENCH_PROFILE_SIDE;
const TOKEN = '123456:BENCH-TOKEN';
const NAMESPACE = 'benchsend';

// ── role: the fake platform (child process) ───────────────────────────────────
async function servePlatform(): Promise<void> {
  const platform = await startFakeTelegram();
  platform.tokens.add(TOKEN);
  process.on('message', (m: { latencyMs?: number }) => {
    if (typeof m.latencyMs === 'number') { platform.latencyMs = m.latencyMs; platform.requests.length = 0; process.send?.({ ok: true }); }
  });
  // keep the request log from growing without bound
  setInterval(() => { platform.requests.length = 0; }, 1000).unref();
  process.send?.({ url: platform.url });
}

// ── role: the driver ──────────────────────────────────────────────────────────
function startPlatform(): Promise<{ proc: ChildProcess; url: string; setLatency(ms: number): Promise<void> }> {
  const proc = fork(__filename, ['platform'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    proc.once('error', reject);
    const onUrl = (m: { url?: string }) => { if (typeof m.url !== 'string') return; proc.off('message', onUrl); resolve({
      proc, url: m.url,
      setLatency: (ms) => new Promise((ok) => { proc.once('message', () => ok()); proc.send({ latencyMs: ms }); }),
    }); };
    proc.on('message', onUrl);
  });
}

/** CPU time of a process in µs (bench/proc.ts; 10 ms ticks), 0 when it is gone. */
const cpuMicros = (pid: number): number => { const ms = procCpuMs(pid); return Number.isNaN(ms) ? 0 : ms * 1000; };

/** CPU µs of each process over `fn`: this process (driver, broker, fetch loop), the platform, nats-server, redis-server. */
interface CpuUse { self: number; platform: number; nats: number; redis: number }
async function measureCpu<T>(pids: { platform: number; nats: number; redis: number }, fn: () => Promise<T>): Promise<{ value: T; cpu: CpuUse }> {
  const before = { self: process.cpuUsage(), platform: cpuMicros(pids.platform), nats: cpuMicros(pids.nats), redis: cpuMicros(pids.redis) };
  const value = await fn();
  const self = process.cpuUsage(before.self);
  return { value, cpu: {
    self: self.user + self.system, platform: cpuMicros(pids.platform) - before.platform,
    nats: cpuMicros(pids.nats) - before.nats, redis: cpuMicros(pids.redis) - before.redis,
  } };
}

const text = (i: number): OutboundMessage => ({ conversationId: `chat-${i % 100}`, content: { type: 'text', text: `message ${i}` } });

/** The request the integration makes, written by hand: what a team without the SDK would do. */
async function handSend(base: string, message: OutboundMessage, key: string): Promise<string> {
  const res = await fetch(`${base}/bot${TOKEN}/sendMessage`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify({ chat_id: message.conversationId, text: message.content.type === 'text' ? message.content.text : '' }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const body = (await res.json()) as { result: { message_id: number } };
  return String(body.result.message_id);
}

interface Result { sends: number; perSecond: number; p50: number; p99: number; errors: number; cpu?: CpuUse }

/** Runs `one` from `CONCURRENCY` workers for `SECONDS`; counts completions and latency. */
async function drive(one: (i: number) => Promise<unknown>): Promise<Result> {
  const latencies: number[] = [];
  let errors = 0;
  let n = 0;
  const end = Date.now() + SECONDS * 1000;
  const started = Date.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (Date.now() < end) {
      const i = n++;
      const t = performance.now();
      try { await one(i); latencies.push(performance.now() - t); } catch { errors++; }
    }
  }));
  const elapsed = (Date.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { sends: latencies.length, perSecond: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), errors };
}

function cpuText(r: Result): string {
  const c = r.cpu;
  if (!c || r.sends === 0) return '';
  const per = (us: number) => (us / r.sends).toFixed(0);
  return `(CPU µs/send: driver ${per(c.self)}, redis ${per(c.redis)}, nats ${per(c.nats)}, platform ${per(c.platform)})`;
}

/** CPU µs per send over all rounds of one side, per process. */
function cpuPerSend(results: Result[]): Record<keyof CpuUse, string> {
  const sends = results.reduce((a, r) => a + r.sends, 0) || 1;
  const sum = (k: keyof CpuUse) => (results.reduce((a, r) => a + (r.cpu?.[k] ?? 0), 0) / sends).toFixed(0);
  return { self: sum('self'), redis: sum('redis'), nats: sum('nats'), platform: sum('platform') };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

async function main(): Promise<void> {
  const [nats, redis, platform] = await Promise.all([startNats(), startRedis(), startPlatform()]);
  const pids = { platform: platform.proc.pid ?? 0, nats: serverPid(nats.port), redis: serverPid(redis.port) };
  const broker = new ServiceBroker({
    nodeID: 'bench-send', logger: false, validator: true,
    // the fake platform is on loopback: the shipped integration's guarded client must be allowed to reach it
    metadata: { [RUNTIME_METADATA_KEY]: { namespace: NAMESPACE, natsUrl: nats.url, redisUrl: redis.url, allowPrivateNetworks: true } },
    middlewares: [createChannelsMiddleware({ namespace: NAMESPACE, nats: nats.url }) as never],
  });
  broker.createService(defineIntegration({
    name: 'tg',
    spec: { id: 'tg', name: 'Telegram (bench)', platform: 'telegram', version: '1', status: 'ACTIVE', capabilities: ['SEND_MESSAGE'] },
    webhookSignature: telegramSecretToken(),
    normalize: () => [],
    outbound: { queue: { enabled: false } },
    async sendMessage(_ctx, message: OutboundMessage, channel: IntegrationConfig, attempt) {
      const res = await fetch(`${String(channel.settings.apiBase)}/bot${String(channel.credentials.token)}/sendMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': attempt.idempotencyKey },
        body: JSON.stringify({ chat_id: message.conversationId, text: message.content.type === 'text' ? message.content.text : '' }),
        signal: attempt.signal,
      });
      await ensureOk(res, 'telegram sendMessage');
      const body = (await res.json()) as { result: { message_id: number } };
      return { messageId: String(body.result.message_id) };
    },
  }));
  // the shipped Telegram integration (its Bot API client), queue off as above: the call answers once sent
  broker.createService(defineIntegration(telegram({ outbound: { queue: { enabled: false } } })));
  await broker.start();
  // a bucket far above the offered load: the Redis round trip is measured, not a throttle
  const rateLimit = { capacity: 1_000_000, refillPerSecond: 1_000_000 };
  await channelRegistry(broker).create({
    id: 'bench', tenantId: 'bench', platform: 'telegram', credentials: { token: TOKEN }, settings: { apiBase: platform.url, rateLimit },
  });
  await channelRegistry(broker).create({
    id: 'bench-tg', tenantId: 'bench', platform: 'telegram', credentials: { botToken: TOKEN }, secrets: ['bench-secret-token'],
    settings: { apiBaseUrl: platform.url, rateLimit },
  });

  const sides = [
    { name: 'i_sendMessage, shipped telegram()', send: (i: number) => broker.call('telegram.i_sendMessage', { channelId: 'bench-tg', message: text(i), idempotencyKey: `t-${Date.now()}-${i}` }) },
    { name: 'i_sendMessage, own sendMessage (fetch)', send: (i: number) => broker.call('tg.i_sendMessage', { channelId: 'bench', message: text(i), idempotencyKey: `k-${Date.now()}-${i}` }) },
    { name: 'hand-written fetch', send: (i: number) => handSend(platform.url, text(i), `h-${Date.now()}-${i}`) },
  ];
  const [shipped, own, loop] = sides;

  const rows: string[] = [];
  const summary: string[] = [];
  for (const latency of LATENCIES) {
    await platform.setLatency(latency);
    if (PROFILE_SIDE) {
      const one = (PROFILE_SIDE === 'fetch' ? loop : PROFILE_SIDE === 'own' ? own : shipped)!.send;
      await drive(one);
      for (let r = 0; r < ROUNDS; r++) {
        const { value, cpu } = await measureCpu(pids, () => drive(one));
        console.log(`${PROFILE_SIDE} alone, latency ${latency} ms, round ${r + 1}: ${value.perSecond.toFixed(0)}/s ${cpuText({ ...value, cpu })}`);
      }
      continue;
    }
    for (const side of sides) await drive(side.send); // warm-up (JIT, connections, streams)
    const results: Result[][] = sides.map(() => []);
    const measured = async (one: (i: number) => Promise<unknown>): Promise<Result> => {
      const { value, cpu } = await measureCpu(pids, () => drive(one));
      return { ...value, cpu };
    };
    for (let r = 0; r < ROUNDS; r++) {
      // Rotate which side goes first, so a slow stretch of a shared machine does not always land on one side.
      for (let k = 0; k < sides.length; k++) {
        const i = (k + r) % sides.length;
        results[i]!.push(await measured(sides[i]!.send));
      }
      console.log(`latency ${latency} ms, round ${r + 1}: ${sides.map((side, i) => `${side.name} ${results[i]![r]!.perSecond.toFixed(0)}/s ${cpuText(results[i]![r]!)}`).join('; ')}`);
    }
    const med = (xs: Result[]) => ({ perSecond: median(xs.map((x) => x.perSecond)), p50: median(xs.map((x) => x.p50)), p99: median(xs.map((x) => x.p99)), errors: xs.reduce((a, x) => a + x.errors, 0) });
    const loopRate = med(results[2]!).perSecond;
    sides.forEach((side, i) => {
      const m = med(results[i]!);
      const c = cpuPerSend(results[i]!);
      const ratio = m.perSecond / loopRate;
      rows.push(`| ${latency} ms | ${side.name} | ${m.perSecond.toFixed(0)} | ${m.p50.toFixed(1)} | ${m.p99.toFixed(1)} | ${m.errors} | ${c.self} | ${c.redis} | ${c.nats} | ${c.platform} | ${i < 2 ? `**${ratio.toFixed(2)}×**` : '1.00×'} |`);
      if (i < 2) summary.push(`platform latency ${latency} ms: ${side.name} ${ratio.toFixed(2)}× the fetch loop (${m.perSecond.toFixed(0)} vs ${loopRate.toFixed(0)} sends/s)`);
    });
  }

  const table = [
    `${ROUNDS} alternating rounds of ${SECONDS} s per side, ${CONCURRENCY} concurrent senders, medians; ${cpus().length} CPU(s) (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}. ` +
    'One nats-server (JetStream, file storage) and one redis-server on loopback; the fake Telegram Bot API in a child process.',
    '',
    'CPU µs per send, per process, over the measured rounds: the driver process (broker, SDK, and the fetch loop itself), redis-server, nats-server, the fake platform.',
    '',
    '| platform latency | sender | sends/s | p50 ms | p99 ms | errors | CPU µs/send driver | redis | nats | platform | ratio |',
    '|---|---|---|---|---|---|---:|---:|---:|---:|---|',
    ...rows,
  ].join('\n');
  console.log(`\n${table}\n\n${summary.join('\n')}`);

  if (!process.env.BENCH_NO_WRITE) {
    const file = join(__dirname, '..', 'BENCHMARKS.md');
    const section = `## Sends\n\n${table}\n`;
    let body = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
    const start = body.indexOf('## Sends');
    if (start >= 0) {
      const next = body.indexOf('\n## ', start + 1);
      const tail = next >= 0 ? body.slice(next + 1) : '';
      const notesAt = body.indexOf('### ', start);
      const keep = notesAt >= 0 && (next < 0 || notesAt < next) ? `\n${body.slice(notesAt, next >= 0 ? next + 1 : undefined).trimEnd()}\n` : '';
      body = `${body.slice(0, start)}${section}${keep}${tail ? `\n${tail}` : ''}`;
    } else {
      body = `${body.trimEnd()}\n\n${section}`;
    }
    writeFileSync(file, body);
  }

  await broker.stop();
  platform.proc.kill();
  await Promise.all([nats.cleanup(), redis.cleanup()]);
}

if (process.argv[2] === 'platform') void servePlatform();
else main().catch((err) => { console.error(err); process.exit(1); });
