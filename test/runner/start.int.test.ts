/** `npm start` as a newcomer runs it: the real runner process, memory mode and on real NATS + Redis. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../harness/servers';
import { suiteServers } from '../harness/suite';

const root = join(__dirname, '..', '..');
const startScript: string = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.start;

interface Running { child: ChildProcess; output: () => string; exited: Promise<number | null> }

/** Runs the `start` script with only `env` set of the variables Switchboard reads. */
function runStart(env: Record<string, string>): Running {
  let output = '';
  const base = Object.fromEntries(Object.entries(process.env)
    .filter(([k]) => !['NATS_URL', 'REDIS_URL', 'PORT'].includes(k) && !k.startsWith('SWITCHBOARD_')));
  const child = spawn('sh', ['-c', startScript], { cwd: root, detached: true, env: { ...base, ...env } });
  child.stdout?.on('data', (d) => { output += d; });
  child.stderr?.on('data', (d) => { output += d; });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function stop(run: Running) {
  if (run.child.exitCode === null && run.child.pid) process.kill(-run.child.pid, 'SIGTERM');
  await run.exited;
}

async function health(port: number, run: Running, until: (body: Record<string, unknown>) => boolean) {
  const deadline = Date.now() + 30_000;
  let last = '';
  while (Date.now() < deadline) {
    if (run.child.exitCode !== null) throw new Error(`npm start exited with ${run.child.exitCode}:\n${run.output()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      const body = (await res.json()) as Record<string, unknown>;
      last = JSON.stringify(body);
      if (until(body)) return { status: res.status, body };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no healthy answer within 30 s (last: ${last}):\n${run.output().slice(-3000)}`);
}

describe('npm start', () => {
  it('serves GET /health with no servers, in memory mode', async () => {
    const port = await freePort();
    const run = runStart({ PORT: String(port) });
    try {
      const { status, body } = await health(port, run, (b) => b.broker === 'up');
      expect(status).toBe(200);
      expect(body).toMatchObject({ status: 'ok', broker: 'up', nats: 'not configured', redis: 'not configured' });
    } finally {
      await stop(run);
    }
  });

  describe('on real NATS and Redis', () => {
    const stack = suiteServers();

    it('connects to both, says so on /health, and reports Redis down as 503', async () => {
      const port = await freePort();
      const run = runStart({ PORT: String(port), NATS_URL: stack.nats().url, REDIS_URL: stack.redis().url });
      try {
        const { status, body } = await health(port, run, (b) => b.broker === 'up' && b.nats === 'up' && b.redis === 'up');
        expect(status).toBe(200);
        expect(body).toMatchObject({ status: 'ok', nats: 'up', redis: 'up' });
        await stack.redis().stop();
        const down = await health(port, run, (b) => b.redis === 'down');
        expect(down.status).toBe(503);
        expect(down.body).toMatchObject({ status: 'degraded', redis: 'down', nats: 'up' });
      } finally {
        await stop(run);
        await stack.redis().start();
      }
    });
  });

  it.each([
    ['NATS_URL', 'nats//nowhere'],
    ['REDIS_URL', 'localhost:6379'],
    ['PORT', 'eighty'],
  ])('refuses to start with %s=%j and names the variable', async (name, value) => {
    const run = runStart({ [name]: value });
    const code = await run.exited;
    expect(code).not.toBe(0);
    expect(run.output()).toContain(`${name} `);
  });
});
