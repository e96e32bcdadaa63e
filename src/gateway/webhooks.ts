/**
 * moleculer-web routes platforms hit: `POST <path>/:integration/:channelId` → `<integration>.i_receiveWebhook`,
 * `GET <path>/:integration/:channelId` → `<integration>.i_verifyWebhook`. Nothing else is reachable there.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from 'moleculer';
import { NotFoundError } from '../errors';
import { DEFAULT_MAX_BODY_BYTES } from '../integration/options';
import { errorBody, retryAfterOf, writeErrorBody } from './error-response';
import { serviceCallError } from './service-errors';
import { DEFAULT_DISCOVERY_GRACE_MS } from './readiness';
import { frontDoorFields } from '../integration/inbound/request';
import { localWebhookTarget, receiveLocally } from './local-receive';
import { laneAlias } from './webhook-lane';
import { checkContentType, DEFAULT_BODY_TIMEOUT_MS, forwardedHeaders, queryOf, readRawBody, requestOrigin } from './webhook-body';

/** Default URL prefix of the webhook routes. */
export const DEFAULT_WEBHOOK_PATH = '/webhooks';
/**
 * Default accepted content types of webhook bodies (`application/*+json` included). Forms pass the gateway; each
 * integration takes only its `inbound.bodyFormats` (415 otherwise).
 */
export const DEFAULT_WEBHOOK_CONTENT_TYPES: readonly string[] = ['application/json', 'application/x-www-form-urlencoded'];
/**
 * Default timeout of the call to the integration: 10 s — above the SDK's publish (5 s) and Redis (2 s)
 * timeouts, below the platforms' own delivery timeouts (Standard Webhooks 15–30 s).
 */
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;

/** The only actions these routes call. */
export const WEBHOOK_ACTIONS = /^[A-Za-z0-9_-]{1,64}\.i_(receive|verify)Webhook$/;

export interface WebhookRoutesOptions {
  /** URL prefix. Default {@link DEFAULT_WEBHOOK_PATH} (`/webhooks`). */
  path?: string;
  /** Largest body read, in bytes; above it → 413 before any signature work. Default 1 MiB (`DEFAULT_MAX_BODY_BYTES`). */
  maxBodyBytes?: number;
  /** Media types read as a webhook body; anything else → 415. Default {@link DEFAULT_WEBHOOK_CONTENT_TYPES}. */
  contentTypes?: readonly string[];
  /** Timeout of the call to the integration, ms. Default {@link DEFAULT_WEBHOOK_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** Deadline for the body, ms from the request's arrival; later → 408 and the connection closed. Default {@link DEFAULT_BODY_TIMEOUT_MS} (10 s). */
  bodyTimeoutMs?: number;
  /**
   * After the node starts or (re)joins a cluster, for this long an unknown integration answers 503 with
   * `Retry-After` (its service may not be registered yet), never 404. Default {@link DEFAULT_DISCOVERY_GRACE_MS} (10 s).
   */
  discoveryGraceMs?: number;
}

type WebRequest = IncomingMessage & { $ctx: Context; $params?: { params?: Record<string, string> } };
/** `this` in a moleculer-web alias function: the gateway service. */
type Gateway = { logger?: { error(...args: unknown[]): void } };

/** Answers the error as JSON; a 5xx is logged with its cause (the answer says only what failed). */
function fail(gateway: Gateway | undefined, req: IncomingMessage, res: ServerResponse, err: unknown): void {
  const body = errorBody(err);
  if (body.code >= 500) gateway?.logger?.error(`webhook ${req.method} ${req.url} → ${body.code}`, err);
  // A channel's basic auth: senders such as Twilio send credentials only after this challenge.
  if (body.error === 'UNAUTHORIZED' && !res.headersSent) res.setHeader('WWW-Authenticate', 'Basic realm="switchboard webhooks"');
  writeErrorBody(res, body, undefined, retryAfterOf(err, body.code));
}

const SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;
/** Printable, and no `:` (it separates the parts of claim keys and JetStream msg ids). */
const CHANNEL_ID = /^[^\u0000-\u001f\u007f:]{1,200}$/;

