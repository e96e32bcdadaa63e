/**
 * `npm start` refuses to start, in a few lines that say what to fix: a NATS without JetStream, an unreachable
 * NATS (both naming NATS_URL and JetStream), and a bad variable (its message, no stack trace).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { freePort, startNats } from '../harness/servers';

const root = join(__dirname, '..', '..');
const startScript: string = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.start;

/** Runs the start script with `env`; resolves with its exit code and output (killed after 60 s). */
function runStart(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !['NATS_URL', 'REDIS_URL', 'PORT', 'HOST'].includes(k) && !k.startsWith('SWITCHBOARD_')));
  const child = spawn('sh', ['-c', startScript], { cwd: root, detached: true, env: { ...base, PORT: '0', ...env } });
  let output = '';
  child.stdout?.on('data', (d) => { output += d; });
  child.stderr?.on('data', (d) => { output += d; });
  const timer = setTimeout(() => { if (child.pid) process.kill(-child.pid, 'SIGKILL'); }, 60_000);
  return new Promise((resolve) => child.once('exit', (code) => { clearTimeout(timer); resolve({ code, output }); }));
}

/** Stack frames in the output ("    at fn (file:line)"). */
const stackLines = (output: string) => output.split('\n').filter((l) => /^\s+at\s/.test(l)).length;

describe('start-up refusals', () => {
  let plainNats: ChildProcess | null = null;
  let plainPort = 0;

  beforeAll(async () => {
    const bin = spawnSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' }).stdout.trim();
    plainPort = await freePort();
    plainNats = spawn(bin, ['-a', '127.0.0.1', '-p', String(plainPort)], { stdio: 'ignore' }); // no -js
    for (let i = 0; i < 100; i++) {
      const up = await new Promise<boolean>((r) => { const s = connect(plainPort, '127.0.0.1'); s.on('connect', () => { s.destroy(); r(true); }); s.on('error', () => r(false)); });
      if (up) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  afterAll(() => { plainNats?.kill('SIGKILL'); });

  it('a NATS without JetStream: exits 1 naming NATS_URL and JetStream, without a stack', async () => {
    const url = `nats://127.0.0.1:${plainPort}`;
    const { code, output } = await runStart({ NATS_URL: url });
    expect(code).toBe(1);
    expect(output).toContain(`NATS_URL (${url}) answers, but JetStream is not enabled there`);
    expect(output).toContain('nats-server with -js');
    expect(output).not.toMatch(/\b503 NatsError|NatsError: 503/);
    expect(stackLines(output)).toBe(0);
  });

  it('an unreachable NATS: exits 1 naming NATS_URL', async () => {
    const url = `nats://127.0.0.1:${await freePort()}`;
    const { code, output } = await runStart({ NATS_URL: url });
    expect(code).toBe(1);
    expect(output).toContain(`NATS_URL (${url}) is unreachable`);
    expect(output).toContain('nats-server -js');
    expect(stackLines(output)).toBe(0);
  });

  it('R3 streams on a single NATS server: exits 1 naming SWITCHBOARD_STREAM_REPLICAS', async () => {
    const nats = await startNats();
    try {
      const { code, output } = await runStart({ NATS_URL: nats.url, SWITCHBOARD_STREAM_REPLICAS: '3' });
      expect(code).toBe(1);
      expect(output).toContain(`SWITCHBOARD_STREAM_REPLICAS is 3, but the NATS at NATS_URL (${nats.url}) is a single server, not a cluster`);
      expect(stackLines(output)).toBe(0);
    } finally {
      await nats.cleanup();
    }
  });

  it('a bad variable: its message in one line, exit 1', async () => {
    const { code, output } = await runStart({ SWITCHBOARD_STREAM_REPLICAS: 'three' });
    expect(code).toBe(1);
    expect(output.trim()).toBe('Switchboard configuration error: SWITCHBOARD_STREAM_REPLICAS must be an integer from 1 to 5; got "three".');
  });
});
