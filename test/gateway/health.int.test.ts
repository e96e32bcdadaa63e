/**
 * Issue 8.3: `/health` of the shipped gateway service (`services/api.service.ts`) says NATS is down —
 * 503 `degraded` — whenever JetStream is not usable: nats-server paused (SIGSTOP: the socket stays open,
 * the transporter still says connected) or stopped (the client reconnecting), and up again after.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { ServiceBroker } from 'moleculer';
import { createChannelsMiddleware } from '../../src/channels';
import { RUNTIME_METADATA_KEY } from '../../src/types';
import api from '../../services/api.service';
import { freePort, startNats, startRedis, type ServerProcess } from '../harness/servers';
import { freshNamespace, uid } from '../integration/stack';

let nats: ServerProcess;
let redis: ServerProcess;
let broker: ServiceBroker;
let base: string;

/** The pid of the harness's server on `port` (the harness does not expose it): read from /proc, no tool needed. */
function listenerPid(port: number, name = 'nats-server'): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try { cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8'); } catch { continue; }
    const args = cmdline.split('\0');
    if (!args[0]?.includes(name)) continue;
    // nats-server keeps its argv (`-p <port>`); redis-server rewrites its title to `redis-server 127.0.0.1:<port>`
    if (args[args.indexOf('-p') + 1] === String(port) || cmdline.includes(`:${port}`)) return Number(entry);
  }
  throw new Error(`no ${name} on port ${port}`);
}

beforeAll(async () => {
  [nats, redis] = await Promise.all([startNats(), startRedis()]);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const ns = freshNamespace('health');
  broker = new ServiceBroker({
    nodeID: `health-${uid()}`, logger: false,
    transporter: { type: 'NATS', options: { servers: [nats.url], maxReconnectAttempts: -1, reconnectTimeWait: 200 } },
    metadata: { [RUNTIME_METADATA_KEY]: { namespace: ns, natsUrl: nats.url, redisUrl: redis.url, port, host: '127.0.0.1' } },
    middlewares: [createChannelsMiddleware({ namespace: ns, nats: nats.url, publishTimeoutMs: 1_500 })],
  });
  broker.createService(api);
  await broker.start();
}, 60_000);

afterAll(async () => {
  for (const [port, name] of [[nats.port, 'nats-server'], [redis.port, 'redis-server']] as const) {
    try { process.kill(listenerPid(port, name), 'SIGCONT'); } catch { /* not paused, or gone */ }
  }
  await broker?.stop();
  await Promise.allSettled([nats?.cleanup(), redis?.cleanup()]);
});

async function health(): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Polls /health until `want` holds (or 20 s pass); returns the last answer. */
async function healthUntil(want: (h: { status: number; body: Record<string, unknown> }) => boolean) {
  const deadline = Date.now() + 20_000;
  let last = await health();
  while (!want(last) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    last = await health();
  }
  return last;
}

const isUp = (h: { status: number; body: Record<string, unknown> }) => h.status === 200 && h.body.nats === 'up';
const isDown = (h: { status: number; body: Record<string, unknown> }) => h.status === 503 && h.body.nats === 'down';

it('up: 200 ok with nats and redis up', async () => {
  expect(await healthUntil(isUp)).toMatchObject({ status: 200, body: { status: 'ok', broker: 'up', nats: 'up', redis: 'up' } });
});

it('nats-server paused (SIGSTOP) → 503 degraded, nats down; resumed → 200 up', async () => {
  const pid = listenerPid(nats.port);
  process.kill(pid, 'SIGSTOP');
  try {
    const down = await healthUntil(isDown);
    expect(down).toMatchObject({ status: 503, body: { status: 'degraded', nats: 'down', redis: 'up' } });
    // still down on the next looks (not a one-off)
    expect(isDown(await health())).toBe(true);
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  expect(isUp(await healthUntil(isUp))).toBe(true);
}, 60_000);

it('nats-server stopped (the client reconnecting) → 503 degraded; restarted → 200 up', async () => {
  await nats.stop();
  try {
    expect(await healthUntil(isDown)).toMatchObject({ status: 503, body: { status: 'degraded', nats: 'down' } });
  } finally {
    await nats.start();
  }
  expect(isUp(await healthUntil(isUp))).toBe(true);
}, 60_000);

it('redis-server paused (SIGSTOP) → 503 degraded with redis down within the probe timeout; resumed → 200', async () => {
  const pid = listenerPid(redis.port, 'redis-server');
  process.kill(pid, 'SIGSTOP');
  try {
    expect(await healthUntil((h) => h.status === 503 && h.body.redis === 'down')).toMatchObject({ status: 503, body: { status: 'degraded', redis: 'down' } });
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  expect((await healthUntil((h) => h.status === 200)).body).toMatchObject({ redis: 'up', nats: 'up' });
}, 60_000);
