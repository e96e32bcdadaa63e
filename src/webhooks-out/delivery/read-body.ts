/** Reads at most `maxBytes` of an answer's body, stopping at the attempt's deadline; never downloads the rest. */

export interface CappedBody {
  bytes: Buffer;
  /** More was sent (or would have been) than was read. */
  truncated: boolean;
  /** The deadline fired while reading. */
  timedOut: boolean;
}

/** `signal` is the attempt's deadline: when it fires, what was read so far is kept. */
export async function readCapped(body: ReadableStream<Uint8Array> | null, maxBytes: number, signal: AbortSignal): Promise<CappedBody> {
  if (!body) return { bytes: Buffer.alloc(0), truncated: false, timedOut: false };
  const reader = body.getReader();
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  let timedOut = false;
  const onAbort = () => { timedOut = true; reader.cancel().catch(() => undefined); };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  try {
    while (!timedOut) {
      const { done, value } = await reader.read();
      if (done) break;
      const room = maxBytes - size;
      if (value.byteLength > room) {
        if (room > 0) chunks.push(Buffer.from(value.buffer, value.byteOffset, room));
        size = maxBytes;
        truncated = true;
        break;
      }
      chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
      size += value.byteLength;
    }
  } catch {
    // aborted at the deadline, or the connection broke: keep what was read
    if (signal.aborted) timedOut = true;
    else truncated = true;
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (truncated || timedOut) reader.cancel().catch(() => undefined);
    else reader.releaseLock();
  }
  return { bytes: Buffer.concat(chunks, size), truncated, timedOut };
}
