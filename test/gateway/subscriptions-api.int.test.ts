/**
 * The tenant webhook routes of the operator API over real HTTP, on NATS + Redis, with tenant keys: every
 * route refuses a missing key (401) and another tenant's subscription (403); every bad input is a 4xx JSON
 * `{ error, code, message }`; secrets appear only in the create and rotate answers (every other answer and
 * every log line checked); a change is visible on a second node within a second; a disabling is published.
 * The delivery routes are checked for their routing against a stub of the delivery actions (the real ones
 * belong to the `webhooks` service's delivery side).
 */
import { Loggers, ServiceBroker, type Context, type ServiceSchema } from 'moleculer';
import ApiGateway from 'moleculer-web';
import { createChannelsMiddleware } from '../../src/channels';
import { operatorApiRoutes, subscriptionRouteSpecs } from '../../src/gateway';
import { RUNTIME_METADATA_KEY } from '../../src/types';
import { WEBHOOKS_ACTIONS, type Subscription, type SubscriptionDisabledPayload } from '../../src/webhooks-out/types';
import {
  disableSubscription, subscriptionDisabledChannel, subscriptionsMixin, subscriptionStore, SUBSCRIPTION_CHANGED_EVENT,
} from '../../src/webhooks-out/subscriptions';
import { freePort } from '../harness/servers';
import { suiteServers } from '../harness/suite';
import { freshNamespace, uid } from '../integration/stack';

const KEY_A = `sk_acme_${'a'.repeat(24)}`;
const KEY_B = `sk_globex_${'b'.repeat(24)}`;
const PUBLIC = 'https://93.184.215.14/hooks';
const MAX_PER_TENANT = 25;
const STATIC_SECRET = `whsec_${Buffer.alloc(32, 0x5a).toString('base64')}`;
const STATIC = JSON.stringify([{ id: 'static-crm', tenantId: 'acme', url: 'https://93.184.215.20/crm', events: ['message.received'], secret: STATIC_SECRET }]);

/** Every log line of both brokers, checked for secrets at the end. */
const logLines: string[] = [];
class CapturingLogger extends Loggers.Base {
  override getLogHandler(bindings?: { mod?: string }) {
    return (type: string, args: unknown[]) => {
      logLines.push(`${type} ${bindings?.mod ?? ''} ${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a, Object.getOwnPropertyNames(a ?? {})))).join(' ')}`);
    };
  }
}

/** Every answer body, with the route that gave it. */
const answers: Array<{ route: string; status: number; text: string }> = [];
/** Calls the delivery stub received. */
const stubCalls: Array<{ action: string; params: Record<string, unknown>; meta: Record<string, unknown> }> = [];
const changed: Array<{ subscriptionId: string; tenantId: string; at: number }> = [];
const disabledSeen: SubscriptionDisabledPayload[] = [];

const stack = suiteServers();
let front: ServiceBroker;
let back: ServiceBroker;
let base: string;
let ns: string;

function broker(nodeID: string, services: ServiceSchema[]): ServiceBroker {
  const b = new ServiceBroker({
    nodeID, logger: new CapturingLogger({ level: 'debug' }), logLevel: 'debug',
    transporter: { type: 'NATS', options: { servers: [stack.nats().url], maxReconnectAttempts: -1, reconnectTimeWait: 200 } },
    serializer: 'JSON', validator: true,
    metadata: { [RUNTIME_METADATA_KEY]: { namespace: ns, natsUrl: stack.nats().url, redisUrl: stack.redis().url, allowPrivateNetworks: false } },
    middlewares: [createChannelsMiddleware({ namespace: ns, nats: stack.nats().url, publishTimeoutMs: 1_500 })],
  });
  for (const s of services) b.createService(s);
  return b;
}

