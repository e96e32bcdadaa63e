/**
 * Inbound benchmark: signed webhooks over HTTP (autocannon, 50 connections) against the Switchboard gateway +
 * a `defineIntegration` service (NATS transporter, Redis claims, JetStream publish with PubAck), and — in the
 * same run, alternating rounds — against bench/baseline-inbound-server.ts doing the same work by hand, and the
 * stock Moleculer path (moleculer-web + `sendToChannel` on @moleculer/channels' NATS adapter, no dedupe), and
 * the node `npm start` runs (its own command from package.json, on the same NATS and Redis, the `generic`
 * integration and Standard Webhooks signatures). All servers run as child processes on one nats-server and one
 * redis-server started here, compiled to JS by scripts/compile.js (no tsx at run time); the Switchboard bench
 * process gets the node flags `npm start` uses. BENCH_PROFILE=<dir> writes CPU profiles of both Switchboard
 * processes and the peer. Prints req/s, p50/p99 latency, CPU µs/request, peak RSS and the ratios; writes the table to
 * BENCHMARKS.md under `## Inbound webhooks`.
 *
 *   npm run bench:inbound      # BENCH_ROUNDS=3 BENCH_SECONDS=8 by default; BENCH_NO_WRITE=1 skips the file;
 *                              # BENCH_ONLY=switchboard,baseline runs only those targets;
 *                              # BENCH_AB='NAME=value' adds a Switchboard process with that env (an A/B in one run),
 *                              #   BENCH_AB_FLAGS='--flag ...' with those node flags, BENCH_AB_BUILD=<compiled bench
 *                              #   file> run from another build (e.g. a worktree of the base commit, compiled);
 *                              # BENCH_PEER_FLAGS='--flag ...' runs the peer with those node flags;
 *                              # BENCH_HEAP=<dir> writes a sampling heap profile of the Switchboard process;
 *                              # BENCH_START_WITHOUT=webhooks adds the `npm start` node without those services,
 *                              #   BENCH_START_FLAGS='--flag ...' one with those node flags
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { connect, DiscardPolicy, RetentionPolicy, StorageType } from 'nats';
import { freePort, startNats, startRedis } from '../test/harness/servers';
import { procCpuMs, procRssMb, serverPid } from './proc';

const SECRET = 'bench-secret';
const CONNECTIONS = 50;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const SB_NAMESPACE = 'benchsb';
const BASE_SUBJECT = 'benchbase.processing.message.received';
const STOCK_SUBJECT = 'benchstock.processing.message.received';
const NANOS = 1_000_000;
const START_NAMESPACE = 'benchstart';
/** The `npm start` node's channel: Standard Webhooks secret (whsec_ + base64 of the key bytes). */
const START_KEY = Buffer.from('bench-start-secret-0123456789abcdef');
const START_CHANNEL = { id: 'bench', tenantId: 't', platform: 'generic', secrets: [`whsec_${START_KEY.toString('base64')}`] };

