/**
 * docs/adopting.md, done as a new team would: `npm init` in a temporary directory, the packed SDK and its
 * peers installed from the local npm cache (offline), the guide's files written as the guide shows them
 * (read from the page), a type-check with `skipLibCheck: false`, then `node --import tsx moleculer-runner`
 * on real NATS (JetStream) and Redis: a signed webhook is stored in JetStream and a send reaches the shop.
 *
 * The Moleculer line is the one installed in this repository, so the test runs on each CI row's line
 * (0.14 on Node 20, 0.15 on Node 24; on 0.15 with the guide's `overrides` entry).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import { connect, JSONCodec } from 'nats';
import { Webhook } from 'standardwebhooks';
import { freePort, startNats, startRedis, type ServerProcess } from '../harness/servers';
import { packSdk, ROOT, type PackedSdk } from './pack';

jest.setTimeout(300_000);

const GUIDE = readFileSync(join(ROOT, 'docs', 'adopting.md'), 'utf8');
const SECRET = `whsec_${Buffer.from('shop-secret-change-me-12345').toString('base64')}`;
const API_KEY = 'sk_acme_0123456789abcdef';

/** The files the guide shows, each marked `<!-- file: path -->` before its fenced block. */
function guideFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const m of GUIDE.matchAll(/<!-- file: (\S+) -->\n```\w*\n([\s\S]*?)```/g)) files[m[1]!] = m[2]!;
  return files;
}

const installedVersion = (pkg: string): string => JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version;

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', [...args, '--no-audit', '--no-fund'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `npm install` from the local cache only; falls back to --prefer-offline (and says so) when something is not cached. */
function installOffline(args: string[], cwd: string): void {
  try {
    npm(['install', '--offline', ...args], cwd);
  } catch (err) {
    process.stderr.write(`adopting: --offline install failed (${String((err as { stderr?: string }).stderr ?? err).split('\n')[0]}), retrying --prefer-offline\n`);
    npm(['install', '--prefer-offline', ...args], cwd);
  }
}