/** The delivery side's actions, stubbed: they check the tenant like the real ones must, and echo what they got. */
function deliveryStub(): ServiceSchema['actions'] {
  const record = (action: string) => async function (this: { broker: ServiceBroker }, ctx: Context<Record<string, unknown>, Record<string, unknown>>) {
    stubCalls.push({ action, params: { ...ctx.params }, meta: { ...ctx.meta } });
    const { tenantId, subscriptionId, deliveryId } = ctx.params as { tenantId: string; subscriptionId?: string; deliveryId?: string };
    const owner = subscriptionId ? (await subscriptionStore(this.broker).get(subscriptionId))?.tenantId : deliveryId?.startsWith('dlv_acme') ? 'acme' : 'globex';
    if (owner === undefined) throw Object.assign(new Error('not found'), { code: 404, type: 'NOT_FOUND' });
    if (owner !== tenantId) throw Object.assign(new Error('belongs to another tenant'), { code: 403, type: 'FORBIDDEN' });
    if (action === WEBHOOKS_ACTIONS.test) return { deliveryId: `dlv_acme_test_${subscriptionId}` };
    if (action === WEBHOOKS_ACTIONS.deliveries) return { deliveries: [], nextCursor: null };
    if (action === WEBHOOKS_ACTIONS.delivery) return { delivery: { deliveryId, outcome: 'failed' }, attempts: [] };
    if (action === WEBHOOKS_ACTIONS.redeliver) return { deliveryId };
    return { requeued: 3 };
  };
  const names = [WEBHOOKS_ACTIONS.test, WEBHOOKS_ACTIONS.deliveries, WEBHOOKS_ACTIONS.delivery, WEBHOOKS_ACTIONS.redeliver, WEBHOOKS_ACTIONS.recover];
  return Object.fromEntries(names.map((n) => [n, { handler: record(n) }]));
}

beforeAll(async () => {
  ns = freshNamespace('subs');
  const port = await freePort();
  const gateway: ServiceSchema = {
    name: 'api', mixins: [ApiGateway],
    settings: { port, ip: '127.0.0.1', log4XXResponses: true, routes: operatorApiRoutes({ keys: `${KEY_A}:acme,${KEY_B}:globex` }) },
  };
  const webhooks: ServiceSchema = { name: 'webhooks', mixins: [subscriptionsMixin({ maxPerTenant: MAX_PER_TENANT, staticSubscriptions: STATIC })], actions: deliveryStub() };
  const listener: ServiceSchema = {
    name: 'listener',
    events: { [SUBSCRIPTION_CHANGED_EVENT](ctx: Context<{ subscriptionId: string; tenantId: string }>) { changed.push({ ...ctx.params, at: Date.now() }); } },
    channels: { [subscriptionDisabledChannel(ns)]: { group: 'listener', handler: (payload: SubscriptionDisabledPayload) => { disabledSeen.push(payload); } } },
  } as ServiceSchema;
  front = broker(`front-${uid()}`, [gateway, webhooks]);
  back = broker(`back-${uid()}`, [listener]);
  stack.suiteBrokers.push(front, back);
  await Promise.all([front.start(), back.start()]);
  await back.waitForServices(['webhooks']);
  base = `http://127.0.0.1:${port}`;
});

