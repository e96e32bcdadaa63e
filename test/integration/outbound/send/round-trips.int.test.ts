/**
 * Redis round trips per send, counted on the test's own redis-server (MONITOR): a send with an
 * idempotency key costs two — the claim with the first token (one script), and the claim's end — where it
 * cost three before (SET NX, the token script, the end); a duplicate costs one (the claim answers the value).
 */
import Redis from 'ioredis';
import { sendMessage } from '../../../../src/integration/outbound/send-message';
import { RedisStore } from '../../../../src/store';
import { startRedis, type ServerProcess } from '../../../harness/servers';
import { message, pipeline } from './helpers';

let redis: ServerProcess;
let store: RedisStore;
let admin: Redis;

beforeAll(async () => {
  redis = await startRedis();
  store = new RedisStore({ redis: redis.url, prefix: 'rt:' });
  await store.ready();
  admin = new Redis(redis.url);
});
afterAll(async () => {
  admin.disconnect();
  await store.close();
  await redis.cleanup();
});

/**
 * The commands `fn` sent to the server, by name, seen with MONITOR (a script is one command: the calls it
 * makes inside are marked "lua" and left out). A marker ECHO ends the window.
 */
async function counted(fn: () => Promise<unknown>): Promise<{ total: number; byName: Record<string, number> }> {
  const monitor = await admin.monitor();
  const seen: string[] = [];
  let marker = '';
  const done = new Promise<void>((resolve) => {
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (args[0]?.toLowerCase() === 'echo' && args[1] === marker) resolve();
      else if (source !== 'lua') seen.push(args[0]!.toLowerCase());
    });
  });
  await fn();
  marker = `end-${Math.random()}`;
  await store.ready();
  const probe = new Redis(redis.url);
  await probe.echo(marker);
  await done;
  probe.disconnect();
  monitor.disconnect();
  const byName: Record<string, number> = {};
  for (const name of seen) if (name !== 'client' && name !== 'select' && name !== 'info') byName[name] = (byName[name] ?? 0) + 1;
  return { total: Object.values(byName).reduce((a, b) => a + b, 0), byName };
}

it('a keyed send: two round trips (claim + token in one script, then the end of the claim); a duplicate: one', async () => {
  const p = pipeline({ store });
  // load the scripts (the first EVALSHA of each is answered NOSCRIPT, then EVAL'd)
  await sendMessage(p, { channelId: 'c1', message: { ...message, conversationId: 'w1' }, idempotencyKey: 'warm-up' });
  await sendMessage(p, { channelId: 'c1', message: { ...message, conversationId: 'w2' } });

  const keyed = await counted(() => sendMessage(p, { channelId: 'c1', message, idempotencyKey: 'k1' }));
  expect(keyed.byName).toEqual({ evalsha: 2 });
  expect(keyed.total).toBe(2);

  const duplicate = await counted(() => sendMessage(p, { channelId: 'c1', message, idempotencyKey: 'k1' }));
  expect(duplicate.total).toBe(1);

  // without a key: the token take alone
  // (another conversation: Telegram's default gives a chat a burst of 3)
  const unkeyed = await counted(() => sendMessage(p, { channelId: 'c1', message: { ...message, conversationId: 'w3' } }));
  expect(unkeyed.byName).toEqual({ evalsha: 1 });
  expect(p.counters).toMatchObject({ sent: 4, duplicates: 1 });
});

it('the store behind it is what counts: the claim, the token and the remembered outcome are all in Redis', async () => {
  const p = pipeline({ store });
  await sendMessage(p, { channelId: 'c1', message: { ...message, conversationId: 'y' }, idempotencyKey: 'k2' });
  expect(await admin.get('rt:idem:tg:t1:c1:k2')).toMatch(/^done:\{"status":"sent","messageId":"m-y"/);
  expect(await admin.hget('rt:ratelimit:tg:c1:conv:y', 'tokens')).toBe('2');
});
