/**
 * The operator API's tenant webhook routes, as data: subscriptions (create, list, get, update, delete,
 * enable, disable, rotate-secret) and their deliveries (test, list, get, redeliver, recover). Each calls
 * the `webhooks` service's action named in `WEBHOOKS_ACTIONS` with the key's `tenantId`; each carries its
 * OpenAPI description, from which the document's paths are built.
 */
import { BadRequestError, NotFoundError } from '../errors';
import { WEBHOOKS_ACTIONS, WEBHOOKS_SERVICE } from '../webhooks-out/types';
import type { RouteInput, RouteSpec } from './operator-api';

type Json = Record<string, unknown>;

const SUBSCRIPTION_ID = /^[A-Za-z0-9_-]{1,128}$/;
/** Delivery ids are made by the delivery side: letters, digits and `_ - . :`, up to 256. */
const DELIVERY_ID = /^[A-Za-z0-9_.:-]{1,256}$/;
const OUTCOMES = ['failed', 'succeeded', 'pending'] as const;
/** Most deliveries one page of `GET /subscriptions/:id/deliveries` may ask for. */
export const MAX_DELIVERIES_PAGE = 100;

function param(params: Record<string, string>, name: string, pattern: RegExp, what: string): string {
  const value = params[name];
  if (typeof value !== 'string' || !pattern.test(value)) throw new NotFoundError(`no such ${what}`);
  return value;
}
const subscriptionIdOf = (p: Record<string, string>) => param(p, 'subscriptionId', SUBSCRIPTION_ID, 'subscription');
const deliveryIdOf = (p: Record<string, string>) => param(p, 'deliveryId', DELIVERY_ID, 'delivery');

/** The body without the fields the route sets itself; a body that tries to set them is a 400. */
function bodyWithout(body: Json, ...reserved: string[]): Json {
  for (const key of reserved) {
    if (Object.prototype.hasOwnProperty.call(body, key)) {
      const why = key === 'tenantId' ? "the API key's tenant is used" : 'it is taken from the path';
      throw new BadRequestError(`${key} cannot be given in the body (${why})`, { field: key });
    }
  }
  return body;
}

/** `since` of recover: an ISO 8601 date-time in the past. */
function sinceOf(body: Json): string {
  const since = body.since;
  const ms = typeof since === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(since) ? Date.parse(since) : NaN;
  if (!Number.isFinite(ms)) throw new BadRequestError('since must be an ISO 8601 date-time, e.g. 2026-12-01T00:00:00Z', { field: 'since' });
  if (ms > Date.now()) throw new BadRequestError('since must not be in the future', { field: 'since' });
  for (const key of Object.keys(body)) if (key !== 'since') throw new BadRequestError(`${key} is not an option of recover; allowed: since`, { field: key });
  return new Date(ms).toISOString();
}

/** The query of the deliveries list: `outcome`, `limit` (1-100), `cursor`; anything else is a 400. */
function deliveriesQuery(query: URLSearchParams): Json {
  const out: Json = {};
  for (const key of new Set(query.keys())) {
    if (!['outcome', 'limit', 'cursor'].includes(key)) throw new BadRequestError(`${key} is not a query parameter here; allowed: outcome, limit, cursor`, { field: key });
    if (query.getAll(key).length > 1) throw new BadRequestError(`${key} is given more than once`, { field: key });
  }
  const outcome = query.get('outcome');
  if (outcome !== null) {
    if (!(OUTCOMES as readonly string[]).includes(outcome)) throw new BadRequestError(`outcome must be one of ${OUTCOMES.join(', ')}`, { field: 'outcome' });
    out.outcome = outcome;
  }
  const limit = query.get('limit');
  if (limit !== null) {
    const n = /^\d{1,4}$/.test(limit) ? Number(limit) : NaN;
    if (!(n >= 1 && n <= MAX_DELIVERIES_PAGE)) throw new BadRequestError(`limit must be an integer from 1 to ${MAX_DELIVERIES_PAGE}`, { field: 'limit' });
    out.limit = n;
  }
  const cursor = query.get('cursor');
  if (cursor !== null) {
    if (!/^[\x21-\x7e]{1,512}$/.test(cursor)) throw new BadRequestError('cursor must be the nextCursor of a previous page', { field: 'cursor' });
    out.cursor = cursor;
  }
  return out;
}