async function api(method: string, path: string, key?: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/api${path}`, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  answers.push({ route: `${method} ${path.split('?')[0]}`, status: res.status, text });
  let json: Record<string, unknown> = {};
  try { json = JSON.parse(text) as Record<string, unknown>; } catch { /* not JSON */ }
  return { status: res.status, body: json, headers: res.headers };
}

const secretsGiven: string[] = [STATIC_SECRET];
async function create(key: string, body: Record<string, unknown> = {}) {
  const res = await api('POST', '/subscriptions', key, { url: PUBLIC, events: ['message.received'], ...body });
  expect(res.status).toBe(201);
  secretsGiven.push(res.body.secret as string);
  return { subscription: res.body.subscription as Subscription, secret: res.body.secret as string };
}

/** A concrete request for every subscription and delivery route. */
function concrete(subscriptionId: string, deliveryId: string) {
  return subscriptionRouteSpecs().map((spec) => ({
    method: spec.method,
    path: spec.path.replace(':subscriptionId', subscriptionId).replace(':deliveryId', deliveryId),
    body: spec.body ? (spec.path.endsWith('/recover') ? { since: '2026-01-01T00:00:00Z' } : spec.path === '/subscriptions' ? { url: PUBLIC, events: ['*'] } : {}) : undefined,
  }));
}

describe('keys and tenants', () => {
  it('every subscription and delivery route: no key, a malformed or an unknown one → 401 JSON, nothing done', async () => {
    const { subscription } = await create(KEY_A);
    const before = stubCalls.length;
    for (const route of concrete(subscription.id, 'dlv_acme_1')) {
      for (const headers of [{}, { authorization: `Basic ${KEY_A}` }, { authorization: 'Bearer sk_unknown_zzzzzzzzzzzzzzzz' }] as Array<Record<string, string>>) {
        const res = await api(route.method, route.path, undefined, route.body, headers);
        expect({ route: `${route.method} ${route.path}`, status: res.status, error: res.body.error }).toEqual({ route: `${route.method} ${route.path}`, status: 401, error: 'UNAUTHORIZED' });
      }
    }
    expect(stubCalls.length).toBe(before);
    expect(await subscriptionStore(front).get(subscription.id)).toEqual(subscription);
  });

  it("another tenant's subscription: 403 on every route naming it, nothing changed, not listed", async () => {
    const { subscription } = await create(KEY_A, { events: ['*'] });
    const before = stubCalls.length;
    for (const route of concrete(subscription.id, 'dlv_acme_1')) {
      if (route.path === '/subscriptions') continue;
      const res = await api(route.method, route.path, KEY_B, route.body);
      expect({ route: `${route.method} ${route.path}`, status: res.status, error: res.body.error }).toEqual({ route: `${route.method} ${route.path}`, status: 403, error: 'FORBIDDEN' });
      expect(typeof res.body.message).toBe('string');
    }
    // the stub saw globex's tenant on each delivery route it was asked (and refused)
    expect(stubCalls.slice(before).every((c) => c.params.tenantId === 'globex' && c.meta.tenantId === 'globex')).toBe(true);
    expect(await subscriptionStore(front).get(subscription.id)).toEqual(subscription);
    const list = await api('GET', '/subscriptions', KEY_B);
    expect((list.body.subscriptions as Subscription[]).map((s) => s.id)).not.toContain(subscription.id);
    expect((list.body.subscriptions as Subscription[]).every((s) => s.tenantId === 'globex')).toBe(true);
    // a tenantId in the body never moves a subscription to another tenant
    expect((await api('POST', '/subscriptions', KEY_B, { url: PUBLIC, events: ['*'], tenantId: 'acme' })).body).toMatchObject({ code: 400, error: 'BAD_REQUEST' });
  });
});

describe('subscriptions', () => {
  it('create 201 {subscription, secret}; list; get; patch; disable; enable; rotate {subscription, secret, previousSecretsExpireAt}; delete {deleted: true}', async () => {
    const created = await api('POST', '/subscriptions', KEY_A, { url: PUBLIC, events: ['message.received', 'message.failed'], filter: { equals: { 'message.conversationId': 'c1' } }, description: 'CRM', ordering: 'conversation' });
    expect(created.status).toBe(201);
    expect(Object.keys(created.body).sort()).toEqual(['secret', 'subscription']);
    const sub = created.body.subscription as Subscription;
    const secret = created.body.secret as string;
    secretsGiven.push(secret);
    expect(secret).toMatch(/^whsec_/);
    expect(sub).toMatchObject({ tenantId: 'acme', url: PUBLIC, events: ['message.received', 'message.failed'], status: 'active', ordering: 'conversation', description: 'CRM' });

    const list = await api('GET', '/subscriptions', KEY_A);
    expect(Object.keys(list.body)).toEqual(['subscriptions']);
    expect((list.body.subscriptions as Subscription[]).find((s) => s.id === sub.id)).toEqual(sub);
    expect((await api('GET', `/subscriptions/${sub.id}`, KEY_A)).body).toEqual(sub);

    const patched = await api('PATCH', `/subscriptions/${sub.id}`, KEY_A, { events: ['*'], filter: null });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: sub.id, events: ['*'], description: 'CRM' });
    expect(patched.body).not.toHaveProperty('filter');

    expect((await api('POST', `/subscriptions/${sub.id}/disable`, KEY_A)).body).toMatchObject({ id: sub.id, status: 'disabled', disabledReason: 'manual' });
    const enabled = await api('POST', `/subscriptions/${sub.id}/enable`, KEY_A);
    expect(enabled.body).toMatchObject({ id: sub.id, status: 'active' });
    expect(enabled.body).not.toHaveProperty('disabledReason');

    const rotated = await api('POST', `/subscriptions/${sub.id}/rotate-secret`, KEY_A, { graceSeconds: 3600 });
    expect(rotated.status).toBe(200);
    expect(Object.keys(rotated.body).sort()).toEqual(['previousSecretsExpireAt', 'secret', 'subscription']);
    secretsGiven.push(rotated.body.secret as string);
    expect(rotated.body.subscription).toMatchObject({ id: sub.id });
    expect(Date.parse(rotated.body.previousSecretsExpireAt as string) - Date.now()).toBeGreaterThan(3_500_000);
    expect(await subscriptionStore(front).signingSecrets(sub.id)).toEqual([rotated.body.secret, secret]);
    const noBody = await api('POST', `/subscriptions/${sub.id}/rotate-secret`, KEY_A);
    expect(noBody.status).toBe(200);
    secretsGiven.push(noBody.body.secret as string);
    expect(Date.parse(noBody.body.previousSecretsExpireAt as string) - Date.now()).toBeGreaterThan(86_300_000);

    expect((await api('DELETE', `/subscriptions/${sub.id}`, KEY_A)).body).toEqual({ deleted: true });
    expect((await api('GET', `/subscriptions/${sub.id}`, KEY_A))).toMatchObject({ status: 404, body: { error: 'NOT_FOUND' } });
    expect((await api('DELETE', `/subscriptions/${sub.id}`, KEY_A)).status).toBe(404);
    expect(await subscriptionStore(back).match('acme', 'message.status').then((l) => l.map((s) => s.id))).not.toContain(sub.id);
  });

  it.each([
    ['an unknown event type, named', { url: PUBLIC, events: ['message.deleted'] }, 'BAD_REQUEST', /"message\.deleted"/],
    ['no events', { url: PUBLIC, events: [] }, 'BAD_REQUEST', /events/],
    ['a URL that is not http(s)', { url: 'ftp://93.184.215.14/x', events: ['*'] }, 'BAD_REQUEST', /http or https/],
    ['not a URL', { url: 'hooks.example.com/x', events: ['*'] }, 'BAD_REQUEST', /url/],
    ['a loopback URL', { url: 'http://127.0.0.1:8080/x', events: ['*'] }, 'UNSAFE_URL', /SWITCHBOARD_ALLOW_PRIVATE_URLS/],
    ['a metadata URL', { url: 'http://169.254.169.254/latest/meta-data', events: ['*'] }, 'UNSAFE_URL', /SWITCHBOARD_ALLOW_PRIVATE_URLS/],
    ['a private URL as an integer', { url: 'http://167772161/x', events: ['*'] }, 'UNSAFE_URL', /SWITCHBOARD_ALLOW_PRIVATE_URLS/],
    ['an IPv4-mapped loopback', { url: 'http://[::ffff:7f00:1]/x', events: ['*'] }, 'UNSAFE_URL', /SWITCHBOARD_ALLOW_PRIVATE_URLS/],
    ['a host name resolving to loopback', { url: 'http://localhost:9000/x', events: ['*'] }, 'UNSAFE_URL', /SWITCHBOARD_ALLOW_PRIVATE_URLS/],
    ['a filter that is a list', { url: PUBLIC, events: ['*'], filter: ['a'] }, 'BAD_REQUEST', /filter/],
    ['a filter with an unknown part', { url: PUBLIC, events: ['*'], filter: { regex: { a: '.*' } } }, 'BAD_REQUEST', /filter\.regex/],
    ['a filter `in` without a list', { url: PUBLIC, events: ['*'], filter: { in: { platform: 'slack' } } }, 'BAD_REQUEST', /filter\.in/],
    ['a filter path with __proto__', { url: PUBLIC, events: ['*'], filter: { exists: ['__proto__.polluted'] } }, 'BAD_REQUEST', /reserved/],
    ['a description too long', { url: PUBLIC, events: ['*'], description: 'x'.repeat(501) }, 'BAD_REQUEST', /description/],
    ['an unknown ordering', { url: PUBLIC, events: ['*'], ordering: 'strict' }, 'BAD_REQUEST', /ordering/],
    ['a secret without whsec_', { url: PUBLIC, events: ['*'], secret: 'my-plain-secret-value-123456' }, 'BAD_REQUEST', /whsec_/],
    ['an unknown field', { url: PUBLIC, events: ['*'], retries: 3 }, 'BAD_REQUEST', /retries/],
    ['an id of its own', { url: PUBLIC, events: ['*'], id: 'mine' }, 'BAD_REQUEST', /generated/],
  ])('create with %s → 400 %s, nothing stored', async (_what, body, error, message) => {
    const before = (await subscriptionStore(front).listByTenant('acme')).length;
    const res = await api('POST', '/subscriptions', KEY_A, body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error, code: 400, message: expect.stringMatching(message) });
    expect((await subscriptionStore(front).listByTenant('acme')).length).toBe(before);
  });

  it('bad bodies and bad changes: 400/415 JSON, the subscription unchanged', async () => {
    const { subscription } = await create(KEY_A);
    // well-formed secrets in refused requests: they must not come back in the answer or reach a log either
    const refusedSecret = `whsec_${Buffer.alloc(32, 0x3c).toString('base64')}`;
    const refusedRotation = `whsec_${Buffer.alloc(32, 0x3d).toString('base64')}`;
    secretsGiven.push(refusedSecret, refusedRotation);
    const cases: Array<[string, string, unknown, number, Record<string, string>?]> = [
      ['POST', '/subscriptions', { url: 'http://10.0.0.9/x', events: ['*'], secret: refusedSecret }, 400],
      ['POST', '/subscriptions', { url: PUBLIC, events: ['nope'], secret: refusedSecret }, 400],
      ['POST', '/subscriptions/static-crm/rotate-secret', { secret: refusedRotation }, 403],
      ['POST', `/subscriptions/${subscription.id}/rotate-secret`, { secret: refusedRotation, graceSeconds: -1 }, 400],
      ['POST', '/subscriptions', '{not json', 400],
      ['POST', '/subscriptions', '[1,2]', 400],
      ['POST', '/subscriptions', 'url=x', 415, { 'content-type': 'application/x-www-form-urlencoded' }],
      ['PATCH', `/subscriptions/${subscription.id}`, { events: ['message.nope'] }, 400],
      ['PATCH', `/subscriptions/${subscription.id}`, { url: 'http://10.0.0.8/x' }, 400],
      ['PATCH', `/subscriptions/${subscription.id}`, { url: 'gopher://93.184.215.14/' }, 400],
      ['PATCH', `/subscriptions/${subscription.id}`, { filter: { exists: 'message' } }, 400],
      ['PATCH', `/subscriptions/${subscription.id}`, { secret: 'whsec_x' }, 400],
      ['PATCH', `/subscriptions/${subscription.id}`, { status: 'disabled' }, 400],
      ['PATCH', `/subscriptions/${subscription.id}`, { subscriptionId: 'other' }, 400],
      ['POST', `/subscriptions/${subscription.id}/rotate-secret`, { graceSeconds: -5 }, 400],
      ['POST', `/subscriptions/${subscription.id}/rotate-secret`, { graceSeconds: 'soon' }, 400],
      ['POST', `/subscriptions/${subscription.id}/rotate-secret`, { secret: 'whsec_dG9vLXNob3J0' }, 400],
      ['POST', `/subscriptions/${subscription.id}/rotate-secret`, { keepOld: true }, 400],
      ['GET', '/subscriptions/bad%20id', undefined, 404],
    ];
    for (const [method, path, body, status, headers] of cases) {
      const res = await api(method, path, KEY_A, body, headers);
      expect({ method, path, body, status: res.status }).toEqual({ method, path, body, status });
      expect(res.body).toMatchObject({ error: expect.any(String), code: status, message: expect.any(String) });
    }
    expect(await subscriptionStore(front).get(subscription.id)).toEqual(subscription);
  });

  it(`more than ${MAX_PER_TENANT} subscriptions per tenant → 400 SUBSCRIPTION_LIMIT; deleting one makes room`, async () => {
    const tenantKey = `sk_initech_${'c'.repeat(24)}`;
    // a third tenant, on a gateway of its own keys, so the counts of the others do not matter
    const port = await freePort();
    const gw = front.createService({ name: `api-${uid()}`, mixins: [ApiGateway], settings: { port, ip: '127.0.0.1', routes: operatorApiRoutes({ keys: `${tenantKey}:initech` }) } } as ServiceSchema);
    await gw._start();
    try {
      const post = (body: unknown) => fetch(`http://127.0.0.1:${port}/api/subscriptions`, { method: 'POST', headers: { authorization: `Bearer ${tenantKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const statuses: number[] = [];
      const ids: string[] = [];
      for (let i = 0; i < MAX_PER_TENANT + 2; i++) {
        const res = await post({ url: PUBLIC, events: ['*'] });
        statuses.push(res.status);
        const body = (await res.json()) as { subscription?: Subscription; error?: string; code?: number; message?: string };
        answers.push({ route: 'POST /subscriptions', status: res.status, text: JSON.stringify(body) });
        if (body.subscription) ids.push(body.subscription.id);
        else expect(body).toMatchObject({ error: 'SUBSCRIPTION_LIMIT', code: 400, message: expect.stringContaining(`(${MAX_PER_TENANT})`) });
      }
      expect(statuses).toEqual([...Array(MAX_PER_TENANT).fill(201), 400, 400]);
      await fetch(`http://127.0.0.1:${port}/api/subscriptions/${ids[0]}`, { method: 'DELETE', headers: { authorization: `Bearer ${tenantKey}` } });
      expect((await post({ url: PUBLIC, events: ['*'] })).status).toBe(201);
    } finally {
      await gw._stop();
    }
  });

  it('a static subscription is listed, read-only (403 naming SWITCHBOARD_SUBSCRIPTIONS), and can be disabled and enabled', async () => {
    const list = await api('GET', '/subscriptions', KEY_A);
    const crm = (list.body.subscriptions as Subscription[]).find((s) => s.id === 'static-crm');
    expect(crm).toMatchObject({ id: 'static-crm', static: true, status: 'active', url: 'https://93.184.215.20/crm' });
    for (const [method, path, body] of [['PATCH', '/subscriptions/static-crm', { description: 'x' }], ['DELETE', '/subscriptions/static-crm', undefined], ['POST', '/subscriptions/static-crm/rotate-secret', {}]] as const) {
      const res = await api(method, path, KEY_A, body);
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ error: 'FORBIDDEN', message: expect.stringContaining('SWITCHBOARD_SUBSCRIPTIONS') });
    }
    expect((await api('POST', '/subscriptions/static-crm/disable', KEY_A)).body).toMatchObject({ status: 'disabled' });
    expect((await api('POST', '/subscriptions/static-crm/enable', KEY_A)).body).toMatchObject({ status: 'active' });
    expect(await subscriptionStore(front).signingSecrets('static-crm')).toEqual([STATIC_SECRET]);
    expect((await api('GET', '/subscriptions/static-crm', KEY_B)).status).toBe(403);
  });
});

