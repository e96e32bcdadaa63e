/**
 * Issue 8.12: `npm start` in memory mode (a demo channel with a public secret) listens on loopback only;
 * `HOST` opens it. Checked on the machine's own non-loopback address, with the real runner process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../harness/servers';

const root = join(__dirname, '..', '..');
const startScript: string = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.start;

/** The first non-internal IPv4 address of this machine, if any. */
const external = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

function runStart(env: Record<string, string>): { child: ChildProcess; exited: Promise<unknown>; output: () => string } {
  let output = '';
  const base = Object.fromEntries(Object.entries(process.env)
    .filter(([k]) => !['NATS_URL', 'REDIS_URL', 'PORT', 'HOST'].includes(k) && !k.startsWith('SWITCHBOARD_')));
  const child = spawn('sh', ['-c', startScript], { cwd: root, detached: true, env: { ...base, ...env } });
  child.stdout?.on('data', (d) => { output += d; });
  child.stderr?.on('data', (d) => { output += d; });
  // 'close', not 'exit': the shell exits first, the node under it keeps the output pipes open while it stops.
  return { child, exited: new Promise((r) => child.once('close', r)), output: () => output };
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1_000) });
    return true;
  } catch {
    return false;
  }
}

async function withRunner(env: Record<string, string>, port: number, check: () => Promise<void>) {
  const run = runStart({ ...env, PORT: String(port) });
  try {
    const deadline = Date.now() + 30_000;
    while (!(await answers(`http://127.0.0.1:${port}/health`)) && !(external && await answers(`http://${external}:${port}/health`))) {
      if (Date.now() > deadline || run.child.exitCode !== null) throw new Error(`the gateway did not listen:\n${run.output().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await check();
  } finally {
    if (run.child.exitCode === null && run.child.pid) process.kill(-run.child.pid, 'SIGTERM');
    await run.exited;
  }
}

(external ? it : it.skip)('memory mode listens on 127.0.0.1 only; HOST=0.0.0.0 listens on every interface', async () => {
  const port = await freePort();
  await withRunner({}, port, async () => {
    expect(await answers(`http://127.0.0.1:${port}/health`)).toBe(true);
    expect(await answers(`http://${external}:${port}/health`)).toBe(false);
  });
  const open = await freePort();
  await withRunner({ HOST: '0.0.0.0' }, open, async () => {
    expect(await answers(`http://${external}:${open}/health`)).toBe(true);
  });
}, 90_000);
