/** REDIS_URL=redis+sentinel://...: the store finds the master through a real Redis Sentinel and writes to it. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { RedisStore } from '../../src/store';
import { freePort, startRedis, type ServerProcess } from '../harness/servers';

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let data = '';
    s.setTimeout(500, () => { s.destroy(); resolve(false); });
    s.on('error', () => resolve(false));
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (d) => { data += d; if (data.includes('+PONG')) { s.destroy(); resolve(true); } });
  });
}

describe('Redis Sentinel URL', () => {
  let master: ServerProcess;
  let sentinel: ChildProcess | null = null;
  let sentinelPort = 0;
  let dir = '';

  beforeAll(async () => {
    master = await startRedis();
    dir = mkdtempSync(join(tmpdir(), 'switchboard-sentinel-'));
    sentinelPort = await freePort();
    const conf = join(dir, 'sentinel.conf');
    writeFileSync(conf, [`port ${sentinelPort}`, 'bind 127.0.0.1', `dir ${dir}`, `sentinel monitor mymaster 127.0.0.1 ${master.port} 1`, ''].join('\n'));
    const bin = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
    sentinel = spawn(bin, [conf, '--sentinel'], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !(await answersPing(sentinelPort)); i++) await new Promise((r) => setTimeout(r, 100));
  });

  afterAll(async () => {
    sentinel?.kill('SIGKILL');
    await master?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes through the master the sentinel names', async () => {
    const store = new RedisStore({ redis: `redis+sentinel://127.0.0.1:${sentinelPort}/mymaster/3`, prefix: 'sentinel-test:' });
    try {
      await store.set('k', 'v');
      expect(await store.get('k')).toBe('v');
      // read straight from the master, database 3
      const direct = new Redis(master.port, '127.0.0.1', { db: 3 });
      try {
        expect(await direct.get('sentinel-test:k')).toBe('v');
      } finally {
        direct.disconnect();
      }
    } finally {
      await store.close();
    }
  });
});
