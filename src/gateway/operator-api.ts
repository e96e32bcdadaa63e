/**
 * The operator API on moleculer-web under `/api`: send, health, status, credentials, channel CRUD
 * and secret rotation. Every route needs `Authorization: Bearer <key>`; each key acts for one
 * tenant (`ctx.meta.tenantId`), and another tenant's channels answer 403.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from 'moleculer';
import { BadRequestError, NotFoundError } from '../errors';
import type { AppMeta } from '../types';
import { authenticate, parseApiKeys, type ApiKey, type ApiPrincipal } from './api-keys';
import { errorBody, retryAfterOf, writeErrorBody, type ErrorBody } from './error-response';
import { operatorOpenApi } from './openapi';
import { serviceCallError } from './service-errors';
import { subscriptionRouteSpecs } from './subscription-routes';
import { WEBHOOKS_SERVICE } from '../webhooks-out/types';
import { decodeUtf8 } from '../integration/inbound/parse';
import { DEFAULT_DISCOVERY_GRACE_MS } from './readiness';
import { checkContentType, DEFAULT_BODY_TIMEOUT_MS, readRawBody } from './webhook-body';

/** Default URL prefix of the operator API. */
export const DEFAULT_API_PATH = '/api';
/** Largest JSON body accepted on `/api`: 256 KiB. */
export const DEFAULT_API_MAX_BODY_BYTES = 256 * 1024;
/** Time allowed to one call behind `/api` (a send with its retries): 60 s. */
export const DEFAULT_API_TIMEOUT_MS = 60_000;
/** The registry service the channel routes call. */
export const DEFAULT_REGISTRY_SERVICE = 'registry';

export interface OperatorApiOptions {
  /** URL prefix. Default {@link DEFAULT_API_PATH} (`/api`). */
  path?: string;
  /** API keys, or the text of `SWITCHBOARD_API_KEYS`. Default: parsed from `process.env.SWITCHBOARD_API_KEYS`. No keys → every call is 401. */
  keys?: readonly ApiKey[] | string;
  /** Name of the service with the channel registry actions. Default {@link DEFAULT_REGISTRY_SERVICE}. */
  registryService?: string;
  /** Largest JSON body, in bytes (413 above). Default {@link DEFAULT_API_MAX_BODY_BYTES}. */
  maxBodyBytes?: number;
  /** Timeout of each call behind a route, in ms. Default {@link DEFAULT_API_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** Prefix of the webhook routes, for the OpenAPI document. Default `/webhooks`. */
  webhookPath?: string;
  /** Name of the service with the tenant webhook actions (`WEBHOOKS_ACTIONS`). Default `webhooks`. */
  webhooksService?: string;
  /** Deadline for a body, ms from the request's arrival; later → 408 and the connection closed. Default {@link DEFAULT_BODY_TIMEOUT_MS} (10 s). */
  bodyTimeoutMs?: number;
  /** After the node starts or (re)joins a cluster, an unknown service answers 503 (not 404) for this long. Default {@link DEFAULT_DISCOVERY_GRACE_MS} (10 s). */
  discoveryGraceMs?: number;
}

type WebRequest = IncomingMessage & { $ctx: Context; $params?: { params?: Record<string, string> } };

/** What a route handler gets: the caller, path parameters, query, parsed body, and a call bound to the caller's tenant. */
export interface RouteInput {
  principal: ApiPrincipal;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  headers: IncomingMessage['headers'];
  call(action: string, params?: Record<string, unknown>): Promise<unknown>;
  ctx: Context;
}

export interface RouteSpec {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Relative to the API prefix, moleculer-web style (`/channels/:channelId`). */
  path: string;
  /** Reads a JSON object body. */
  body?: boolean;
  run(input: RouteInput): Promise<{ status?: number; body: unknown }>;
  /** The OpenAPI operation (summary, parameters, requestBody, responses), for routes whose document is built from this table. */
  doc?: Record<string, unknown>;
}

const SEGMENT = /^[A-Za-z0-9_-]{1,128}$/;
/** Error types of 5xx answers whose message is meant for the caller (what failed at the platform, never a secret). */
const EXPOSED = new Set(['PLATFORM_ERROR', 'RETRY_EXHAUSTED', 'SEND_AMBIGUOUS', 'PUBLISH_FAILED', 'UNAVAILABLE', 'TIMEOUT', 'NOT_IMPLEMENTED']);

function segment(params: Record<string, string>, name: string): string {
  const value = params[name];
  if (typeof value !== 'string' || !SEGMENT.test(value)) throw new NotFoundError(`no such ${name}`);
  return value;
}