// ── OpenAPI pieces ──
const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const ok = (schema: Json, description = 'OK'): Json => ({ description, content: { 'application/json': { schema } } });
const errs = (...codes: number[]): Json => Object.fromEntries(codes.map((c) => [String(c), { $ref: `#/components/responses/E${c}` }]));
const jsonBody = (schema: Json, required = true): Json => ({ required, content: { 'application/json': { schema } } });
const accepted = (schema: Json): Json => ok(schema, 'Accepted');

/** The OpenAPI schemas the subscription routes refer to. */
export const subscriptionSchemas: Json = {
  SubscriptionFilter: {
    type: 'object', additionalProperties: false, description: 'JSON-key filter on the event payload (dot paths); every given part must hold',
    properties: {
      equals: { type: 'object', additionalProperties: true, description: '{ "message.conversationId": "c1" }' },
      in: { type: 'object', additionalProperties: { type: 'array', items: {} }, description: '{ "platform": ["telegram", "slack"] }' },
      exists: { type: 'array', items: { type: 'string' }, description: '["message.threadId"]' },
    },
  },
  Subscription: {
    type: 'object', description: 'A tenant webhook subscription; never carries a secret',
    required: ['id', 'tenantId', 'url', 'events', 'status', 'createdAt', 'updatedAt'],
    properties: {
      id: { type: 'string' }, tenantId: { type: 'string' }, url: { type: 'string', format: 'uri' },
      events: { type: 'array', items: { type: 'string', enum: ['message.received', 'message.sent', 'message.failed', 'message.status', '*'] } },
      filter: ref('SubscriptionFilter'), description: { type: 'string', maxLength: 500 },
      status: { type: 'string', enum: ['active', 'disabled'] }, disabledReason: { type: 'string', enum: ['manual', 'gone', 'failing'] },
      ordering: { type: 'string', enum: ['none', 'conversation'] },
      createdAt: { type: 'string', format: 'date-time' }, updatedAt: { type: 'string', format: 'date-time' },
      static: { type: 'boolean', description: 'From SWITCHBOARD_SUBSCRIPTIONS: read-only here but for enable / disable' },
    },
  },
  SubscriptionInput: {
    type: 'object', required: ['url', 'events'], additionalProperties: false,
    properties: {
      url: { type: 'string', format: 'uri', maxLength: 2048, description: 'http(s); internal addresses refused (UNSAFE_URL) unless SWITCHBOARD_ALLOW_PRIVATE_URLS=true' },
      events: { type: 'array', minItems: 1, items: { type: 'string', enum: ['message.received', 'message.sent', 'message.failed', 'message.status', '*'] } },
      filter: ref('SubscriptionFilter'), description: { type: 'string', maxLength: 500 },
      ordering: { type: 'string', enum: ['none', 'conversation'], default: 'none' },
      secret: { type: 'string', description: '`whsec_` + base64 of 24-64 bytes; generated when absent' },
    },
  },
  SubscriptionUpdate: {
    type: 'object', additionalProperties: false, description: 'Fields replaced as given; null removes filter or description',
    properties: {
      url: { type: 'string', format: 'uri' }, events: { type: 'array', items: { type: 'string' } },
      filter: { allOf: [ref('SubscriptionFilter')], nullable: true }, description: { type: 'string', nullable: true },
      ordering: { type: 'string', enum: ['none', 'conversation'] },
    },
  },
  Delivery: {
    type: 'object',
    properties: {
      deliveryId: { type: 'string' }, subscriptionId: { type: 'string' }, eventType: { type: 'string' }, eventId: { type: 'string' },
      outcome: { type: 'string', enum: ['pending', 'succeeded', 'failed'] }, attemptCount: { type: 'integer' },
      createdAt: { type: 'string', format: 'date-time' }, lastAttemptAt: { type: 'string', format: 'date-time' },
    },
  },
  DeliveryAttempt: {
    type: 'object',
    properties: {
      attemptId: { type: 'string' }, deliveryId: { type: 'string' }, subscriptionId: { type: 'string' }, eventType: { type: 'string' },
      attempt: { type: 'integer' }, trigger: { type: 'string', enum: ['scheduled', 'manual'] },
      request: { type: 'object', properties: { url: { type: 'string' }, method: { type: 'string' }, headers: { type: 'object', additionalProperties: { type: 'string' } }, bodyBytes: { type: 'integer' } } },
      response: { type: 'object', properties: { status: { type: 'integer' }, headers: { type: 'object', additionalProperties: { type: 'string' } }, body: { type: 'string', description: 'The first 4 KiB' } } },
      durationMs: { type: 'number' }, error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
      outcome: { type: 'string', enum: ['succeeded', 'failed'] }, at: { type: 'string', format: 'date-time' }, nextAttemptAt: { type: 'string', format: 'date-time' },
    },
  },
};