/** The path parameters, checked: an integration name that is not a service name, or an odd channel id → 404. */
function target(req: WebRequest): { integration: string; channelId: string } {
  const { integration, channelId } = req.$params?.params ?? {};
  if (typeof integration !== 'string' || !SEGMENT.test(integration) || typeof channelId !== 'string' || !CHANNEL_ID.test(channelId)) {
    throw new NotFoundError('no such webhook endpoint');
  }
  return { integration, channelId };
}

/** Calls the action; an unknown integration → 404, one that is only unreachable or not seen yet (start-up, `graceMs`) → 503 (see {@link serviceCallError}). */
async function callIntegration(req: WebRequest, action: string, params: Record<string, unknown>, timeoutMs: number, graceMs: number): Promise<unknown> {
  try {
    return await req.$ctx.call(action, params, { timeout: timeoutMs, retries: 0 });
  } catch (err) {
    throw serviceCallError(err, action, req.$ctx.broker, () => new NotFoundError(`no integration "${action.split('.')[0]}"`), graceMs);
  }
}

/** A string answer is sent as text (challenges), anything else as JSON; always 200. */
function writeResult(res: ServerResponse, data: unknown): void {
  const text = typeof data === 'string';
  const body = text ? data : JSON.stringify(data ?? null);
  res.writeHead(200, { 'Content-Type': text ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** The webhook route(s) to put in the gateway's `settings.routes`. */
export function webhookRoutes(options: WebhookRoutesOptions = {}) {
  const path = options.path ?? DEFAULT_WEBHOOK_PATH;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const contentTypes = options.contentTypes ?? DEFAULT_WEBHOOK_CONTENT_TYPES;
  const timeoutMs = options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  const bodyTimeoutMs = options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;
  const graceMs = options.discoveryGraceMs ?? DEFAULT_DISCOVERY_GRACE_MS;

  async function receive(this: Gateway | undefined, req: WebRequest, res: ServerResponse): Promise<void> {
    try {
      const { integration, channelId } = target(req);
      checkContentType(req, contentTypes);
      const raw = await readRawBody(req, maxBodyBytes, bodyTimeoutMs);
      const action = `${integration}.i_receiveWebhook`;
      const local = localWebhookTarget(req.$ctx.broker, action);
      if (local) {
        // in-process: the raw Buffer as it was read (see local-receive.ts)
        const request = { channelId, rawBody: raw, headers: forwardedHeaders(req), query: queryOf(req.url), receivedAt: Date.now(), ...frontDoorFields(requestOrigin(req)) };
        writeResult(res, await receiveLocally(req.$ctx, local, action, integration, request, timeoutMs));
        return;
      }
      const params = {
        channelId, body: raw.toString('base64'), headers: forwardedHeaders(req), query: queryOf(req.url), receivedAt: Date.now(),
        ...requestOrigin(req),
      };
      writeResult(res, await callIntegration(req, action, params, timeoutMs, graceMs));
    } catch (err) {
      fail(this, req, res, err);
    }
  }

  async function verify(this: Gateway | undefined, req: WebRequest, res: ServerResponse): Promise<void> {
    try {
      const { integration, channelId } = target(req);
      const params = { channelId, query: queryOf(req.url), headers: forwardedHeaders(req) };
      writeResult(res, await callIntegration(req, `${integration}.i_verifyWebhook`, params, timeoutMs, graceMs));
    } catch (err) {
      fail(this, req, res, err);
    }
  }

  return [
    {
      name: 'webhooks',
      path,
      // Only the two aliases below exist; they call nothing but WEBHOOK_ACTIONS.
      whitelist: [WEBHOOK_ACTIONS],
      autoAliases: false,
      mappingPolicy: 'restrict' as const,
      // The raw bytes are read by the handlers; nothing is parsed or merged (no query over body, no __proto__).
      bodyParsers: false,
      mergeParams: false,
      logging: false,
      // Plain (non-async) functions: lodash's isFunction, run by moleculer-web on every request, is slow on an
      // AsyncFunction (it rewrites its Symbol.toStringTag each time).
      aliases: {
        // the gateway may run `receive` directly (webhook-lane.ts)
        'POST /:integration/:channelId': laneAlias(receive as never),
        'GET /:integration/:channelId': function (this: Gateway, req: WebRequest, res: ServerResponse) { void verify.call(this, req, res); },
      },
      onError(this: Gateway, req: IncomingMessage, res: ServerResponse, err: unknown) {
        fail(this, req, res, err);
      },
    },
  ];
}
