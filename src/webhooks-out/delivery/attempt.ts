/** One HTTP attempt of a delivery: a signed POST through the SSRF-guarded fetch, a deadline, a capped body read. */
import { guardedFetch } from '../../security/outbound-url';
import type { ResolvedDeliveryOptions } from './options';
import { readCapped } from './read-body';
import { parseRetryAfter } from '../../retry/retry-after';

/** What one attempt did, before it is judged. */
export interface AttemptResult {
  request: { url: string; method: 'POST'; headers: Record<string, string>; bodyBytes: number };
  response?: { status: number; headers: Record<string, string>; body: string };
  /** A `Retry-After` the answer carried, in ms. */
  retryAfterMs?: number;
  durationMs: number;
  /** Set when no status arrived (refused, timeout, connection error). */
  error?: { code: string; message: string };
  at: string;
}

const MESSAGE_MAX = 500;

function errorOf(err: unknown, timedOut: boolean, deadlineMs: number): { code: string; message: string } {
  if (timedOut) return { code: 'TIMEOUT', message: `no status and headers within ${deadlineMs} ms` };
  const e = err as { code?: unknown; type?: unknown; name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.type === 'UNSAFE_URL' || e?.name === 'UnsafeUrlError') return { code: 'UNSAFE_URL', message: String(e.message).slice(0, MESSAGE_MAX) };
  const cause = e?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : 'CONNECTION_ERROR';
  return { code, message: String(cause?.message ?? e?.message ?? err).slice(0, MESSAGE_MAX) };
}

/**
 * POSTs `body` to `url` with `headers`. Never throws: a refused URL, a connection error or the deadline
 * come back as `error`; any status (3xx included, redirects are never followed) as `response`.
 */
export async function attemptDelivery(url: string, headers: Record<string, string>, body: Buffer, o: ResolvedDeliveryOptions): Promise<AttemptResult> {
  const started = o.now();
  const at = new Date(started).toISOString();
  const request = { url, method: 'POST' as const, headers, bodyBytes: body.byteLength };
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), o.attemptDeadlineMs);
  try {
    let res: Response;
    try {
      res = await guardedFetch(url, { method: 'POST', headers, body, signal: deadline.signal }, { allowPrivateNetworks: o.allowPrivateNetworks });
    } catch (err) {
      return { request, durationMs: o.now() - started, error: errorOf(err, deadline.signal.aborted, o.attemptDeadlineMs), at };
    }
    const read = await readCapped(res.body, o.maxResponseBytes, deadline.signal);
    const responseHeaders: Record<string, string> = {};
    res.headers.forEach((value, key) => { responseHeaders[key] = value; });
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), o.now());
    return {
      request,
      response: { status: res.status, headers: responseHeaders, body: read.bytes.subarray(0, o.recordedBodyBytes).toString('utf8') },
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      durationMs: o.now() - started,
      at,
    };
  } finally {
    clearTimeout(timer);
  }
}
