/**
 * Closing an ioredis client we own without leaving a timer behind. ioredis's `disconnect()` ends the connector's
 * socket and arms a fallback (`disconnectTimeout`, 2 s) to destroy it, cleared on the socket's `'close'`. With Redis
 * down, between reconnects, that socket has already closed: the `'close'` never comes again and the timer holds the
 * process 2 s after the client is closed (upstream: redis/ioredis#2169). A destroyed socket needs no fallback, so
 * the connector forgets it first — a private field in ioredis 5; if it moves, this is a no-op and the old 2 s wait
 * comes back.
 */
import type Redis from 'ioredis';

function disconnectNow(client: Redis): void {
  const connector = (client as unknown as { connector?: { stream?: { destroyed?: boolean } } }).connector;
  if (connector?.stream?.destroyed) connector.stream = undefined;
  client.disconnect();
}

/**
 * Closes `client`: with `graceful`, a connected client is sent QUIT (the replies of commands already written come
 * back first); otherwise, or when QUIT cannot be sent (Redis down), the connection is dropped at once. A client
 * already ended is left alone.
 */
export async function closeRedisClient(client: Redis, o: { graceful?: boolean } = {}): Promise<void> {
  if (client.status === 'end') return;
  if (o.graceful && client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // the connection went while quitting: drop what is left of it
    }
  }
  disconnectNow(client);
}