const SUBSCRIPTION = ref('Subscription');
const WITH_SECRET = (extra: Json = {}): Json => ({ type: 'object', required: ['subscription', 'secret'], properties: { subscription: SUBSCRIPTION, secret: { type: 'string', description: 'Shown only here' }, ...extra } });
const subscriptionParam: Json = { name: 'subscriptionId', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,128}$' } };
const deliveryParam: Json = { name: 'deliveryId', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,256}$' } };

/** The tenant webhook routes, calling `service` (default `webhooks`). */
export function subscriptionRouteSpecs(service: string = WEBHOOKS_SERVICE): RouteSpec[] {
  const act = (name: keyof typeof WEBHOOKS_ACTIONS) => `${service}.${WEBHOOKS_ACTIONS[name]}`;
  const tenant = (input: RouteInput) => ({ tenantId: input.principal.tenantId });
  const onSubscription = (input: RouteInput) => ({ ...tenant(input), subscriptionId: subscriptionIdOf(input.params) });
  const onDelivery = (input: RouteInput) => ({ ...tenant(input), deliveryId: deliveryIdOf(input.params) });
  return [
    {
      method: 'GET', path: '/subscriptions',
      doc: { summary: "List the key's tenant's subscriptions (no secrets)", responses: { 200: ok({ type: 'object', properties: { subscriptions: { type: 'array', items: SUBSCRIPTION } } }) } },
      run: async (input) => ({ body: await input.call(act('list'), tenant(input)) }),
    },
    {
      method: 'POST', path: '/subscriptions', body: true,
      doc: {
        summary: 'Subscribe a URL to events; the answer is the only one (with rotate) that shows the secret',
        requestBody: jsonBody(ref('SubscriptionInput')),
        responses: { 201: ok(WITH_SECRET(), 'Created'), ...errs(400, 413, 415) },
      },
      run: async (input) => ({ status: 201, body: await input.call(act('create'), { ...bodyWithout(input.body, 'tenantId'), ...tenant(input) }) }),
    },
    {
      method: 'GET', path: '/subscriptions/:subscriptionId',
      doc: { summary: 'Get a subscription', responses: { 200: ok(SUBSCRIPTION), ...errs(403, 404) } },
      run: async (input) => ({ body: await input.call(act('get'), onSubscription(input)) }),
    },
    {
      method: 'PATCH', path: '/subscriptions/:subscriptionId', body: true,
      doc: { summary: 'Change url, events, filter, description or ordering (static ones: 403)', requestBody: jsonBody(ref('SubscriptionUpdate')), responses: { 200: ok(SUBSCRIPTION), ...errs(400, 403, 404) } },
      run: async (input) => ({ body: await input.call(act('update'), { ...bodyWithout(input.body, 'tenantId', 'subscriptionId'), ...onSubscription(input) }) }),
    },
    {
      method: 'DELETE', path: '/subscriptions/:subscriptionId',
      doc: { summary: 'Delete a subscription (static ones: 403)', responses: { 200: ok({ type: 'object', properties: { deleted: { type: 'boolean', enum: [true] } } }), ...errs(403, 404) } },
      run: async (input) => ({ body: await input.call(act('remove'), onSubscription(input)) }),
    },
    {
      method: 'POST', path: '/subscriptions/:subscriptionId/enable',
      doc: { summary: 'Enable (clears disabledReason)', responses: { 200: ok(SUBSCRIPTION), ...errs(403, 404) } },
      run: async (input) => ({ body: await input.call(act('enable'), onSubscription(input)) }),
    },
    {
      method: 'POST', path: '/subscriptions/:subscriptionId/disable',
      doc: { summary: 'Disable (reason `manual`); publishes <ns>.webhooks.subscription.disabled', responses: { 200: ok(SUBSCRIPTION), ...errs(403, 404) } },
      run: async (input) => ({ body: await input.call(act('disable'), onSubscription(input)) }),
    },
    {
      method: 'POST', path: '/subscriptions/:subscriptionId/rotate-secret', body: true,
      doc: {
        summary: 'A new signing secret at once; the previous ones keep signing (both signatures sent) for graceSeconds',
        requestBody: jsonBody({ type: 'object', additionalProperties: false, properties: { secret: { type: 'string', description: 'Default: generated' }, graceSeconds: { type: 'number', minimum: 0, maximum: 2592000, default: 86400 } } }, false),
        responses: { 200: ok(WITH_SECRET({ previousSecretsExpireAt: { type: 'string', format: 'date-time' } })), ...errs(400, 403, 404) },
      },
      run: async (input) => ({ body: await input.call(act('rotate'), { ...bodyWithout(input.body, 'tenantId', 'subscriptionId'), ...onSubscription(input) }) }),
    },
    {
      method: 'POST', path: '/subscriptions/:subscriptionId/test',
      doc: { summary: 'Send a `webhook.test` event now, whatever `events` says', responses: { 202: accepted({ type: 'object', properties: { deliveryId: { type: 'string' } } }), ...errs(403, 404) } },
      run: async (input) => ({ status: 202, body: await input.call(act('test'), onSubscription(input)) }),
    },
    {
      method: 'GET', path: '/subscriptions/:subscriptionId/deliveries',
      doc: {
        summary: 'Deliveries of a subscription, paged with a cursor',
        parameters: [
          { name: 'outcome', in: 'query', required: false, schema: { type: 'string', enum: [...OUTCOMES] } },
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: MAX_DELIVERIES_PAGE } },
          { name: 'cursor', in: 'query', required: false, schema: { type: 'string' }, description: 'nextCursor of the previous page' },
        ],
        responses: { 200: ok({ type: 'object', properties: { deliveries: { type: 'array', items: ref('Delivery') }, nextCursor: { type: 'string', nullable: true } } }), ...errs(400, 403, 404) },
      },
      run: async (input) => ({ body: await input.call(act('deliveries'), { ...deliveriesQuery(input.query), ...onSubscription(input) }) }),
    },
    {
      method: 'POST', path: '/subscriptions/:subscriptionId/recover', body: true,
      doc: {
        summary: 'Re-queue every failed delivery of the subscription since a time',
        requestBody: jsonBody({ type: 'object', required: ['since'], additionalProperties: false, properties: { since: { type: 'string', format: 'date-time' } } }),
        responses: { 202: accepted({ type: 'object', properties: { requeued: { type: 'integer' } } }), ...errs(400, 403, 404) },
      },
      run: async (input) => ({ status: 202, body: await input.call(act('recover'), { since: sinceOf(input.body), ...onSubscription(input) }) }),
    },
    {
      method: 'GET', path: '/deliveries/:deliveryId',
      doc: { summary: 'One delivery with all its attempts', responses: { 200: ok({ type: 'object', properties: { delivery: ref('Delivery'), attempts: { type: 'array', items: ref('DeliveryAttempt') } } }), ...errs(403, 404) } },
      run: async (input) => ({ body: await input.call(act('delivery'), onDelivery(input)) }),
    },
    {
      method: 'POST', path: '/deliveries/:deliveryId/redeliver',
      doc: { summary: 'Deliver again now (any outcome): same delivery id, a `manual` attempt', responses: { 202: accepted({ type: 'object', properties: { deliveryId: { type: 'string' } } }), ...errs(403, 404) } },
      run: async (input) => ({ status: 202, body: await input.call(act('redeliver'), onDelivery(input)) }),
    },
  ];
}

/** The OpenAPI path items of `specs` under `api`, from each route's `doc`; every operation needs the API key. */
export function routeSpecPaths(api: string, specs: RouteSpec[]): Json {
  const paths: Record<string, Json> = {};
  for (const spec of specs) {
    if (!spec.doc) continue;
    const path = `${api}${spec.path.replace(/:([A-Za-z]+)/g, '{$1}')}`;
    const item = (paths[path] ??= {});
    const pathParams = [...spec.path.matchAll(/:([A-Za-z]+)/g)].map((m) => (m[1] === 'deliveryId' ? deliveryParam : { ...subscriptionParam, name: m[1] }));
    if (pathParams.length) item.parameters = pathParams;
    const { responses, ...rest } = spec.doc;
    item[spec.method.toLowerCase()] = { security: [{ apiKey: [] }], ...rest, responses: { ...(responses as Json), ...errs(401, 503) } };
  }
  return paths;
}
