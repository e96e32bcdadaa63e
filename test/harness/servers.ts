/** Real nats-server (JetStream) and redis-server processes on free loopback ports, for integration tests. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ServerProcess {
  /** Connection URL, e.g. `nats://127.0.0.1:4222` or `redis://127.0.0.1:6379`. */
  readonly url: string;
  readonly port: number;
  /** Graceful stop (SIGTERM). Data kept for `start()` (NATS store dir) until `cleanup()`. */
  stop(): Promise<void>;
  /** Hard kill (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /** Start again on the same port (and, for NATS, the same store dir). */
  start(): Promise<void>;
  /** Stop and remove every file the server wrote. */
  cleanup(): Promise<void>;
}

const INSTALL_HINT = 'Install it (Debian/Ubuntu: `apt-get install -y nats-server redis-server`) or put it on PATH.';

function requireBinary(name: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status !== 0 || !path) {
    throw new Error(`Integration tests need \`${name}\`, which is not installed. ${INSTALL_HINT}`);
  }
  return path;
}

/** A free TCP port on 127.0.0.1 (bound, read, released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once `probe` on a fresh socket sees `expect` in the server's first answer. */
async function waitForGreeting(port: number, probe: string | null, expect: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = connect(port, '127.0.0.1');
      let data = '';
      const done = (v: boolean) => { sock.destroy(); resolve(v); };
      sock.setTimeout(500, () => done(false));
      sock.on('error', () => done(false));
      sock.on('connect', () => { if (probe) sock.write(probe); });
      sock.on('data', (chunk) => { data += chunk.toString(); if (data.includes(expect)) done(true); });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`server on port ${port} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

interface Spec { bin: string; args: (port: number) => string[]; probe: string | null; expect: string; scheme: string; dir: string }

async function startProcess(spec: Spec): Promise<ServerProcess> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  let output = '';

  const start = async () => {
    output = '';
    child = spawn(spec.bin, spec.args(port), { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d) => { output += d; });
    child.stderr?.on('data', (d) => { output += d; });
    const failed = new Promise<never>((_, reject) => child!.once('exit', (code) =>
      reject(new Error(`${spec.bin} exited with ${code} before it was ready:\n${output.slice(-2000)}`))));
    await Promise.race([waitForGreeting(port, spec.probe, spec.expect), failed]);
    failed.catch(() => undefined);
  };
  const signal = async (sig: NodeJS.Signals) => {
    const c = child;
    if (!c) return;
    child = null;
    c.kill(sig);
    await exited(c);
  };

  await start();
  return {
    url: `${spec.scheme}://127.0.0.1:${port}`,
    port,
    start,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    cleanup: async () => { await signal('SIGKILL'); rmSync(spec.dir, { recursive: true, force: true }); },
  };
}

/** nats-server with JetStream, its own store dir. */
export async function startNats(): Promise<ServerProcess> {
  const bin = requireBinary('nats-server');
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-nats-'));
  return startProcess({
    bin, dir, scheme: 'nats', probe: null, expect: 'INFO',
    args: (port) => ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir],
  });
}

/** redis-server without persistence. */
export async function startRedis(): Promise<ServerProcess> {
  const bin = requireBinary('redis-server');
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-redis-'));
  return startProcess({
    bin, dir, scheme: 'redis', probe: 'PING\r\n', expect: '+PONG',
    args: (port) => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
  });
}
