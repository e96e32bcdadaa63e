/**
 * One HTTP attempt of a delivery: a signed POST with undici's `request` on the SSRF-guarded dispatcher
 * (`guardedRequest`: no redirects followed, the address dialled checked), one deadline, a capped body read.
 */
import { guardedRequest, GuardedRequestTimeoutError, type GuardedResponse } from '../../security/outbound-url';
import type { ResolvedDeliveryOptions } from './options';
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
  // undici's own errors carry their code (ECONNREFUSED, UND_ERR_SOCKET, ...); a wrapped one carries it in `cause`
  const cause = e?.cause;
  const code = typeof e?.code === 'string' ? e.code : typeof cause?.code === 'string' ? cause.code : 'CONNECTION_ERROR';
  return { code, message: String(e?.message || cause?.message || err).slice(0, MESSAGE_MAX) };
}

/**
 * POSTs `body` to `url` with `headers`. Never throws: a refused URL, a connection error or the deadline
 * come back as `error`; any status (3xx included, redirects are never followed) as `response`.
 */
export async function attemptDelivery(url: string, headers: Record<string, string>, body: Buffer, o: ResolvedDeliveryOptions): Promise<AttemptResult> {
  const started = o.now();
  const at = new Date(started).toISOString();
  const request = { url, method: 'POST' as const, headers, bodyBytes: body.byteLength };
  let res: GuardedResponse;
  try {
    res = await guardedRequest(url, { method: 'POST', headers, body, deadlineMs: o.attemptDeadlineMs, maxBodyBytes: o.maxResponseBytes }, { allowPrivateNetworks: o.allowPrivateNetworks });
  } catch (err) {
    return { request, durationMs: o.now() - started, error: errorOf(err, err instanceof GuardedRequestTimeoutError, o.attemptDeadlineMs), at };
  }
  const retryAfterMs = parseRetryAfter(res.headers['retry-after'] ?? null, o.now());
  return {
    request,
    response: { status: res.status, headers: res.headers, body: res.body.subarray(0, o.recordedBodyBytes).toString('utf8') },
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    durationMs: o.now() - started,
    at,
  };
}