describe('delivery routes (routing to the webhooks service, stubbed)', () => {
  it('test 202, deliveries with outcome/limit/cursor, one delivery, redeliver 202, recover 202 — each with the key\'s tenant', async () => {
    const { subscription } = await create(KEY_A);
    const from = stubCalls.length;
    expect(await api('POST', `/subscriptions/${subscription.id}/test`, KEY_A)).toMatchObject({ status: 202, body: { deliveryId: `dlv_acme_test_${subscription.id}` } });
    expect(await api('GET', `/subscriptions/${subscription.id}/deliveries?outcome=failed&limit=25&cursor=abc.123`, KEY_A)).toMatchObject({ status: 200, body: { deliveries: [], nextCursor: null } });
    expect(await api('GET', `/subscriptions/${subscription.id}/deliveries`, KEY_A)).toMatchObject({ status: 200 });
    expect(await api('GET', '/deliveries/dlv_acme_42', KEY_A)).toMatchObject({ status: 200, body: { delivery: { deliveryId: 'dlv_acme_42' }, attempts: [] } });
    expect(await api('POST', '/deliveries/dlv_acme_42/redeliver', KEY_A)).toMatchObject({ status: 202, body: { deliveryId: 'dlv_acme_42' } });
    expect(await api('POST', `/subscriptions/${subscription.id}/recover`, KEY_A, { since: '2026-11-30T12:00:00+01:00' })).toMatchObject({ status: 202, body: { requeued: 3 } });
    expect(stubCalls.slice(from).map((c) => [c.action, c.params])).toEqual([
      [WEBHOOKS_ACTIONS.test, { tenantId: 'acme', subscriptionId: subscription.id }],
      [WEBHOOKS_ACTIONS.deliveries, { tenantId: 'acme', subscriptionId: subscription.id, outcome: 'failed', limit: 25, cursor: 'abc.123' }],
      [WEBHOOKS_ACTIONS.deliveries, { tenantId: 'acme', subscriptionId: subscription.id }],
      [WEBHOOKS_ACTIONS.delivery, { tenantId: 'acme', deliveryId: 'dlv_acme_42' }],
      [WEBHOOKS_ACTIONS.redeliver, { tenantId: 'acme', deliveryId: 'dlv_acme_42' }],
      [WEBHOOKS_ACTIONS.recover, { tenantId: 'acme', subscriptionId: subscription.id, since: '2026-11-30T11:00:00.000Z' }],
    ]);
  });

  it('bad query or body → 400 before the webhooks service is called', async () => {
    const { subscription } = await create(KEY_A);
    const from = stubCalls.length;
    const cases: Array<[string, string, unknown]> = [
      ['GET', `/subscriptions/${subscription.id}/deliveries?outcome=lost`, undefined],
      ['GET', `/subscriptions/${subscription.id}/deliveries?limit=0`, undefined],
      ['GET', `/subscriptions/${subscription.id}/deliveries?limit=1000`, undefined],
      ['GET', `/subscriptions/${subscription.id}/deliveries?limit=ten`, undefined],
      ['GET', `/subscriptions/${subscription.id}/deliveries?outcome=failed&outcome=pending`, undefined],
      ['GET', `/subscriptions/${subscription.id}/deliveries?page=2`, undefined],
      ['POST', `/subscriptions/${subscription.id}/recover`, {}],
      ['POST', `/subscriptions/${subscription.id}/recover`, { since: 'yesterday' }],
      ['POST', `/subscriptions/${subscription.id}/recover`, { since: 1_700_000_000_000 }],
      ['POST', `/subscriptions/${subscription.id}/recover`, { since: '2999-01-01T00:00:00Z' }],
      ['POST', `/subscriptions/${subscription.id}/recover`, { since: '2026-01-01T00:00:00Z', until: 'x' }],
    ];
    for (const [method, path, body] of cases) {
      const res = await api(method, path, KEY_A, body);
      expect({ path, body, status: res.status }).toEqual({ path, body, status: 400 });
      expect(res.body).toMatchObject({ error: 'BAD_REQUEST', code: 400, message: expect.any(String) });
    }
    expect((await api('GET', '/deliveries/bad%20id', KEY_A)).status).toBe(404);
    expect(stubCalls.length).toBe(from);
  });
});