/** The operator API's error answer: the gateway's mapping, plus platform outcomes (502/504) and validation details. */
export function apiErrorBody(err: unknown): ErrorBody & { details?: unknown } {
  const e = (err ?? {}) as { code?: unknown; type?: unknown; message?: unknown; data?: unknown };
  const type = typeof e.type === 'string' ? e.type : undefined;
  const message = typeof e.message === 'string' ? e.message : '';
  if (type && EXPOSED.has(type) && typeof e.code === 'number' && e.code >= 400 && e.code <= 599) return { error: type, code: e.code, message };
  if (type === 'VALIDATION_ERROR' && Array.isArray(e.data)) {
    const details = (e.data as Array<{ field?: unknown; message?: unknown }>).map((d) => ({ field: d.field, message: d.message }));
    return { error: 'BAD_REQUEST', code: 400, message: message || 'invalid request', details };
  }
  return errorBody(err);
}

function writeJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | number> = {}): void {
  const json = JSON.stringify(body ?? null);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(json), 'Cache-Control': 'no-store', ...headers });
  res.end(json);
}

function writeApiError(res: ServerResponse, err: unknown): void {
  const body = apiErrorBody(err);
  if (res.headersSent) { res.end(); return; }
  const retryAfter = retryAfterOf(err, body.code);
  if (retryAfter !== undefined && 'details' in body) {
    writeJson(res, body.code, body, { 'Retry-After': retryAfter });
    return;
  }
  if (body.code === 401) {
    writeJson(res, 401, body, { 'WWW-Authenticate': 'Bearer' });
    return;
  }
  if ('details' in body) writeJson(res, body.code, body);
  else writeErrorBody(res, body, undefined, retryAfter);
}