describe('adopting the SDK in a new project (docs/adopting.md)', () => {
  let packed: PackedSdk;
  let project: string;
  let nats: ServerProcess;
  let redis: ServerProcess;
  const moleculer = installedVersion('moleculer');

  beforeAll(async () => {
    [nats, redis] = await Promise.all([startNats(), startRedis()]);
    packed = packSdk();
    project = join(packed.dir, 'acme-switchboard');
    mkdirSync(project);
    npm(['init', '-y'], project);
    if (moleculer.startsWith('0.15.')) {
      // The guide's override: @moleculer/channels 0.1.8 declares moleculer ^0.14.12.
      const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
      manifest.overrides = JSON.parse(`{${/"overrides": (\{[\s\S]*?\}\s*\})/.exec(GUIDE)![0]}}`).overrides;
      writeFileSync(join(project, 'package.json'), JSON.stringify(manifest, null, 2));
    }
    installOffline([
      packed.tarball, `moleculer@${moleculer}`, `moleculer-web@${installedVersion('moleculer-web')}`,
      `@moleculer/channels@${installedVersion('@moleculer/channels')}`, `nats@${installedVersion('nats')}`, `ioredis@${installedVersion('ioredis')}`,
    ], project);
    installOffline(['-D', `typescript@${installedVersion('typescript')}`, `tsx@${installedVersion('tsx')}`, `@types/node@${installedVersion('@types/node')}`], project);
    for (const [path, text] of Object.entries(guideFiles())) {
      mkdirSync(dirname(join(project, path)), { recursive: true });
      writeFileSync(join(project, path), text);
    }
  });

  afterAll(async () => {
    packed?.cleanup();
    await Promise.all([nats?.cleanup(), redis?.cleanup()]);
  });

  it('the guide names three service files, moleculer.config.ts and a tsconfig', () => {
    expect(Object.keys(guideFiles()).sort()).toEqual(['moleculer.config.ts', 'services/api.service.ts', 'services/registry.service.ts', 'services/shop.service.ts', 'tsconfig.json']);
  });

  it('installs one copy of Moleculer (the project\'s)', () => {
    const tree = JSON.parse(npm(['ls', 'moleculer', '--all', '--json'], project)) as Record<string, unknown>;
    const versions = new Set<string>();
    const walk = (node: { dependencies?: Record<string, { version?: string; dependencies?: unknown }> }) => {
      for (const [name, dep] of Object.entries(node.dependencies ?? {})) {
        if (name === 'moleculer' && dep.version) versions.add(dep.version);
        walk(dep as never);
      }
    };
    walk(tree as never);
    expect([...versions]).toEqual([moleculer]);
  });

  it('type-checks with skipLibCheck false: no error in the SDK\'s declarations or the project\'s files', () => {
    let output = '';
    try {
      execFileSync(process.execPath, [join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.', '--skipLibCheck', 'false'], { cwd: project, encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      output = String((err as { stdout?: string }).stdout ?? '');
    }
    const errors = output.split('\n').filter((l) => /error TS\d+/.test(l));
    // Moleculer 0.15's and nats 2.x's own declarations have errors of their own (see the guide).
    const ours = errors.filter((l) => !/^node_modules\/(moleculer|nats)\//.test(l));
    expect(ours).toEqual([]);
  });

  it('loads every subpath of the package from plain CommonJS', () => {
    const manifest = JSON.parse(readFileSync(join(project, 'node_modules', '@switchboard', 'sdk', 'package.json'), 'utf8'));
    const subpaths = Object.keys(manifest.exports).filter((k) => k !== './package.json').map((k) => `@switchboard/sdk${k.slice(1)}`);
    const script = `for (const p of ${JSON.stringify(subpaths)}) { const m = require(p); if (Object.keys(m).length === 0) throw new Error(p + ' is empty'); } console.log('ok');`;
    expect(execFileSync(process.execPath, ['-e', script], { cwd: project, encoding: 'utf8' }).trim()).toBe('ok');
    expect(subpaths.length).toBeGreaterThanOrEqual(6);
  });

  describe('started with the guide\'s TypeScript command on NATS and Redis', () => {
    let runner: ChildProcess;
    let output = '';
    let shop: Server;
    const received: { headers: Record<string, unknown>; body: string }[] = [];
    let port: number;

    beforeAll(async () => {
      shop = createServer((req, res) => {
        let body = '';
        req.on('data', (c) => { body += c; });
        req.on('end', () => {
          received.push({ headers: req.headers, body });
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ id: `reply_${received.length}` }));
        });
      });
      await new Promise<void>((r) => shop.listen(0, '127.0.0.1', r));
      const shopPort = (shop.address() as { port: number }).port;
      port = await freePort();
      const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !['NATS_URL', 'REDIS_URL', 'PORT', 'HOST'].includes(k) && !k.startsWith('SWITCHBOARD_')));
      const start = /```bash\n(node --import tsx [^\n]+)\n```/.exec(GUIDE)![1]!;
      expect(start).toContain('moleculer-runner.js --config moleculer.config.ts');
      const args = start.replace(/^node /, '').split(' ').map((a) => a.replace(/^"|"$/g, ''));
      runner = spawn(process.execPath, args, {
        cwd: project, detached: true,
        env: {
          ...base, NATS_URL: nats.url, REDIS_URL: redis.url, PORT: String(port),
          SWITCHBOARD_API_KEYS: `${API_KEY}:acme`, SWITCHBOARD_ALLOW_PRIVATE_URLS: 'true',
          SWITCHBOARD_CHANNELS: JSON.stringify([{ id: 'shop-1', tenantId: 'acme', platform: 'shop', secrets: [SECRET], settings: { outboundUrl: `http://127.0.0.1:${shopPort}/replies` } }]),
        },
      });
      runner.stdout?.on('data', (d) => { output += d; });
      runner.stderr?.on('data', (d) => { output += d; });
    });

    afterAll(async () => {
      if (runner?.pid && runner.exitCode === null) {
        const exited = new Promise((r) => runner.once('exit', r));
        process.kill(-runner.pid, 'SIGTERM');
        await exited;
      }
      await new Promise((r) => shop?.close(r));
    });

    /** Retries `call` until `ok` holds (start-up, discovery), failing with the runner's output. */
    async function until<T>(what: string, call: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
      const deadline = Date.now() + 60_000;
      let last: unknown;
      while (Date.now() < deadline) {
        if (runner.exitCode !== null) throw new Error(`the runner exited with ${runner.exitCode}:\n${output.slice(-3000)}`);
        try {
          last = await call();
          if (ok(last as T)) return last as T;
        } catch (err) {
          last = err;
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`${what}: no good answer within 60 s (last: ${JSON.stringify(last)}):\n${output.slice(-3000)}`);
    }

    const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as Record<string, unknown> });

    it('serves /health with NATS and Redis up', async () => {
      const health = await until('GET /health', async () => json(await fetch(`http://127.0.0.1:${port}/health`)), (r) => r.status === 200 && r.body.nats === 'up' && r.body.redis === 'up');
      expect(health.body).toMatchObject({ status: 'ok', nats: 'up', redis: 'up' });
    });

    it('stores a signed webhook in JetStream (200 after storage)', async () => {
      const event = { id: 'evt_1', conversationId: 'order-42', from: { id: 'customer-7' }, text: 'Where is my parcel?' };
      const body = JSON.stringify(event);
      const sign = () => {
        const id = `msg_${Date.now()}`;
        const at = new Date();
        return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(SECRET).sign(id, at, body) };
      };
      const answer = await until('POST /webhooks/shop/shop-1',
        async () => json(await fetch(`http://127.0.0.1:${port}/webhooks/shop/shop-1`, { method: 'POST', headers: { 'content-type': 'application/json', ...sign() }, body })),
        (r) => r.status !== 503 && r.status !== 404);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ success: true, messages: 1 });

      const nc = await connect({ servers: nats.url });
      try {
        const jsm = await nc.jetstreamManager();
        const subject = 'switchboard.processing.message.received';
        const stream = await jsm.streams.find(subject);
        const stored = await jsm.streams.getMessage(stream, { last_by_subj: subject });
        const payload = JSONCodec<{ integration: string; channelId: string; tenantId: string; message: { id: string; content: { text?: string } } }>().decode(stored.data);
        expect(payload).toMatchObject({ integration: 'shop', channelId: 'shop-1', tenantId: 'acme', message: { id: 'evt_1', content: { text: 'Where is my parcel?' } } });
      } finally {
        await nc.close();
      }
    });

    it('makes a send through the operator API to the shop', async () => {
      const answer = await until('POST /api/.../messages', async () => json(await fetch(`http://127.0.0.1:${port}/api/integrations/shop/channels/shop-1/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ message: { conversationId: 'order-42', content: { type: 'text', text: 'It ships today' } } }),
      })), (r) => r.status !== 503 && r.status !== 404);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ integration: 'shop', channelId: 'shop-1', messageId: 'reply_1', duplicate: false });
      expect(received).toHaveLength(1);
      expect(JSON.parse(received[0]!.body)).toMatchObject({ conversationId: 'order-42', content: { type: 'text', text: 'It ships today' } });
      expect(received[0]!.headers['idempotency-key']).toEqual(expect.any(String));
    });
  });
});