describe('across nodes', () => {
  it('a created, changed, disabled subscription is seen by the second node within 1 s (read and announced)', async () => {
    const t0 = Date.now();
    const { subscription } = await create(KEY_A, { events: ['message.sent'] });
    const seenBy = async (predicate: (ids: string[]) => boolean) => {
      const start = Date.now();
      while (Date.now() - start < 1_000) {
        if (predicate((await subscriptionStore(back).match('acme', 'message.sent')).map((s) => s.id))) return Date.now() - start;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error('not visible on the second node within 1 s');
    };
    expect(await seenBy((ids) => ids.includes(subscription.id))).toBeLessThan(1_000);
    await api('PATCH', `/subscriptions/${subscription.id}`, KEY_A, { events: ['message.failed'] });
    expect(await seenBy((ids) => !ids.includes(subscription.id))).toBeLessThan(1_000);
    expect((await subscriptionStore(back).match('acme', 'message.failed')).map((s) => s.id)).toContain(subscription.id);
    await api('PATCH', `/subscriptions/${subscription.id}`, KEY_A, { events: ['message.sent'] });
    await api('POST', `/subscriptions/${subscription.id}/disable`, KEY_A);
    expect(await seenBy((ids) => !ids.includes(subscription.id))).toBeLessThan(1_000);
    // the change events reached the other node too
    const deadline = Date.now() + 1_000;
    while (changed.filter((c) => c.subscriptionId === subscription.id).length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const mine = changed.filter((c) => c.subscriptionId === subscription.id);
    expect(mine.length).toBeGreaterThanOrEqual(4);
    expect(mine.every((c) => c.tenantId === 'acme' && c.at >= t0)).toBe(true);
  });

  it('disabling publishes <ns>.webhooks.subscription.disabled {subscriptionId, tenantId, reason} — from the API and from the delivery side\'s helper', async () => {
    const a = (await create(KEY_A)).subscription;
    const b = (await create(KEY_A)).subscription;
    await api('POST', `/subscriptions/${a.id}/disable`, KEY_A);
    expect(await disableSubscription(back, b.id, 'gone')).toMatchObject({ id: b.id, status: 'disabled', disabledReason: 'gone' });
    expect(await disableSubscription(back, 'sub_unknown', 'gone')).toBeNull();
    const deadline = Date.now() + 5_000;
    while (disabledSeen.filter((d) => d.subscriptionId === a.id || d.subscriptionId === b.id).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(disabledSeen.filter((d) => d.subscriptionId === a.id)).toEqual([{ subscriptionId: a.id, tenantId: 'acme', reason: 'manual' }]);
    expect(disabledSeen.filter((d) => d.subscriptionId === b.id)).toEqual([{ subscriptionId: b.id, tenantId: 'acme', reason: 'gone' }]);
    expect((await api('GET', `/subscriptions/${b.id}`, KEY_A)).body).toMatchObject({ status: 'disabled', disabledReason: 'gone' });
    // disabling again (a retried call) publishes nothing new
    await api('POST', `/subscriptions/${a.id}/disable`, KEY_A);
    await new Promise((r) => setTimeout(r, 300));
    expect(disabledSeen.filter((d) => d.subscriptionId === a.id)).toHaveLength(1);
  });
});

afterAll(() => {
  // Secrets appear in create and rotate answers only: never in any other answer, nor in any log line.
  expect(secretsGiven.length).toBeGreaterThan(10);
  expect(logLines.length).toBeGreaterThan(0);
  const others = answers.filter((a) => !(a.status === 201 && a.route === 'POST /subscriptions') && !(a.status === 200 && a.route.endsWith('/rotate-secret')));
  const otherText = others.map((a) => a.text).join('\n');
  const logs = logLines.join('\n');
  for (const secret of secretsGiven) {
    expect(otherText).not.toContain(secret);
    expect(otherText).not.toContain(secret.slice(6));
    expect(logs).not.toContain(secret.slice(6));
  }
  // nor anything shaped like one (error messages may name the `whsec_` prefix, never a value)
  expect(otherText).not.toMatch(/whsec_[A-Za-z0-9+/]{16,}/);
  expect(logs).not.toMatch(/whsec_[A-Za-z0-9+/]{16,}/);
});