/** Reads a JSON object body (415 for another content type, 413 over the limit, 400 when not an object). */
async function readJsonObject(req: IncomingMessage, limit: number, timeoutMs: number): Promise<Record<string, unknown>> {
  const raw = await readRawBody(req, limit, timeoutMs);
  if (raw.length === 0) return {};
  checkContentType(req, ['application/json']);
  const text = decodeUtf8(raw);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BadRequestError('the body is not valid JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new BadRequestError('the body must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** Picks `key` from a body as an object (400 otherwise); absent → undefined. */
function objectField(body: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  if (!Object.prototype.hasOwnProperty.call(body, key) || body[key] === undefined) return undefined;
  const value = body[key];
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new BadRequestError(`\`${key}\` must be an object`, { field: key });
  return value as Record<string, unknown>;
}

/** The idempotency key of a send: the `Idempotency-Key` header, else `idempotencyKey` in the body. */
function idempotencyKeyOf(input: RouteInput): string | undefined {
  const header = input.headers['idempotency-key'];
  const value = typeof header === 'string' ? header : input.body.idempotencyKey;
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > 200) throw new BadRequestError('the idempotency key must be 1-200 characters', { field: 'idempotencyKey' });
  return value;
}

/** The routes, as data: the OpenAPI document and the tests read the same list. */
export function operatorRouteSpecs(registry = DEFAULT_REGISTRY_SERVICE, webhooks: string = WEBHOOKS_SERVICE): RouteSpec[] {
  const integrationAction = (params: Record<string, string>, action: string) => `${segment(params, 'integration')}.${action}`;
  return [
    { method: 'GET', path: '/channels', run: async ({ call }) => ({ body: await call(`${registry}.list`) }) },
    {
      method: 'POST', path: '/channels', body: true,
      run: async ({ call, body }) => ({ status: 201, body: await call(`${registry}.create`, { channel: body }) }),
    },
    { method: 'GET', path: '/channels/:channelId', run: async ({ call, params }) => ({ body: await call(`${registry}.get`, { id: segment(params, 'channelId') }) }) },
    {
      method: 'PATCH', path: '/channels/:channelId', body: true,
      run: async ({ call, params, body }) => ({ body: await call(`${registry}.update`, { id: segment(params, 'channelId'), changes: body }) }),
    },
    { method: 'DELETE', path: '/channels/:channelId', run: async ({ call, params }) => ({ body: await call(`${registry}.delete`, { id: segment(params, 'channelId') }) }) },
    { method: 'POST', path: '/channels/:channelId/disable', run: async ({ call, params }) => ({ body: await call(`${registry}.disable`, { id: segment(params, 'channelId') }) }) },
    { method: 'POST', path: '/channels/:channelId/enable', run: async ({ call, params }) => ({ body: await call(`${registry}.enable`, { id: segment(params, 'channelId') }) }) },
    {
      method: 'POST', path: '/channels/:channelId/rotate-secret', body: true,
      run: async ({ call, params, body }) => ({
        body: await call(`${registry}.rotateSecret`, { id: segment(params, 'channelId'), secret: body.secret, ...(body.graceSeconds !== undefined ? { graceSeconds: body.graceSeconds } : {}) }),
      }),
    },
    {
      method: 'POST', path: '/integrations/:integration/channels/:channelId/messages', body: true,
      async run(input) {
        const { body, call, query } = input;
        const integration = segment(input.params, 'integration');
        const channelId = segment(input.params, 'channelId');
        const message = objectField(body, 'message');
        if (!message) throw new BadRequestError('`message` is required', { field: 'message' });
        const idempotencyKey = idempotencyKeyOf(input);
        const params = { channelId, message, ...(idempotencyKey ? { idempotencyKey } : {}) };
        if (query.get('mode') === 'queued') {
          // The integration checks the params, the channel and the tenant as for a direct send (400/404/403),
          // then queues it; an unknown integration is 404 here, never a message no consumer takes.
          return { status: 202, body: await call(`${integration}.i_sendMessage`, { ...params, queued: true }) };
        }
        return { body: await call(`${integration}.i_sendMessage`, params) };
      },
    },
    {
      method: 'GET', path: '/integrations/:integration/channels/:channelId/health',
      run: async ({ call, params }) => ({ body: await call(integrationAction(params, 'i_healthCheck'), { channelId: segment(params, 'channelId') }) }),
    },
    {
      method: 'POST', path: '/integrations/:integration/channels/:channelId/validate-credentials', body: true,
      run: async ({ call, params, body }) => {
        const credentials = objectField(body, 'credentials');
        return { body: await call(integrationAction(params, 'i_validateCredentials'), { channelId: segment(params, 'channelId'), ...(credentials ? { credentials } : {}) }) };
      },
    },
    { method: 'GET', path: '/integrations/:integration/status', run: async ({ call, params }) => ({ body: await call(integrationAction(params, 'i_status')) }) },
    // tenant webhooks: subscriptions and their deliveries (src/gateway/subscription-routes.ts)
    ...subscriptionRouteSpecs(webhooks),
  ];
}

/** The operator API route(s) to put in the gateway's `settings.routes`. */
export function operatorApiRoutes(options: OperatorApiOptions = {}) {
  const path = options.path ?? DEFAULT_API_PATH;
  const keys: readonly ApiKey[] = typeof options.keys === 'string' || options.keys === undefined
    ? parseApiKeys(typeof options.keys === 'string' ? options.keys : process.env.SWITCHBOARD_API_KEYS)
    : options.keys;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_API_MAX_BODY_BYTES;
  const timeoutMs = options.timeoutMs ?? DEFAULT_API_TIMEOUT_MS;
  const bodyTimeoutMs = options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;
  const graceMs = options.discoveryGraceMs ?? DEFAULT_DISCOVERY_GRACE_MS;
  const registry = options.registryService ?? DEFAULT_REGISTRY_SERVICE;
  const openapi = operatorOpenApi({ apiPath: path, webhookPath: options.webhookPath ?? '/webhooks' });

  const handle = (spec: Pick<RouteSpec, 'body' | 'run'>) => async (req: WebRequest, res: ServerResponse): Promise<void> => {
    try {
      // The key is checked before anything else is read or parsed.
      const principal = authenticate(keys, req.headers.authorization);
      const body = spec.body ? await readJsonObject(req, maxBodyBytes, bodyTimeoutMs) : {};
      const ctx = req.$ctx;
      Object.assign(ctx.meta as AppMeta, { tenantId: principal.tenantId, apiKeyId: principal.apiKeyId });
      const call = async (action: string, params: Record<string, unknown> = {}) => {
        try {
          return await ctx.call(action, params, { timeout: timeoutMs, retries: 0, meta: { tenantId: principal.tenantId, apiKeyId: principal.apiKeyId } });
        } catch (err) {
          // No such service → 404; known but without an available instance, or this node cut off → 503.
          throw serviceCallError(err, action, ctx.broker, () => new NotFoundError(`no service for ${action.split('.')[0]}`), graceMs);
        }
      };
      const url = req.url ?? '';
      const query = new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');
      const out = await spec.run({ principal, params: req.$params?.params ?? {}, query, body, headers: req.headers, call, ctx });
      writeJson(res, out.status ?? 200, out.body);
    } catch (err) {
      writeApiError(res, err);
    }
  };

  // Plain (non-async) functions: lodash's isFunction, run by moleculer-web on every request, is slow on an AsyncFunction.
  const plain = (fn: (req: WebRequest, res: ServerResponse) => Promise<void>) => (req: WebRequest, res: ServerResponse): void => { void fn(req, res); };
  const aliases: Record<string, (req: WebRequest, res: ServerResponse) => void> = {
    'GET /openapi.json': plain(handle({ run: async () => ({ body: openapi }) })),
  };
  for (const spec of operatorRouteSpecs(registry, options.webhooksService ?? WEBHOOKS_SERVICE)) aliases[`${spec.method} ${spec.path}`] = plain(handle(spec));

  return [
    {
      name: 'operator-api',
      path,
      // Nothing is reachable here but the aliases above (each authenticates first).
      whitelist: [] as string[],
      autoAliases: false,
      mappingPolicy: 'restrict' as const,
      bodyParsers: false,
      mergeParams: false,
      logging: false,
      aliases,
      onError(_req: IncomingMessage, res: ServerResponse, err: unknown) {
        writeApiError(res, err);
      },
    },
  ];
}
