/** coalesceWrites on a real Redis: the commands of one turn leave in one corked write, replies in order, reconnects included. */
import Redis from 'ioredis';
import { coalesceWrites } from '../../src/store/coalesce-writes';
import { startRedis, type ServerProcess } from '../harness/servers';

let redis: ServerProcess;
beforeAll(async () => { redis = await startRedis(); });
afterAll(async () => { await redis.cleanup(); });

async function oneTurn(client: Redis, tag: string) {
  const sets = Array.from({ length: 20 }, (_, i) => client.set(`${tag}:${i}`, String(i)));
  // still corked at the end of the turn: nothing has been written separately
  expect(client.stream.writableCorked).toBe(1);
  const gets = Array.from({ length: 20 }, (_, i) => client.get(`${tag}:${i}`));
  expect(await Promise.all(sets)).toEqual(Array(20).fill('OK'));
  expect(await Promise.all(gets)).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
  expect(client.stream.writableCorked).toBe(0);
}

describe('coalesceWrites', () => {
  it('corks the socket for the rest of the turn and uncorks on the next tick, on every connection', async () => {
    const client = new Redis(redis.url, { enableAutoPipelining: false, lazyConnect: true });
    coalesceWrites(client);
    try {
      await client.connect();
      await oneTurn(client, 'a');
      const first = client.stream;
      client.disconnect(true); // reconnect: a new socket gets the same treatment
      await new Promise((resolve) => client.once('ready', resolve));
      expect(client.stream).not.toBe(first);
      await oneTurn(client, 'b');
    } finally {
      client.disconnect();
    }
  });
});
