/** Errors as the gateway answers them: JSON `{ error, code, message }` with the error's HTTP status. */
import type { ServerResponse } from 'node:http';

/** The JSON body of an error answer. `error` is a stable machine name, `code` the HTTP status. */
export interface ErrorBody {
  error: string;
  code: number;
  message: string;
}

type ErrorLike = { code?: unknown; type?: unknown; name?: unknown; message?: unknown; data?: unknown };

/** Types whose 5xx message is safe to show (they say what failed, never why inside). */
const EXPOSED_5XX = new Set(['PUBLISH_FAILED', 'UNAVAILABLE']);

/** Maps any thrown value to a status and body; unknown and internal errors become a bare 500. */
export function errorBody(err: unknown): ErrorBody {
  const e = (err ?? {}) as ErrorLike;
  const type = typeof e.type === 'string' && e.type ? e.type : undefined;
  const message = typeof e.message === 'string' ? e.message : '';
  const code = typeof e.code === 'number' && e.code >= 400 && e.code <= 599 ? e.code : 500;
  if (type === 'VALIDATION_ERROR' || code === 422) return { error: 'BAD_REQUEST', code: 400, message: message || 'invalid request' };
  // A malformed percent-encoding in the path (decodeURIComponent's URIError) is the client's: 400.
  if (e.name === 'URIError' && code === 500) return { error: 'BAD_REQUEST', code: 400, message: 'the request path has a malformed percent-encoding' };
  // Moleculer's call timeout (504, REQUEST_TIMEOUT) is ours: 503. A 408 is the client's slow request.
  if ((type === 'REQUEST_TIMEOUT' && code !== 408) || code === 504) return { error: 'UNAVAILABLE', code: 503, message: 'the request timed out; retry later' };
  if (code >= 500 && !(type && EXPOSED_5XX.has(type))) return { error: code === 503 ? 'UNAVAILABLE' : 'INTERNAL_ERROR', code, message: code === 503 ? 'service unavailable; retry later' : 'internal error' };
  return { error: type ?? (code === 404 ? 'NOT_FOUND' : 'ERROR'), code, message };
}

/** Seconds to suggest in `Retry-After` for a status, if any. */
export function retryAfterFor(code: number): number | undefined {
  if (code === 503) return 5;
  if (code === 409 || code === 429) return 1;
  return undefined;
}

/**
 * The one `Retry-After` rule: the error's own wait (`data.retryAfterSeconds`, or `data.retryAfterMs` rounded up,
 * at least 1 s) on a 409/429/503, else the status's default ({@link retryAfterFor}).
 */
export function retryAfterOf(err: unknown, code: number): number | undefined {
  const fallback = retryAfterFor(code);
  if (fallback === undefined) return undefined;
  const data = (err as { data?: { retryAfterSeconds?: unknown; retryAfterMs?: unknown } } | null)?.data;
  if (typeof data?.retryAfterSeconds === 'number' && Number.isFinite(data.retryAfterSeconds)) return Math.max(1, Math.ceil(data.retryAfterSeconds));
  if (typeof data?.retryAfterMs === 'number' && Number.isFinite(data.retryAfterMs)) return Math.max(1, Math.ceil(data.retryAfterMs / 1000));
  return fallback;
}

/** Writes `body` as the JSON answer (with `Retry-After` on 409/429/503, `Connection: close` on 408/413). */
export function writeErrorBody(res: ServerResponse, body: ErrorBody, allow?: readonly string[], retryAfterSeconds?: number): void {
  if (res.headersSent) { res.end(); return; }
  const json = JSON.stringify(body);
  const headers: Record<string, string | number> = { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(json) };
  const retryAfter = retryAfterSeconds ?? retryAfterFor(body.code);
  if (retryAfter !== undefined) headers['Retry-After'] = retryAfter;
  if (body.code === 413 || body.code === 408) headers.Connection = 'close';
  if (body.code === 405 && Array.isArray(allow)) headers.Allow = allow.join(', ');
  res.writeHead(body.code, headers);
  res.end(json);
}

/** `errorBody` + `writeErrorBody`. */
export function sendJsonError(res: ServerResponse, err: unknown): void {
  const body = errorBody(err);
  writeErrorBody(res, body, undefined, retryAfterOf(err, body.code));
}
