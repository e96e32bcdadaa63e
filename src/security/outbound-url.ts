/**
 * SSRF guard for URLs a tenant controls (a channel's outbound or health URL, a subscription): internal
 * addresses are refused unless allowed — checked on the URL, and again at connect time on the address
 * dialled (see `guarded-dispatcher.ts`).
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Dispatcher } from 'undici';
import { UnsafeUrlError } from '../errors';
import { findRefusal, guardedDispatcher, internalAddressRefusal, refusalDetail } from './guarded-dispatcher';
import { isInternalAddress } from './internal-address';
import { undici } from './undici';

export { isInternalAddress };

/** What outbound requests to tenant-supplied URLs may reach. */
export interface OutboundUrlPolicy {
  /**
   * Allow loopback, private, link-local, CGNAT and other non-public addresses. Default false; turn it on
   * only where the platforms really live on an internal network (and in local development).
   */
  allowPrivateNetworks?: boolean;
  /** Resolves a host name to every address it has; injectable for tests. Default: the system resolver. */
  resolve?: (hostname: string) => Promise<string[]>;
  /**
   * Told what a refused URL pointed at (host and address), for the operators' log. The answer to the
   * caller never says it (a tenant could map internal DNS with it). Default: nothing is told.
   */
  onRefused?: (detail: string) => void;
}

async function systemResolve(hostname: string): Promise<string[]> {
  return (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => a.address);
}

/** Parses a tenant URL: http(s) only, no credentials; an internal IP literal is refused unless allowed. */
function parseOutboundUrl(raw: unknown, policy: OutboundUrlPolicy): URL {
  let url: URL;
  try {
    url = new URL(String(raw));
  } catch {
    throw new UnsafeUrlError('not a valid URL', { url: String(raw).slice(0, 200) });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UnsafeUrlError(`only http and https URLs are allowed, not ${url.protocol}`, { url: url.origin });
  if (url.username || url.password) throw new UnsafeUrlError('URLs with credentials in them are not allowed', { url: url.origin });
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!policy.allowPrivateNetworks && isIP(host) !== 0 && isInternalAddress(host)) {
    throw refused(policy, internalAddressRefusal(url.origin, `${url.hostname} is an internal address`));
  }
  return url;
}

function refused(policy: OutboundUrlPolicy, err: UnsafeUrlError): UnsafeUrlError {
  const detail = refusalDetail(err);
  if (detail !== undefined) policy.onRefused?.(detail);
  return err;
}

/**
 * Parses and checks a tenant-supplied URL: `http:` or `https:` only, no credentials in it, and —
 * unless `allowPrivateNetworks` — every address its host resolves to must be public. Numeric host
 * forms (`2130706433`, `0x7f.1`, `[::ffff:7f00:1]`) are normalized by the URL parser first.
 * Throws `UnsafeUrlError` (400, not retried): an internal target is answered only with "not allowed"
 * and the variable that allows it (`SWITCHBOARD_ALLOW_PRIVATE_URLS`); what it resolved to goes to
 * `policy.onRefused`. Use it when a URL is saved; a request must still go through {@link guardedFetch}
 * (DNS may answer differently by then).
 */
export async function checkOutboundUrl(raw: unknown, policy: OutboundUrlPolicy = {}): Promise<URL> {
  const url = parseOutboundUrl(raw, policy);
  if (policy.allowPrivateNetworks) return url;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return url;
  let addresses: string[];
  try {
    addresses = await (policy.resolve ?? systemResolve)(host);
  } catch (err) {
    throw new UnsafeUrlError("the URL's host name cannot be resolved", { url: url.origin }, err);
  }
  const inside = addresses.find(isInternalAddress);
  if (addresses.length === 0 || inside !== undefined) {
    throw refused(policy, internalAddressRefusal(url.origin, `${url.hostname} resolves to an internal address (${inside ?? 'none'})`));
  }
  return url;
}

/** `fetch` options of {@link guardedFetch}; `dispatcher` is an undici one (from `createGuardedDispatcher`). */
export type GuardedRequestInit = Omit<RequestInit, 'dispatcher'> & { dispatcher?: Dispatcher };

/**
 * `fetch` for tenant-supplied URLs (undici's, with a guarded dispatcher): the URL is parsed and checked,
 * redirects are never followed (a 3xx comes back as the response), and — unless `allowPrivateNetworks` —
 * the connection is refused when the address actually dialled is internal, so DNS rebinding between a
 * check and the connection is caught. A refusal rejects with `UnsafeUrlError`. `init.dispatcher` may
 * replace the shared one, but only with one from `createGuardedDispatcher` (its own timeouts, pool).
 */
export async function guardedFetch(raw: unknown, init: GuardedRequestInit = {}, policy: OutboundUrlPolicy = {}): Promise<Response> {
  const url = parseOutboundUrl(raw, policy);
  try {
    const response = await undici().fetch(url, { ...(init as object), redirect: 'manual', dispatcher: init.dispatcher ?? guardedDispatcher(policy) });
    return response as unknown as Response;
  } catch (err) {
    const refusal = findRefusal(err);
    if (refusal) throw refused(policy, refusal);
    throw err;
  }
}

