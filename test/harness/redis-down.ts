/**
 * Closing an owner of an ioredis client while its Redis is down, between reconnects (the client's socket already
 * closed): what the close costs and whether it leaves a timer behind (ioredis's `disconnect()` used to arm a 2 s
 * fallback on that dead socket, holding the process).
 */
import { once } from 'node:events';
import type Redis from 'ioredis';
import type { ServerProcess } from './servers';

/**
 * Kills `redis`, waits until `client` is reconnecting, then checks that `close()` returns at once (under 100 ms)
 * and leaves no timer behind: the reconnect timer cleared, nothing new armed.
 */
export async function expectClosedAtOnceWhileRedisDown(redis: ServerProcess, client: Redis, close: () => Promise<void>): Promise<void> {
  const reconnecting = once(client, 'reconnecting');
  await redis.kill();
  await reconnecting;
  expect(client.status).toBe('reconnecting');
  // counted around close() alone (no timer can fire in between): its reconnect timer cleared, nothing new armed
  const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const before = timeouts();
  const started = Date.now();
  await close();
  expect(Date.now() - started).toBeLessThan(100);
  expect(timeouts()).toBe(before - 1);
}
