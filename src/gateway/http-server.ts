/**
 * `gatewayMixin()`: moleculer-web with the gateway's HTTP hardening — deadlines for slow headers and
 * bodies, one JSON `{ error, code, message }` shape for everything that reaches Node (its parser's own
 * 400/408/431 included), only routed methods run a route (no CORS pre-flight path into a route), and
 * the readiness watch that keeps unknown services at 503 while the node starts.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Service, ServiceSchema } from 'moleculer';
import ApiGateway from 'moleculer-web';
import { BadRequestError, MethodNotAllowedError, NotFoundError } from '../errors';
import { errorBody, writeErrorBody, type ErrorBody } from './error-response';
import { trackReadiness } from './readiness';
import { laneHandler, runLane, type FoundAlias } from './webhook-lane';

/** Default time allowed for a request's headers: 10 s (Node's own default is 60 s, checked every 30 s). */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
/**
 * Default time allowed to receive a whole request, headers and body: 30 s — a backstop behind the
 * routes' own body deadline (`DEFAULT_BODY_TIMEOUT_MS`, 10 s), which answers first.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** How often Node checks the header and request deadlines: 1 s (Node's default, 30 s, lets a deadline run late by that much). */
export const DEFAULT_CONNECTIONS_CHECK_MS = 1_000;
/** Methods passed on to moleculer-web's routing; any other (OPTIONS, HEAD, TRACE, ...) never runs a route. */
export const ROUTED_METHODS: readonly string[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

export interface GatewayMixinSettings {
  /** Time allowed for a request's headers, ms (slower → 408 as JSON, connection closed). Default {@link DEFAULT_HEADERS_TIMEOUT_MS}. */
  headersTimeout?: number;
  /** Time allowed to receive a whole request, ms. Default {@link DEFAULT_REQUEST_TIMEOUT_MS}. */
  requestTimeout?: number;
  /** How often the deadlines are checked, ms. Default {@link DEFAULT_CONNECTIONS_CHECK_MS}. */
  connectionsCheckingInterval?: number;
}

type Gateway = Service & {
  server?: ReturnType<typeof createServer>;
  isHTTPS?: boolean;
  aliases?: Array<{ method: string; match(url: string): unknown }>;
  resolveAlias(url: string, method: string): unknown;
  httpHandler(req: IncomingMessage, res: ServerResponse, next?: unknown): Promise<void>;
};

const apiGatewayMethods = (ApiGateway as unknown as { methods: Record<string, (this: Gateway, ...args: unknown[]) => unknown> }).methods;

/** The JSON error answer written straight to a socket (Node's parser failed: there is no response object). */
function rawErrorResponse(body: ErrorBody): string {
  const json = JSON.stringify(body);
  return `HTTP/1.1 ${body.code} ${STATUS_CODES[body.code] ?? 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\n`
    + `Content-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`;
}

/** What Node's parser or its deadlines reject, as `{ error, code, message }`. */
export function clientErrorBody(err: { code?: unknown }): ErrorBody {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { error: 'REQUEST_HEADER_FIELDS_TOO_LARGE', code: 431, message: 'the request headers are too large' };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { error: 'PAYLOAD_TOO_LARGE', code: 413, message: 'the chunk extensions are too large' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { error: 'REQUEST_TIMEOUT', code: 408, message: 'the request did not arrive in time' };
    default:
      return { error: 'BAD_REQUEST', code: 400, message: `malformed HTTP request${typeof err.code === 'string' && /^HPE_[A-Z_]+$/.test(err.code) ? ` (${err.code})` : ''}` };
  }
}

/** Node's `clientError`: the JSON answer when nothing of a response was sent yet (as Node's default does with its bare one), then the socket closed. */
function onClientError(err: Error & { code?: unknown }, socket: Duplex): void {
  const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (socket.writable && (!inFlight || !inFlight.headersSent)) socket.write(rawErrorResponse(clientErrorBody(err)));
  socket.destroy();
}

/** `CONNECT` (a tunnel request, no route ever takes it): a JSON 405, then the socket closed. */
function onConnect(_req: IncomingMessage, socket: Duplex): void {
  if (socket.writable) socket.write(rawErrorResponse({ error: 'METHOD_NOT_ALLOWED', code: 405, message: 'CONNECT is not allowed here' }));
  socket.destroy();
}

/** An `Expect` other than `100-continue`: a JSON 417 (Node's default is a bare one). */
function onCheckExpectation(_req: IncomingMessage, res: ServerResponse): void {
  writeErrorBody(res, { error: 'EXPECTATION_FAILED', code: 417, message: 'only "Expect: 100-continue" is supported' });
}

/** The path of a request target, for routing checks: origin-form as is, absolute-form reduced to its path (RFC 9112 §3.2.2). */
function originForm(req: IncomingMessage): string | Error {
  const target = req.url ?? '';
  if (target.startsWith('/')) return target;
  if (/^https?:\/\//i.test(target)) {
    try {
      const url = new URL(target);
      return url.pathname + url.search;
    } catch {
      // falls through to 400
    }
  }
  return new BadRequestError('the request target must be a path (e.g. /webhooks/...)');
}

/** The methods of the aliases whose path matches `path`. */
function allowedMethods(gateway: Gateway, path: string): string[] {
  const methods = new Set<string>();
  for (const alias of gateway.aliases ?? []) {
    let matched: unknown = false;
    try { matched = alias.match(path); } catch { /* a param that does not decode: not this alias */ }
    if (matched) for (const m of alias.method === '*' ? ROUTED_METHODS : [alias.method]) methods.add(m);
  }
  return [...methods];
}

/**
 * Checks made before moleculer-web sees the request: no Host on HTTP/1.1, a target that is not a path,
 * or a path that does not percent-decode → 400; a method that no route takes → 405 with `Allow` when the path exists, else 404.
 * Returns the error to answer, or the alias found (false: none, moleculer-web routes it) to go on.
 */
function frontCheck(gateway: Gateway, req: IncomingMessage): { error: Error; allow?: string[] } | { found: FoundAlias | false } {
  // Node's own Host check answers a bare 400; it is off (`requireHostHeader: false`) and made here instead.
  if (req.httpVersionMajor === 1 && req.httpVersionMinor >= 1 && req.headers.host === undefined) {
    return { error: new BadRequestError('an HTTP/1.1 request needs a Host header') };
  }
  const target = originForm(req);
  if (target instanceof Error) return { error: target };
  if (target !== req.url) req.url = target;
  const q = target.indexOf('?');
  let path = q < 0 ? target : target.slice(0, q);
  try {
    decodeURIComponent(path);
  } catch {
    return { error: new BadRequestError('the request path has a malformed percent-encoding') };
  }
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  const method = req.method ?? '';
  if (ROUTED_METHODS.includes(method)) {
    const found = gateway.resolveAlias(path, method) as FoundAlias | false;
    if (found || allowedMethods(gateway, path).length === 0) return { found };
  }
  const allow = allowedMethods(gateway, path);
  if (allow.length === 0) return { error: new NotFoundError('no such endpoint') };
  return { error: new MethodNotAllowedError(`${method} is not allowed here; use ${allow.join(' or ')}`, { allow }), allow };
}

/** The error answer of anything moleculer-web reports outside a route's own `onError`; 5xx are logged with their cause. */
function answerError(this: Gateway, req: IncomingMessage, res: ServerResponse, err: unknown): void {
  const body = errorBody(err);
  if (body.code >= 500) this.logger?.error(`gateway ${req.method} ${req.url} → ${body.code}`, err);
  const allow = (err as { data?: { allow?: unknown } } | null)?.data?.allow;
  writeErrorBody(res, body, Array.isArray(allow) ? allow as string[] : undefined);
}

/**
 * A moleculer-web gateway with Switchboard's hardening: put it in `mixins` instead of `ApiGateway`
 * (`mixins: [gatewayMixin()]`), with your `routes` (e.g. `webhookRoutes()`, `operatorApiRoutes()`)
 * in `settings`. Settings it adds, all overridable: {@link GatewayMixinSettings}. The gateway does not
 * answer CORS pre-flights: it serves platforms and servers, not browsers.
 */
export function gatewayMixin(): ServiceSchema {
  return {
    name: 'api',
    mixins: [ApiGateway as unknown as ServiceSchema],
    settings: {
      headersTimeout: DEFAULT_HEADERS_TIMEOUT_MS,
      requestTimeout: DEFAULT_REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: DEFAULT_CONNECTIONS_CHECK_MS,
      log4XXResponses: false,
      onError(this: Gateway, req: IncomingMessage, res: ServerResponse, err: unknown) {
        answerError.call(this, req, res, err);
      },
    } as ServiceSchema['settings'], // moleculer-web's settings: 0.15's ServiceSettingSchema lists Moleculer's own keys only
    methods: {
      createServer(this: Gateway) {
        if (this.server) return;
        const s = this.settings as GatewayMixinSettings & { https?: unknown; http2?: unknown };
        // Node refuses headersTimeout > requestTimeout (when the latter is on): the headers get at most the whole request's time.
        if (s.requestTimeout && s.headersTimeout && s.headersTimeout > s.requestTimeout) s.headersTimeout = s.requestTimeout;
        if (s.https || s.http2) {
          apiGatewayMethods.createServer.call(this);
        } else {
          this.server = createServer({
            headersTimeout: s.headersTimeout, requestTimeout: s.requestTimeout, connectionsCheckingInterval: s.connectionsCheckingInterval,
            requireHostHeader: false,
          }, this.httpHandler);
          this.isHTTPS = false;
        }
        if (this.server) {
          if (s.headersTimeout !== undefined) this.server.headersTimeout = s.headersTimeout;
          if (s.requestTimeout !== undefined) this.server.requestTimeout = s.requestTimeout;
          this.server.on('clientError', onClientError);
          this.server.on('connect', onConnect);
          this.server.on('checkExpectation', onCheckExpectation);
        }
      },
      httpHandler(this: Gateway, req: IncomingMessage, res: ServerResponse, next?: unknown) {
        const checked = frontCheck(this, req);
        if ('error' in checked) {
          // In middleware mode (Express), a path that is not ours belongs to the next handler.
          if (typeof next === 'function' && (checked.error as { code?: unknown }).code === 404) return Promise.resolve((next as () => unknown)());
          writeErrorBody(res, errorBody(checked.error), checked.allow);
          return Promise.resolve();
        }
        // a webhook POST to a route as webhookRoutes() made it skips the `api.rest` call (webhook-lane.ts)
        try {
          const lane = next === undefined ? laneHandler(this, checked.found) : undefined;
          if (lane) return runLane(this, lane, checked.found as FoundAlias, req, res);
        } catch (err) {
          answerError.call(this, req, res, err);
          return Promise.resolve();
        }
        return apiGatewayMethods.httpHandler.call(this, req, res, next);
      },
    },
    created(this: Service) {
      trackReadiness(this.broker);
    },
  };
}