/** Options of {@link guardedRequest}. */
export interface GuardedRequestOptions {
  method?: Dispatcher.HttpMethod;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /**
   * Deadline of the whole exchange, in ms: connect, status and headers, and the body read. A status that has not
   * arrived by then rejects with `GuardedRequestTimeoutError`; a body still arriving is cut (`timedOut`).
   * Optional when `signal` bounds the request instead (no timer of its own then).
   */
  deadlineMs?: number;
  /** The caller's abort (e.g. a retry attempt's signal): the request rejects with its reason, a body being read is cut. */
  signal?: AbortSignal;
  /** Bytes of the answer's body read at most; the rest is never downloaded (the connection is dropped). */
  maxBodyBytes: number;
  /** An undici dispatcher from `createGuardedDispatcher`; default the shared guarded one of the policy. */
  dispatcher?: Dispatcher;
}

/** What {@link guardedRequest} answers: the status, the headers (lower-case names, repeated ones joined), the capped body. */
export interface GuardedResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** More was sent (or would have been) than was read, or the connection broke while reading. */
  truncated: boolean;
  /** The deadline fired while the body was read; `body` is what had arrived. */
  timedOut: boolean;
}

/** `guardedRequest`'s deadline fired before the status and headers arrived. */
export class GuardedRequestTimeoutError extends Error {
  readonly code = 'TIMEOUT';
  constructor(deadlineMs: number) {
    super(`no status and headers within ${deadlineMs} ms`);
    this.name = 'GuardedRequestTimeoutError';
  }
}

function flatHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key in raw) {
    const v = raw[key];
    if (v !== undefined) out[key] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/**
 * One request to a tenant-supplied URL with undici's `request` on the guarded dispatcher — the same guards as
 * {@link guardedFetch} (URL checked; the address dialled refused when internal, so DNS rebinding is caught;
 * redirects never followed: a 3xx is the answer) without `fetch`'s web streams, and with the limits a
 * delivery needs built in: one deadline for the whole exchange and a capped body read. Rejects with
 * `UnsafeUrlError` (refused), `GuardedRequestTimeoutError` (no status by the deadline) or the connection's
 * error; any status resolves.
 */
export async function guardedRequest(raw: unknown, options: GuardedRequestOptions, policy: OutboundUrlPolicy = {}): Promise<GuardedResponse> {
  const url = parseOutboundUrl(raw, policy);
  const dispatcher = options.dispatcher ?? guardedDispatcher(policy);
  const { deadlineMs, signal: caller } = options;
  if (caller?.aborted) throw caller.reason;
  // one signal for undici: the caller's as is, or a controller fired by the deadline (and by the caller's)
  const deadline = deadlineMs === undefined ? undefined : new AbortController();
  const onAbort = () => deadline!.abort(caller!.reason);
  let expired = false;
  let timer: NodeJS.Timeout | undefined;
  let signal = caller;
  if (deadline) {
    timer = setTimeout(() => { expired = true; deadline.abort(); }, deadlineMs);
    caller?.addEventListener('abort', onAbort, { once: true });
    signal = deadline.signal;
  }
  try {
    let res: Dispatcher.ResponseData;
    try {
      res = await dispatcher.request({
        origin: url.origin, path: `${url.pathname}${url.search}`, method: options.method ?? 'GET',
        headers: options.headers, body: options.body, signal,
      });
    } catch (err) {
      if (expired) throw new GuardedRequestTimeoutError(deadlineMs!);
      if (caller?.aborted) throw caller.reason;
      const refusal = findRefusal(err);
      if (refusal) throw refused(policy, refusal);
      throw err;
    }
    const read = await readBodyCapped(res.body, options.maxBodyBytes, () => expired);
    if (caller?.aborted) throw caller.reason;
    return { status: res.statusCode, headers: flatHeaders(res.headers), ...read };
  } finally {
    if (timer) clearTimeout(timer);
    if (deadline) caller?.removeEventListener('abort', onAbort);
  }
}

/** Reads at most `maxBytes` of `body`; past the cap the stream is destroyed (nothing more is downloaded). */
function readBodyCapped(body: Dispatcher.ResponseData['body'], maxBytes: number, expired: () => boolean): Promise<{ body: Buffer; truncated: boolean; timedOut: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (truncated: boolean, timedOut: boolean) => {
      if (settled) return;
      settled = true;
      body.off('data', onData);
      resolve({ body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size), truncated, timedOut });
    };
    const onData = (chunk: Buffer) => {
      const room = maxBytes - size;
      if (chunk.byteLength > room) {
        if (room > 0) { chunks.push(chunk.subarray(0, room)); size = maxBytes; }
        finish(true, false);
        body.destroy();
        return;
      }
      chunks.push(chunk);
      size += chunk.byteLength;
    };
    body.on('data', onData);
    body.once('end', () => finish(false, false));
    // the deadline destroys the stream with its reason; any other error is a broken connection: keep what was read
    body.once('error', () => finish(!expired(), expired()));
    body.once('close', () => finish(!expired(), expired()));
  });
}
