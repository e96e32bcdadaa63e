/** Polling for an eventual condition in integration tests (stored events, a fake platform's requests). */

/** Reads `get` every 50 ms until `ok` holds, then resolves with that value; rejects after `timeoutMs` showing the last one. */
export async function waitFor<T>(get: () => Promise<T> | T, ok: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await get();
  while (!ok(value)) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)?.slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 50));
    value = await get();
  }
  return value;
}