/** The repository root, whether this runs as bench/*.ts (tsx) or compiled as .build/bench/*.js. */
const ROOT = (() => {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();
const COMPILED = __filename.endsWith('.js');
/** The command `npm start` runs after compiling (package.json), and the node flags in it. */
const START_COMMAND = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start.split('&&').pop()!.trim();
/** The node flags an environment variable lists (space-separated); undefined when it is not set (an empty one: no flags). */
const flagsIn = (name: string): string[] | undefined => process.env[name]?.split(/\s+/).filter(Boolean);
/** BENCH_PEER_FLAGS: node flags for the hand-written peer (none by default), e.g. the Switchboard process's own, to see what they cost it. */
const PEER_FLAGS = flagsIn('BENCH_PEER_FLAGS') ?? [];
/** BENCH_NODE_FLAGS overrides them for the Switchboard bench process (to measure a flag), e.g. BENCH_NODE_FLAGS=' '. */
const START_NODE_FLAGS = flagsIn('BENCH_NODE_FLAGS')
  ?? START_COMMAND.match(/--(?:max-semi-space-size|max-old-space-size|single-threaded-gc)(?:=\S+)?/g) ?? [];

interface Autocannon {
  (opts: Record<string, unknown>): Promise<{ requests: { total: number; average: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number; timeouts: number; duration: number }>;
}
/**
 * autocannon, loaded by the driver only: the server roles run from this same file, and autocannon's ~230 modules
 * (~2.5 MB of live heap) in them would weigh on their RSS and every mark-compact, which the peer's own file does not pay.
 * It ships no types; this is the part used here.
 */
const autocannon: Autocannon = (opts) => (require('autocannon') as Autocannon)(opts); // eslint-disable-line @typescript-eslint/no-require-imports

// ── role: the Switchboard server (child process) ──────────────────────────────
async function serveSwitchboard(port: number, natsUrl: string, redisUrl: string): Promise<void> {
  const { ServiceBroker } = await import('moleculer');
  const sdk = { ...(await import('../src/index.js')), ...(await import('../src/entries/gateway.js')) };
  const channel = { id: 'c1', tenantId: 't', platform: 'bench', credentials: {}, secrets: [SECRET], settings: {}, status: 'active' as const };
  const broker = new ServiceBroker(sdk.createBrokerConfig({
    env: { NATS_URL: natsUrl, REDIS_URL: redisUrl, PORT: String(port), SWITCHBOARD_NAMESPACE: process.env.BENCH_SB_NAMESPACE ?? SB_NAMESPACE, SWITCHBOARD_LOG_LEVEL: 'warn', SWITCHBOARD_NODE_ID: `bench-sb-${process.pid}` },
  }));
  // the SDK's gateway as users run it (createGatewayService is built on it): moleculer-web + gatewayMixin's hardening
  broker.createService({ name: 'api', mixins: [sdk.gatewayMixin()], settings: { port, ip: '127.0.0.1', routes: sdk.webhookRoutes(), log4XXResponses: false } });
  type Body = { id: string; messages: Array<{ id: string; chat: string; from: string; text: string }> };
  broker.createService(sdk.defineIntegration({
    name: 'bench',
    spec: { id: 'bench', name: 'Bench', platform: 'bench', version: '1', status: 'ACTIVE', capabilities: ['RECEIVE_MESSAGE'] },
    webhookSignature: sdk.hmacSignature({ header: 'x-signature', algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=' }),
    eventId: (w: import('../src/index.js').WebhookEvent<Body>) => w.payload.id,
    getChannelConfig: () => channel,
    normalize: (w: import('../src/index.js').WebhookEvent<Body>) => w.payload.messages.map((m) => ({
      id: m.id, platform: 'bench', conversationId: m.chat, from: { id: m.from }, timestamp: Date.now(), content: { type: 'text' as const, text: m.text },
    })),
  }));
  await broker.start();
  process.send?.('ready');
}

// ── role: the stock Moleculer path (child process) ───────────────────────────
/**
 * What a Moleculer user writes without Switchboard: moleculer-web with a raw body parser, an action that checks
 * the HMAC and JSON-parses the body, then `sendToChannel` through @moleculer/channels' stock NATS adapter
 * (JetStream publish awaiting the PubAck). No de-duplication (no Redis claim, no msg id).
 */
async function serveStock(port: number, natsUrl: string): Promise<void> {
  const { ServiceBroker } = await import('moleculer');
  const ApiGateway = (await import('moleculer-web')).default;
  const { Middleware: Channels } = await import('@moleculer/channels') as unknown as { Middleware: (opts: Record<string, unknown>) => import('moleculer').Middleware };
  const { createHmac, timingSafeEqual } = await import('node:crypto');
  const broker = new ServiceBroker({
    nodeID: 'bench-stock', namespace: 'benchstock', logLevel: 'warn', transporter: { type: 'NATS', options: { servers: [natsUrl] } },
    middlewares: [Channels({ adapter: { type: 'NATS', options: { nats: { url: natsUrl } } } })],
  });
  broker.createService({
    name: 'api', mixins: [ApiGateway],
    settings: {
      port, ip: '127.0.0.1', log4XXResponses: false,
      routes: [{
        path: '/webhooks', mappingPolicy: 'restrict', mergeParams: false, logging: false,
        bodyParsers: { json: false, raw: { type: '*/*', limit: '1mb' } },
        aliases: { 'POST /bench/c1': 'stock.receive' },
        onBeforeCall(ctx: import('moleculer').Context<unknown, Record<string, unknown>>, _route: unknown, req: import('node:http').IncomingMessage) { ctx.meta.signature = req.headers['x-signature']; },
      }],
    },
  });
  broker.createService({
    name: 'stock',
    actions: {
      async receive(ctx: import('moleculer').Context<{ body: Buffer }, { signature?: string }>) {
        const raw = ctx.params.body;
        const want = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}`);
        const got = Buffer.from(String(ctx.meta.signature ?? ''));
        if (got.length !== want.length || !timingSafeEqual(got, want)) throw new (await import('moleculer')).Errors.MoleculerClientError('bad signature', 401);
        const payload = JSON.parse(raw.toString('utf8')) as { id: string; messages: unknown[] };
        // the stock adapter prefixes the broker's namespace: benchstock.processing.message.received
        await ctx.broker.sendToChannel('processing.message.received', { eventId: payload.id, message: payload.messages[0] });
        return { success: true, messages: 1, eventId: payload.id };
      },
    },
  });
  await broker.start();
  process.send?.('ready');
}

// ── BENCH_HEAP=<dir>: where the Switchboard process allocates (V8's sampling heap profiler, collected objects included) ──
let heapSession: import('node:inspector').Session | undefined;
function startHeapProfile(): void {
  const { Session } = require('node:inspector') as typeof import('node:inspector'); // eslint-disable-line @typescript-eslint/no-require-imports
  heapSession = new Session();
  heapSession.connect();
  // BENCH_HEAP_SURVIVORS=1: only objects that outlived a scavenge (promoted to the old space: what feeds mark-compacts)
  const survivors = process.env.BENCH_HEAP_SURVIVORS === '1';
  heapSession.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: !survivors } as never);
}
function writeHeapProfile(): Promise<void> {
  const session = heapSession;
  if (!session) return Promise.resolve();
  return new Promise((resolve) => session.post('HeapProfiler.stopSampling', (err, res) => {
    if (!err) writeFileSync(join(process.env.BENCH_HEAP!, `switchboard-${process.pid}.heapprofile`), JSON.stringify((res as { profile: unknown }).profile));
    resolve();
  }));
}

// ── role: the driver ──────────────────────────────────────────────────────────
/** BENCH_PROFILE=<dir>: the Switchboard process writes a CPU profile there (`node --cpu-prof`) when the run ends. */
const PROFILE_DIR = process.env.BENCH_PROFILE;

function child(args: string[], script: string, profile = false, nodeFlags: string[] = [], env: Record<string, string> = {}): Promise<ChildProcess> {
  const execArgv = [...(COMPILED ? [] : ['--import', 'tsx']), ...nodeFlags, ...(profile && PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [])];
  const proc = fork(script, args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, ...env } });
  return new Promise((resolve, reject) => {
    proc.once('message', () => resolve(proc));
    proc.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

/** The node `npm start` runs (package.json's command, compiled by the bench script), on NATS + Redis; ready when /health answers 200. */
async function startNode(port: number, natsUrl: string, redisUrl: string, variant?: { without: string[]; flags?: string[] }): Promise<ChildProcess> {
  const without = variant?.without ?? [];
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SWITCHBOARD_') && !['NATS_URL', 'REDIS_URL', 'PORT', 'HOST'].includes(k))),
    NATS_URL: natsUrl, REDIS_URL: redisUrl, PORT: String(port), HOST: '127.0.0.1', SWITCHBOARD_NAMESPACE: variant ? `${START_NAMESPACE}b` : START_NAMESPACE,
    SWITCHBOARD_LOG_LEVEL: 'warn', SWITCHBOARD_CHANNELS: JSON.stringify([START_CHANNEL]),
  };
  // BENCH_START_FLAGS: the same command with these node flags in place of its own
  let command = variant?.flags ? START_COMMAND.replace(/^node (?:--\S+ )*/, `node ${variant.flags.join(' ')} `) : START_COMMAND;
  if (PROFILE_DIR) command = command.replace(/^node /, `node --cpu-prof --cpu-prof-dir=${PROFILE_DIR} `);
  // BENCH_START_WITHOUT: the same command with the runner's services glob replaced by the service files but those
  if (without.length) {
    const dir = join(ROOT, '.build/start/services');
    const files = readdirSync(dir).filter((f) => f.endsWith('.service.js') && !without.includes(f.replace(/\.service\.js$/, '')));
    command = command.replace(/"[^"]*\*\.service\.js"/, files.map((f) => `.build/start/services/${f}`).join(' '));
  }
  const proc = spawn('sh', ['-c', `exec ${command}`], { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`npm start's node exited with ${proc.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false);
    if (ok) return proc;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('npm start\'s node did not answer /health within 60 s');
}

let counter = 0;
/** A generic-integration webhook (Standard Webhooks headers) for the `npm start` node, one message, unique id. */
function standardRequest(target: string) {
  return (req: Record<string, unknown>) => {
    const id = `${target}-${process.pid}-${counter++}`;
    const ts = Math.floor(Date.now() / 1000);
    const body = `{"messages":[{"id":"m-${id}","conversationId":"c1","from":{"id":"u1"},"text":"hello from the bench"}]}`;
    const sig = createHmac('sha256', START_KEY).update(`${id}.${ts}.${body}`).digest('base64');
    return { ...req, method: 'POST', path: `/webhooks/generic/${START_CHANNEL.id}`, body, headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': `v1,${sig}` } };
  };
}

function signedRequest(target: string) {
  return (req: Record<string, unknown>) => {
    const id = `${target}-${process.pid}-${counter++}`;
    const body = `{"id":"${id}","messages":[{"id":"m-${id}","chat":"c1","from":"u1","text":"hello from the bench"}]}`;
    const sig = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
    return { ...req, method: 'POST', path: '/webhooks/bench/c1', body, headers: { 'content-type': 'application/json', 'x-signature': sig } };
  };
}

interface Totals { reqs: number[]; p50: number[]; p99: number[]; rss: number; ok: number; bad: number; cpuMs: number; serversMs: number; requests: number }

interface Target { name: string; url: string; pid: number; totals: Totals; request: (req: Record<string, unknown>) => Record<string, unknown> }

/** pids of the nats-server and redis-server every target shares: their CPU per request is the rest of a request's cost. */
let serverPids: number[] = [];
const serversCpuMs = () => serverPids.reduce((a, pid) => a + procCpuMs(pid), 0);

/**
 * Waits until `pid`, nats-server and redis-server are idle (under 10 ms of CPU in a 250 ms window, at most 30 s):
 * work a round's requests left behind (the \`npm start\` node's tenant-webhooks fan-out reads every stored message
 * back, and lags under load) is counted in that round's CPU and does not land on the next target's round.
 */
async function quiet(pid: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  let last = procCpuMs(pid) + serversCpuMs();
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    const now = procCpuMs(pid) + serversCpuMs();
    if (now - last < 10) return;
    last = now;
  }
}

async function round({ name, url, pid, totals, request }: Target, seconds: number, record: boolean): Promise<void> {
  let peak = 0;
  const timer = setInterval(() => { peak = Math.max(peak, procRssMb(pid)); }, 200);
  const cpuBefore = procCpuMs(pid);
  const serversBefore = serversCpuMs();
  const r = await autocannon({ url, connections: CONNECTIONS, duration: seconds, requests: [{ setupRequest: request }] });
  await quiet(pid);
  const cpu = procCpuMs(pid) - cpuBefore;
  const servers = serversCpuMs() - serversBefore;
  clearInterval(timer);
  if (!record) return;
  totals.cpuMs += cpu;
  totals.serversMs += servers;
  totals.requests += r.requests.total;
  totals.reqs.push(r.requests.total / r.duration);
  totals.p50.push(r.latency.p50);
  totals.p99.push(r.latency.p99);
  totals.rss = Math.max(totals.rss, peak);
  totals.ok += r.requests.total - r.non2xx;
  totals.bad += r.non2xx + r.errors + r.timeouts;
  console.log(`  ${name.padEnd(11)} ${(r.requests.total / r.duration).toFixed(0).padStart(6)} req/s  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  non-2xx ${r.non2xx}  errors ${r.errors}  CPU ${((cpu * 1000) / r.requests.total).toFixed(0)} µs/req (+ nats/redis ${((servers * 1000) / r.requests.total).toFixed(0)})`);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function storedCount(natsUrl: string, subject: string): Promise<number> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await nc.jetstreamManager();
    return (await jsm.streams.info(await jsm.streams.find(subject))).state.messages;
  } finally {
    await nc.close();
  }
}

/** What the profiles showed; kept with the table so a re-run does not lose it. */
const FINDINGS = `Run it with \`npm run bench:inbound\` (it compiles the servers with \`scripts/compile.js\`, starts its own nats-server and
redis-server; \`BENCH_ROUNDS\`, \`BENCH_SECONDS\`; \`BENCH_ONLY=switchboard,baseline,stock,npm-start\` picks rows;
\`BENCH_NODE_FLAGS\` replaces the Switchboard process's node flags, \`BENCH_PEER_FLAGS\` gives the peer some;
\`BENCH_PROFILE=<dir>\` writes CPU profiles of the Switchboard process, the peer and the \`npm start\` node; \`BENCH_HEAP=<dir>\` a sampling heap profile of the Switchboard
process (collected objects included: where it allocates; with \`BENCH_HEAP_SURVIVORS=1\` only what outlived a
scavenge: what is promoted); \`BENCH_AB='NAME=value'\` adds a second Switchboard process
with that environment to the same alternating rounds, an A/B of a change behind a switch under the same load
(\`BENCH_AB_FLAGS\` gives it other node flags, \`BENCH_AB_BUILD=<compiled bench file>\` runs it from another build);
\`BENCH_START_WITHOUT=webhooks\` adds the \`npm start\` node without those services, to see what they cost it, and
\`BENCH_START_FLAGS\` one with other node flags). The last
row is the node \`npm start\` runs, started with package.json's own command on the same NATS and Redis. The
Switchboard process runs the SDK's gateway as users do (\`gatewayMixin()\` + \`webhookRoutes()\`). The nats-server +
redis-server column is their CPU over the target's rounds per request: the rest of what a request costs the
machine. Switchboard and the peer do the same work per
request: read the raw body, HMAC-SHA256 verify (constant time), JSON parse, Redis \`SET NX PX\` claim, one JetStream
publish with a msg id awaiting the PubAck, mark the claim done, answer JSON. The stock path skips the Redis claim
and the msg id (no de-duplication) and checks the HMAC in an action behind moleculer-web's raw body parser.

Before issue 12 (quiet machine): 0.68–0.72× the peer's req/s, CPU per request 1.49–1.59× the peer's, p99 28.7 vs
24.7 ms, peak RSS 236 MB.

**Issue 12 (2026-12-01), what the profiles (\`node --cpu-prof\` on the gateway process) showed and what changed:**

- nats.js \`js.publish\` built three \`Error\`s per publish (the async-trace context, the timeout's \`NatsError\`, a
  \`Cancelled\` error on success) plus a timer and a \`Promise.race\`. The channels adapter now publishes with core
  \`nc.publish\` and a reply subject on one shared PubAck subscription per connection, with one deadline sweep
  (\`src/channels/jetstream/ack-inbox.ts\`). \`bench/publish-ack.bench.ts\`, 64 in flight: 66.5 → 17.4 µs CPU per
  publish (js.publish with \`noAsyncTraces\`: 32.5 µs). @nats-io/jetstream 3.x is not installed here and was not measured.
- The gateway ran a local integration through a Moleculer call: params object, base64 body, header copies, the
  validator, middlewares. A local integration built by \`defineIntegration\` now runs in-process with the raw
  \`Buffer\` (\`src/gateway/local-receive.ts\`), keeping the span, the webhook count, stop tracking and the timeout.
- The top frame of the first profile was \`ExtendableError\`: \`readRawBody\` built a \`BadRequestError\` (stack
  trace) on every request's \`close\` event, also after a complete body. Now built only when it is the outcome.
- What is left (last profile): HTTP parsing and writing (\`writev\`, \`end\`) and HMAC as in the peer; moleculer-web's
  request context and alias resolution (~10–20 µs); Redis and NATS protocol work as in the peer; GC ~7 %.
- **RSS** (issue 12, second pass): the servers ran under tsx, whose loader thread and run-time transpiling held
  ~60 MB before the first request. \`scripts/compile.js\` (esbuild) now compiles them to .build/ first, as
  \`npm start\` does. Under load the rest is V8's young generation: the Switchboard processes run with the flags
  \`npm start\` uses, \`--max-semi-space-size=16 --max-old-space-size=512\` — peak RSS 139–145 MB against 207 MB
  with none; \`=8\` gave 121–127 MB and \`=4\` 113–116 MB but cost 20–35 % more CPU per request (more scavenges),
  \`--single-threaded-gc\` more still (1.52–1.55× the peer's CPU per request).
- **Redis writes**: corking the store's socket per event-loop turn instead of ioredis auto-pipelining was cheaper
  alone (claim + commit, 50 in flight: 7.8–9.1 against 13.7–15.9 µs CPU) but dearer in the whole pipeline
  (1.38–1.40× the peer's CPU per request against 1.15–1.21×, three alternated runs each); auto-pipelining stays.
  The store's commands no longer await a resolved "connected" promise first.
- **The \`npm start\` node** costs ~40–90 µs more per request than the bench's Switchboard process: the
  tenant-webhooks fan-out consumer of \`webhooks\` that reads every stored message back in the same process
  (~10 µs, plus its socket writes), more GC. Its Standard Webhooks check (\`generic\` integration) now costs about
  what the bench's hex HMAC check costs (third pass: the secret's key decoded once, the headers read in one pass,
  id.timestamp.body streamed into the HMAC; in profiles 34 → 21 µs/request, most of the rest \`createHmac\`).
- **Timers**: the body deadline (408) and the in-process call timeout share one unref'd timer armed for the
  earliest pending deadline (\`src/gateway/deadlines.ts\`) instead of a \`setTimeout\`/\`clearTimeout\` pair each.
- **The webhook lane** (fourth pass, 2026-12-02): the last framework cost in the profile was moleculer-web's
  \`api.rest\` action call per request (a Moleculer context through every broker middleware, the route's promise
  and three response listeners, the middleware chain; ~14 µs self plus its garbage). \`gatewayMixin\`'s
  \`httpHandler\`, which already resolves the alias for its method check, now runs a \`webhookRoutes()\` POST handler
  directly when nothing would see the difference (src/gateway/webhook-lane.ts; tracing on, a route \`use\`,
  hooks, auth, CORS or a rate limit keep the standard path). Same answers, compared request by request in
  test/gateway/webhook-lane.int.test.ts. Three runs before it: 0.83–0.88× the peer's req/s, CPU/request
  1.21–1.27×; after: 1.00–1.04×, 0.99–1.04× (the peer moved 167–205 µs/request between those runs).
- **Measured and not kept** (fourth pass, \`BENCH_AB\`, same rounds): ioredis without auto-pipelining, one write
  per command as the peer does: 0.93× the req/s, 1.06× the CPU per request of auto-pipelining.
- **The \`npm start\` node** also runs the tenant-webhooks fan-out, which reads every stored message back. Each
  round now waits for every process to go idle and counts that CPU (the fan-out's backlog used to drain into the
  next target's round). The fan-out starts an event's match when it takes the event up and shares one read among
  the events taken up together (src/webhooks-out/delivery/shared-match.ts): 481 → 388 µs of the node's CPU per
  request, 248 → 165 µs of nats-server's and redis-server's. Without the \`webhooks\` service the node measured
  232 + 74 µs (one run): the fan-out of every message costs that node ~155 µs, and the servers ~90 µs, per message.
- On two shared CPUs (load generator, nats-server and redis-server on the same cores, other jobs running; load
  average 4–6 during these runs) the req/s numbers move ±30 % between rounds; the CPU µs/req column is steadier.
  On 2026-12-02 the machine itself varied: the peer alone measured 133–220 µs/request from run to run.`;

function writeSection(table: string): void {
  const file = join(ROOT, 'BENCHMARKS.md');
  const section = `## Inbound webhooks\n\n${table}\n\n${FINDINGS}\n\n`;
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\n';
  const start = text.indexOf('## Inbound webhooks');
  if (start >= 0) {
    const next = text.indexOf('\n## ', start + 1);
    text = text.slice(0, start) + section + (next >= 0 ? text.slice(next + 1) : '');
  } else text = `${text.trimEnd()}\n\n${section}`;
  writeFileSync(file, text);
}

/** BENCH_ONLY=a,b: run only the named targets (switchboard, baseline, stock, npm-start). */
const ONLY = process.env.BENCH_ONLY?.split(',').map((x) => x.trim()).filter(Boolean);
const wanted = (name: string) => !ONLY || ONLY.includes(name);
/** BENCH_START_WITHOUT=webhooks: adds the `npm start` node without those services to the rounds (an A/B of what they cost). */
const START_WITHOUT = (process.env.BENCH_START_WITHOUT ?? '').split(',').map((x) => x.trim()).filter(Boolean);
/** BENCH_START_FLAGS='--flag ...': that second `npm start` node runs with these node flags instead of package.json's. */
const START_FLAGS = flagsIn('BENCH_START_FLAGS');
/** The second `npm start` node's label, when there is one. */
const START_B = [
  START_WITHOUT.length > 0 && `without ${START_WITHOUT.join(', ')}`,
  START_FLAGS && `with node flags "${START_FLAGS.join(' ')}"`,
].filter(Boolean).join(', ');
/** The second Switchboard process's label, when there is one (BENCH_AB, BENCH_AB_FLAGS or BENCH_AB_BUILD set). */
const AB = [
  process.env.BENCH_AB,
  process.env.BENCH_AB_FLAGS !== undefined && `node flags "${process.env.BENCH_AB_FLAGS}"`,
  process.env.BENCH_AB_BUILD && `the build ${process.env.BENCH_AB_BUILD}`,
].filter(Boolean).join(', ');

async function drive(): Promise<void> {
  const [nats, redis] = await Promise.all([startNats(), startRedis()]);
  const procs: ChildProcess[] = [];
  try {
    // the baseline's stream: same settings as the SDK's defaults (file storage, 2 min duplicate window)
    const nc = await connect({ servers: nats.url });
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: 'benchstock', subjects: [STOCK_SUBJECT], retention: RetentionPolicy.Limits, storage: StorageType.File, duplicate_window: 120_000 * NANOS, discard: DiscardPolicy.Old, max_msgs: 1_000_000 });
    await jsm.streams.add({ name: 'benchbase', subjects: [BASE_SUBJECT], retention: RetentionPolicy.Limits, storage: StorageType.File, duplicate_window: 120_000 * NANOS, discard: DiscardPolicy.Old, max_msgs: 1_000_000 });
    await nc.close();

    serverPids = [serverPid(nats.port), serverPid(redis.port)];
    const totals = (): Totals => ({ reqs: [], p50: [], p99: [], rss: 0, ok: 0, bad: 0, cpuMs: 0, serversMs: 0, requests: 0 });
    const ext = COMPILED ? 'js' : 'ts';
    const targets: Target[] = [];
    const add = (name: string, port: number, proc: ChildProcess, request: Target['request']) => {
      procs.push(proc);
      targets.push({ name, url: `http://127.0.0.1:${port}`, pid: proc.pid!, totals: totals(), request });
    };
    if (wanted('switchboard')) {
      const port = await freePort();
      add('switchboard', port, await child(['--serve', String(port), nats.url, redis.url], __filename, true, START_NODE_FLAGS), signedRequest('switchboard'));
    }
    // BENCH_AB='NAME=value ...': a second Switchboard process with that environment, in the same alternating rounds
    // (an A/B of a change behind an environment switch, both sides under the same machine load); BENCH_AB_FLAGS gives
    // it other node flags, BENCH_AB_BUILD runs it from another compiled copy of this file (a worktree of the base commit)
    if (AB) {
      const env = { ...Object.fromEntries((process.env.BENCH_AB ?? '').split(/\s+/).filter(Boolean).map((kv) => kv.split('=') as [string, string])), BENCH_SB_NAMESPACE: `${SB_NAMESPACE}b` };
      const flags = flagsIn('BENCH_AB_FLAGS') ?? START_NODE_FLAGS;
      const port = await freePort();
      add('switchboard-b', port, await child(['--serve', String(port), nats.url, redis.url], process.env.BENCH_AB_BUILD ?? __filename, true, flags, env), signedRequest('switchboard-b'));
    }
    if (wanted('baseline')) {
      const port = await freePort();
      add('baseline', port, await child([String(port), nats.url, redis.url, BASE_SUBJECT, SECRET], join(__dirname, `baseline-inbound-server.${ext}`), true, PEER_FLAGS), signedRequest('baseline'));
    }
    if (wanted('stock')) {
      const port = await freePort();
      add('stock', port, await child(['--serve-stock', String(port), nats.url], __filename), signedRequest('stock'));
    }
    if (wanted('npm-start')) {
      const port = await freePort();
      add('npm-start', port, await startNode(port, nats.url, redis.url), standardRequest('npm-start'));
    }
    // BENCH_START_WITHOUT=webhooks[,...] / BENCH_START_FLAGS='--flag ...': the `npm start` node again without those
    // services (what they cost it) or with those node flags
    if (START_B) {
      const port = await freePort();
      add('npm-start-b', port, await startNode(port, nats.url, redis.url, { without: START_WITHOUT, flags: START_FLAGS }), standardRequest('npm-start-b'));
    }
    const load: number[] = [loadavg()[0]];
    console.log(`inbound bench: ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${SECONDS} s each, ${cpus().length} CPU(s), load average ${loadavg()[0].toFixed(2)}; Switchboard node flags: ${START_NODE_FLAGS.join(' ') || '(none)'}`);
    for (const t of targets) await round(t, 2, false); // warm-up
    // alternating order: a, b, c / c, b, a / ... so a load spike on the shared machine hits every side
    for (let i = 0; i < ROUNDS; i++) {
      for (const t of i % 2 === 0 ? targets : [...targets].reverse()) await round(t, SECONDS, true);
      load.push(loadavg()[0]);
    }

    const stored: Record<string, number> = {
      switchboard: await storedCount(nats.url, `${SB_NAMESPACE}.processing.message.received`).catch(() => NaN),
      'switchboard-b': await storedCount(nats.url, `${SB_NAMESPACE}b.processing.message.received`).catch(() => NaN),
      baseline: await storedCount(nats.url, BASE_SUBJECT),
      stock: await storedCount(nats.url, STOCK_SUBJECT),
      'npm-start': await storedCount(nats.url, `${START_NAMESPACE}.processing.message.received`).catch(() => NaN),
      'npm-start-b': await storedCount(nats.url, `${START_NAMESPACE}b.processing.message.received`).catch(() => NaN),
    };
    const labels: Record<string, string> = {
      switchboard: 'Switchboard (gateway + defineIntegration, NATS transporter)',
      'switchboard-b': `Switchboard with ${AB}`,
      baseline: `hand-written node:http peer (bench/baseline-inbound-server.ts)${PEER_FLAGS.length ? ` with node flags "${PEER_FLAGS.join(' ')}"` : ''}`,
      stock: 'stock Moleculer (moleculer-web + sendToChannel, stock NATS adapter, no dedupe)',
      'npm-start': 'the `npm start` node on NATS + Redis (every service, `generic` integration, Standard Webhooks)',
      'npm-start-b': `the \`npm start\` node ${START_B}`,
    };
    const range = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
    const row = (t: Target) =>
      `| ${labels[t.name]} | ${mean(t.totals.reqs).toFixed(0)} (${range(t.totals.reqs)}) | ${mean(t.totals.p50).toFixed(1)} | ${mean(t.totals.p99).toFixed(1)} | ${((t.totals.cpuMs * 1000) / t.totals.requests).toFixed(0)} | ${((t.totals.serversMs * 1000) / t.totals.requests).toFixed(0)} | ${t.totals.rss.toFixed(0)} | ${t.totals.bad} | ${stored[t.name]} |`;
    const by = Object.fromEntries(targets.map((t) => [t.name, t.totals]));
    const cpuPer = (t: Totals) => t.cpuMs / t.requests;
    const allPer = (t: Totals) => (t.cpuMs + t.serversMs) / t.requests;
    const compare = (a: string, b: string, what: string) => by[a] && by[b]
      ? `**${labels[a].split(' (')[0]} / ${what}: ${(mean(by[a].reqs) / mean(by[b].reqs)).toFixed(2)}×** req/s; p99 ${mean(by[a].p99).toFixed(1)} ms vs ${mean(by[b].p99).toFixed(1)} ms; CPU per request ${(cpuPer(by[a]) / cpuPer(by[b])).toFixed(2)}× ${what}'s (with nats-server and redis-server: ${(allPer(by[a]) / allPer(by[b])).toFixed(2)}×).`
      : '';
    const table = [
      `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · Node ${process.version} · ${cpus().length} CPU(s) (${cpus()[0]?.model ?? '?'}) · load average ${Math.min(...load).toFixed(2)}–${Math.max(...load).toFixed(2)} · autocannon ${CONNECTIONS} connections · ${ROUNDS} alternating rounds × ${SECONDS} s after a 2 s warm-up each · one webhook (1 message) per request, unique event ids · nats-server and redis-server on the same machine (file-backed streams) · servers compiled by scripts/compile.js; Switchboard processes run with ${START_NODE_FLAGS.join(' ') || 'no node flags'}.`,
      '',
      '| server | req/s mean (round range) | p50 ms | p99 ms | CPU µs/req | + nats-server, redis-server µs/req | peak RSS MB | non-2xx/errors | messages stored (incl. warm-up) |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...targets.map(row),
      '',
      compare('switchboard', 'baseline', 'the peer'),
      compare('switchboard-b', 'switchboard', 'Switchboard'),
      compare('switchboard', 'stock', 'the stock path'),
      compare('npm-start', 'baseline', 'the peer'),
      compare('npm-start', 'stock', 'the stock path'),
      compare('npm-start-b', 'npm-start', 'the `npm start` node'),
      compare('npm-start-b', 'baseline', 'the peer'),
    ].filter((line, i, all) => line !== '' || all[i - 1] !== '').join('\n').trimEnd();
    console.log(`\n${table}\n`);
    if (!process.env.BENCH_NO_WRITE && !ONLY) writeSection(table);
  } finally {
    // SIGTERM → process.exit (a --cpu-prof profile is written on exit), SIGKILL after 5 s
    await Promise.all(procs.map((p) => new Promise((resolve) => {
      if (p.exitCode !== null) return resolve(undefined);
      p.once('exit', resolve);
      p.kill('SIGTERM');
      setTimeout(() => p.kill('SIGKILL'), 5000).unref();
    })));
    await Promise.allSettled([nats.cleanup(), redis.cleanup()]);
  }
}

const argv = process.argv.slice(2);
if (argv[0] === '--serve' || argv[0] === '--serve-stock') process.once('SIGTERM', () => void writeHeapProfile().finally(() => process.exit(0)));
if (argv[0] === '--serve' && process.env.BENCH_HEAP) startHeapProfile();
if (argv[0] === '--serve-stock') serveStock(Number(argv[1]), argv[2]).catch((err) => { console.error(err); process.exit(1); });
else if (argv[0] === '--serve') serveSwitchboard(Number(argv[1]), argv[2], argv[3]).catch((err) => { console.error(err); process.exit(1); });
else drive().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
