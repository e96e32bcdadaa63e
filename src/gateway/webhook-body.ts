/** Reading a webhook request: content type checked (415), raw bytes read under a limit (413) and a deadline (408), headers and query as null-prototype string maps. */
import type { IncomingMessage } from 'node:http';
import { BadRequestError, PayloadTooLargeError, RequestTimeoutError, UnsupportedMediaTypeError } from '../errors';
import { addDeadline, cancelDeadline } from './deadlines';

/**
 * Default deadline for a request's body, from the moment its headers arrived: 10 s. A slower body
 * (a trickle, a stalled client) is answered `408 REQUEST_TIMEOUT` and its connection closed.
 */
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;

/** True when `header` names one of `accepted` media types (parameters ignored); `application/*+json` counts as `application/json`. */
export function contentTypeAccepted(header: string | undefined, accepted: readonly string[]): boolean {
  if (!header) return false;
  const type = header.split(';')[0].trim().toLowerCase();
  if (accepted.includes(type)) return true;
  return accepted.includes('application/json') && /^application\/[a-z0-9.!#$&^_-]+\+json$/.test(type);
}

/** Throws 415 unless the request's content type is accepted. */
export function checkContentType(req: IncomingMessage, accepted: readonly string[]): void {
  const header = req.headers['content-type'];
  if (contentTypeAccepted(header, accepted)) return;
  throw new UnsupportedMediaTypeError(
    header ? `content type "${header.split(';')[0].trim()}" is not accepted here; send ${accepted.join(' or ')}` : `no content type; send ${accepted.join(' or ')}`,
    { accepted: [...accepted] },
  );
}

function tooLarge(limit: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`body is over the ${limit}-byte limit`, { limit });
}

/** Milliseconds since the request's headers arrived (moleculer-web stamps `$startTime`), 0 when unknown. */
function elapsedMs(req: IncomingMessage): number {
  const start = (req as IncomingMessage & { $startTime?: [number, number] }).$startTime;
  if (!Array.isArray(start)) return 0;
  const [s, ns] = process.hrtime(start);
  return s * 1000 + ns / 1e6;
}

/**
 * The exact request bytes; rejects with 413 as soon as the declared or the read size passes `limit`
 * (nothing else is done with the bytes), and with 408 when the body is not complete `timeoutMs`
 * after the request arrived (default {@link DEFAULT_BODY_TIMEOUT_MS}).
 */
export function readRawBody(req: IncomingMessage, limit: number, timeoutMs: number = DEFAULT_BODY_TIMEOUT_MS): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && !(Number(declared) <= limit)) return Promise.reject(tooLarge(limit));
  if (req.complete && req.readableLength === 0 && req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (err: Error | null, body?: Buffer) => {
      if (settled) return;
      settled = true;
      cancelDeadline(deadline);
      req.off('data', onData);
      if (err) reject(err);
      else resolve(body!);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.resume(); // discard the rest
        finish(tooLarge(limit));
      } else chunks.push(chunk);
    };
    const remaining = Math.max(0, timeoutMs - elapsedMs(req));
    const deadline = addDeadline(remaining, () => {
      req.pause();
      finish(new RequestTimeoutError(`the request body did not arrive within ${timeoutMs} ms`, { timeoutMs }));
    });
    req.on('data', onData);
    req.once('end', () => finish(null, Buffer.concat(chunks, size)));
    req.once('error', (err) => finish(err));
    // 'close' follows every request, also a complete one: build the error only when it is the outcome
    req.once('close', () => { if (!settled) finish(new BadRequestError('the request was aborted before its body was complete')); });
  });
}

/** Request headers as a null-prototype map of strings (repeated values joined by `, `), without `cookie`. */
export function forwardedHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(req.headers)) {
    if (name === 'cookie' || value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** The query string as a null-prototype map; a repeated name keeps its first value; no nesting, no prototype keys. */
export function queryOf(url: string | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  const q = (url ?? '').indexOf('?');
  if (q < 0) return out;
  for (const [name, value] of new URLSearchParams(url!.slice(q + 1))) if (!(name in out)) out[name] = value;
  return out;
}

/** The form media type (Slack commands and interactivity, Twilio); integrations opt in with `inbound.bodyFormats`. */
export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/**
 * The request's path and query exactly as received (moleculer-web keeps it as `originalUrl`) and the socket
 * peer's address: what URL-signing schemes (Twilio) and `allowedSources` need. Never the `Host` header.
 */
export function requestOrigin(req: IncomingMessage & { originalUrl?: string }): { path?: string; remoteAddress?: string } {
  const out: { path?: string; remoteAddress?: string } = {};
  const path = req.originalUrl ?? req.url;
  if (typeof path === 'string' && path.startsWith('/')) out.path = path;
  if (typeof req.socket?.remoteAddress === 'string') out.remoteAddress = req.socket.remoteAddress;
  return out;
}
