/**
 * The operator API over real HTTP on NATS + Redis: every `/api` route refuses a missing, malformed or
 * unknown key (401); a tenant's key on another tenant's channel gets 403; channel CRUD, rotation and
 * sends work for the owner; no response ever carries a credential or secret.
 */
import type { ServiceBroker, ServiceSchema } from 'moleculer';
import ApiGateway from 'moleculer-web';
import { channelNames } from '../../src/channels';
import { operatorApiRoutes, operatorRouteSpecs, webhookRoutes } from '../../src/gateway';
import { channelRegistry, channelRegistryActions } from '../../src/registry';
import { freePort, startNats, startRedis, type ServerProcess } from '../harness/servers';
import { startFakeTelegram, type FakeTelegram } from '../integration/outbound-platform';
import { readStream, sentEvents, telegramIntegration } from '../integration/outbound-stack';
import { freshNamespace, makeBroker, uid } from '../integration/stack';

const KEY_A = `sk_acme_${'a'.repeat(24)}`;
const KEY_B = `sk_globex_${'b'.repeat(24)}`;

let nats: ServerProcess;
let redis: ServerProcess;
let platform: FakeTelegram;
let broker: ServiceBroker;
let base: string;
let ns: string;
/** Every response body the tests saw, checked for secrets at the end. */
const seen: string[] = [];

beforeAll(async () => {
  [nats, redis, platform] = await Promise.all([startNats(), startRedis(), startFakeTelegram()]);
  ns = freshNamespace('api');
  const port = await freePort();
  const gateway: ServiceSchema = {
    name: 'api', mixins: [ApiGateway],
    settings: { port, ip: '127.0.0.1', log4XXResponses: false, routes: [...webhookRoutes(), ...operatorApiRoutes({ keys: `${KEY_A}:acme,${KEY_B}:globex` })] },
  };
  broker = makeBroker({
    nodeID: `api-${uid()}`, namespace: ns, natsUrl: nats.url, redisUrl: redis.url, transporter: false,
    // The fake platform is on loopback: allow it, as a deployment with an internal platform would.
    allowPrivateNetworks: true,
    services: [gateway, { name: 'registry', actions: channelRegistryActions() }, telegramIntegration('tg')],
  });
  await broker.start();
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await broker?.stop();
  await Promise.all([nats?.cleanup(), redis?.cleanup(), platform?.close()]);
});

async function api(method: string, path: string, key?: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/api${path}`, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  seen.push(text);
  let json: Record<string, unknown> = {};
  try { json = JSON.parse(text) as Record<string, unknown>; } catch { /* not JSON */ }
  return { status: res.status, body: json, headers: res.headers };
}

/** A channel of `tenantId` with a live bot token on the fake platform. */
async function seedChannel(tenantId: string) {
  const id = `ch-${uid()}`;
  const token = `${Math.floor(Math.random() * 1e9)}:BOT-SECRET-${uid()}`;
  const secret = `whsec_SECRET_${uid()}${uid()}`;
  platform.tokens.add(token);
  await channelRegistry(broker).create({ id, tenantId, platform: 'telegram', credentials: { token }, secrets: [secret], settings: { apiBase: platform.url } });
  return { id, token, secret };
}

/** A concrete URL, method and body for every operator route, for a channel id. */
function concreteRoutes(channelId: string): Array<{ method: string; path: string; body?: unknown }> {
  return [
    { method: 'GET', path: '/openapi.json' },
    ...operatorRouteSpecs().map((spec) => ({
      method: spec.method,
      path: spec.path.replace(':integration', 'tg').replace(':channelId', channelId),
      body: spec.body ? (spec.path.endsWith('/messages') ? { message: { conversationId: 'c', content: { type: 'text', text: 'x' } } } : spec.path.endsWith('rotate-secret') ? { secret: 'whsec_' + 'n'.repeat(20) } : spec.path === '/channels' ? { id: `new-${uid()}`, platform: 'telegram' } : {}) : undefined,
    })),
  ];
}

describe('authentication on every /api route', () => {
  it('missing, malformed or unknown key → 401 with WWW-Authenticate, and nothing happens', async () => {
    const ch = await seedChannel('acme');
    const bad: Array<Record<string, string>> = [{}, { authorization: KEY_A }, { authorization: `Basic ${KEY_A}` }, { authorization: 'Bearer sk_unknown_key_zzzzzzzzzzzz' }, { authorization: `Bearer ${KEY_A}x` }];
    for (const route of concreteRoutes(ch.id)) {
      for (const headers of bad) {
        const res = await api(route.method, route.path, undefined, route.body, headers);
        expect({ route: `${route.method} ${route.path}`, status: res.status }).toEqual({ route: `${route.method} ${route.path}`, status: 401 });
        expect(res.body).toMatchObject({ error: 'UNAUTHORIZED', code: 401 });
        expect(res.headers.get('www-authenticate')).toBe('Bearer');
      }
    }
    expect(platform.requests.filter((r) => r.token === ch.token)).toHaveLength(0);
    expect((await channelRegistry(broker).get(ch.id))?.status).toBe('active');
    expect((await channelRegistry(broker).get(ch.id))?.secrets).toEqual([ch.secret]);
  });

  it('nothing but the listed routes exists under /api: action paths are not mapped, with or without a key', async () => {
    for (const path of ['/registry/list', '/registry.list', '/tg/i_sendMessage', '/tg.i_status', '/$node/list', '/', '/channels/x/y/z']) {
      for (const key of [undefined, KEY_A]) {
        const res = await api('GET', path, key);
        expect({ path, status: res.status }).toEqual({ path, status: 404 });
      }
    }
  });

  it('a malformed body from an unauthenticated caller is still 401 (the key is checked first)', async () => {
    const res = await fetch(`${base}/api/channels`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
    expect(res.status).toBe(401);
  });
});

describe('tenant isolation', () => {
  it("tenant A's key on every route of tenant B's channel → 403, B's channel untouched", async () => {
    const theirs = await seedChannel('globex');
    for (const route of concreteRoutes(theirs.id)) {
      if (!route.path.includes(theirs.id)) continue;
      const res = await api(route.method, route.path, KEY_A, route.body);
      expect({ route: `${route.method} ${route.path}`, status: res.status }).toEqual({ route: `${route.method} ${route.path}`, status: 403 });
    }
    const queued = await api('POST', `/integrations/tg/channels/${theirs.id}/messages?mode=queued`, KEY_A, { message: { conversationId: 'c', content: { type: 'text', text: 'x' } } });
    expect(queued.status).toBe(403);
    await new Promise((r) => setTimeout(r, 300));
    expect(platform.requests.filter((r) => r.token === theirs.token)).toHaveLength(0);
    const after = await channelRegistry(broker).get(theirs.id);
    expect(after).toMatchObject({ status: 'active', secrets: [theirs.secret] });
    // the owner still sees it
    expect((await api('GET', `/channels/${theirs.id}`, KEY_B)).status).toBe(200);
  });

  it('lists only the key\'s tenant\'s channels, and cannot create a channel for another tenant', async () => {
    const mine = await seedChannel('acme');
    const theirs = await seedChannel('globex');
    const list = await api('GET', '/channels', KEY_A);
    const ids = (list.body.channels as Array<{ id: string; tenantId: string }>).map((c) => c.id);
    expect(ids).toContain(mine.id);
    expect(ids).not.toContain(theirs.id);
    expect((list.body.channels as Array<{ tenantId: string }>).every((c) => c.tenantId === 'acme')).toBe(true);
    expect((await api('POST', '/channels', KEY_A, { id: `x-${uid()}`, tenantId: 'globex', platform: 'telegram' })).status).toBe(403);
  });
});

describe('channels', () => {
  it('create, get, update, rotate, disable, enable, delete — redacted throughout', async () => {
    const id = `ch-${uid()}`;
    const token = `${Date.now()}:CREATED-SECRET-TOKEN`;
    const created = await api('POST', '/channels', KEY_A, { id, platform: 'telegram', credentials: { token }, secrets: ['whsec_INITIAL_SECRET_VALUE'], settings: { apiBase: platform.url } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id, tenantId: 'acme', status: 'active', credentialKeys: ['token'], secrets: [{ expiresAt: null }] });
    expect((await api('POST', '/channels', KEY_A, { id, platform: 'telegram' })).status).toBe(409);
    expect((await api('POST', '/channels', KEY_A, { id: 'bad id', platform: 'telegram' })).status).toBe(400);
    expect((await api('GET', `/channels/${id}`, KEY_A)).body).toMatchObject({ id, settings: { apiBase: platform.url } });
    expect((await api('PATCH', `/channels/${id}`, KEY_A, { settings: { apiBase: platform.url, note: 'x' } })).body).toMatchObject({ settings: { note: 'x' } });
    expect((await api('PATCH', `/channels/${id}`, KEY_A, { secrets: ['x'] })).status).toBe(400);
    expect((await api('POST', `/channels/${id}/rotate-secret`, KEY_A, { secret: 'short' })).status).toBe(400);
    const rotated = await api('POST', `/channels/${id}/rotate-secret`, KEY_A, { secret: 'whsec_ROTATED_SECRET_VALUE', graceSeconds: 60 });
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ channel: { secrets: [{ expiresAt: null }, { expiresAt: expect.any(Number) }] }, previousSecretsExpireAt: expect.any(String) });
    expect((await channelRegistry(broker).get(id))?.secrets).toEqual(['whsec_ROTATED_SECRET_VALUE', 'whsec_INITIAL_SECRET_VALUE']);
    expect((await api('POST', `/channels/${id}/disable`, KEY_A)).body).toMatchObject({ status: 'disabled' });
    expect((await api('POST', `/integrations/tg/channels/${id}/messages`, KEY_A, { message: { conversationId: 'c', content: { type: 'text', text: 'x' } } })).status).toBe(404);
    expect((await api('POST', `/channels/${id}/enable`, KEY_A)).body).toMatchObject({ status: 'active' });
    expect((await api('DELETE', `/channels/${id}`, KEY_A)).body).toEqual({ deleted: true });
    expect((await api('GET', `/channels/${id}`, KEY_A)).status).toBe(404);
    const all = seen.join('\n');
    for (const s of [token, 'whsec_INITIAL_SECRET_VALUE', 'whsec_ROTATED_SECRET_VALUE']) expect(all).not.toContain(s);
  });
});

describe('sending and checks through /api', () => {
  it('sends, honours Idempotency-Key, maps platform errors to 502 and rate limits to 429 with Retry-After', async () => {
    const ch = await seedChannel('acme');
    const message = { conversationId: 'chat-9', content: { type: 'text', text: 'hi' } };
    const ok = await api('POST', `/integrations/tg/channels/${ch.id}/messages`, KEY_A, { message }, { 'idempotency-key': 'abc-1' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ integration: 'tg', channelId: ch.id, messageId: expect.any(String), attempts: 1, duplicate: false, idempotencyKey: 'abc-1' });
    const again = await api('POST', `/integrations/tg/channels/${ch.id}/messages`, KEY_A, { message }, { 'idempotency-key': 'abc-1' });
    expect(again.body).toMatchObject({ messageId: ok.body.messageId, duplicate: true });
    expect(platform.requests.filter((r) => r.token === ch.token)).toHaveLength(1);

    platform.script(ch.token, { status: 400 });
    const refused = await api('POST', `/integrations/tg/channels/${ch.id}/messages`, KEY_A, { message });
    expect(refused.status).toBe(502);
    expect(refused.body).toMatchObject({ error: 'PLATFORM_ERROR', code: 502, message: expect.stringContaining('HTTP 400') });

    expect((await api('POST', `/integrations/tg/channels/${ch.id}/messages`, KEY_A, { message: { content: {} } })).status).toBe(400);
    expect((await api('POST', `/integrations/tg/channels/${ch.id}/messages`, KEY_A, {})).status).toBe(400);
    expect((await api('POST', `/integrations/nope/channels/${ch.id}/messages`, KEY_A, { message })).status).toBe(404);

    await channelRegistry(broker).update(ch.id, { settings: { apiBase: platform.url, rateLimit: { capacity: 1, refillPerSecond: 0.01 } } });
    await api('POST', `/integrations/tg/channels/${ch.id}/messages`, KEY_A, { message });
    const limited = await api('POST', `/integrations/tg/channels/${ch.id}/messages`, KEY_A, { message });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(1);
  });

  it('a queued send answers 202 and is sent by the consumer', async () => {
    const ch = await seedChannel('acme');
    const res = await api('POST', `/integrations/tg/channels/${ch.id}/messages?mode=queued`, KEY_A, { message: { conversationId: 'q', content: { type: 'text', text: 'later' } } }, { 'idempotency-key': `q-${uid()}` });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ queued: true, stream: expect.any(String), seq: expect.any(Number), duplicate: false });
    const deadline = Date.now() + 10_000;
    while (!(await sentEvents(nats.url, ns)).some((e) => e.data.channelId === ch.id)) {
      if (Date.now() > deadline) throw new Error('queued send was not sent');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(platform.requests.filter((r) => r.token === ch.token)).toHaveLength(1);
    expect(channelNames(ns).OUTBOUND_SEND).toMatch(/outbound\.send$/);
  });

  it('a queued send is checked like a direct one before anything is queued: 404, 400, 403 — the same answers', async () => {
    const ch = await seedChannel('acme');
    const theirs = await seedChannel('globex');
    const other = `wa-${uid()}`;
    await channelRegistry(broker).create({ id: other, tenantId: 'acme', platform: 'whatsapp', credentials: { token: 'x' }, settings: {} });
    const off = await seedChannel('acme');
    await channelRegistry(broker).disable(off.id);
    const message = { conversationId: 'q', content: { type: 'text', text: 'x' } };
    const cases: Array<{ path: string; body: unknown; status: number }> = [
      { path: `/integrations/typo/channels/${ch.id}/messages`, body: { message }, status: 404 },
      { path: `/integrations/tg/channels/${ch.id}/messages`, body: { message: { foo: 1 } }, status: 400 },
      { path: `/integrations/tg/channels/${ch.id}/messages`, body: { message: { conversationId: 'q' } }, status: 400 },
      { path: `/integrations/tg/channels/nope-${uid()}/messages`, body: { message }, status: 404 },
      { path: `/integrations/tg/channels/${other}/messages`, body: { message }, status: 404 },
      { path: `/integrations/tg/channels/${off.id}/messages`, body: { message }, status: 404 },
      { path: `/integrations/tg/channels/${theirs.id}/messages`, body: { message }, status: 403 },
    ];
    for (const c of cases) {
      const direct = await api('POST', c.path, KEY_A, c.body);
      const queued = await api('POST', `${c.path}?mode=queued`, KEY_A, c.body);
      expect({ path: c.path, direct: direct.status, queued: queued.status }).toEqual({ path: c.path, direct: c.status, queued: c.status });
      expect(queued.body).toMatchObject({ error: direct.body.error, code: c.status });
      if (c.status === 400) expect(queued.body.details).toEqual(direct.body.details);
    }
    // nothing reached the queue (its consumer would have had to skip or dead-letter it)
    await new Promise((r) => setTimeout(r, 300));
    const queuedIds = new Set((await readStream(nats.url, channelNames(ns).OUTBOUND_SEND)).map((m) => m.data.channelId));
    for (const id of [ch.id, theirs.id, other, off.id]) expect(queuedIds.has(id)).toBe(false);
    expect(platform.requests.filter((r) => r.token === ch.token || r.token === theirs.token)).toHaveLength(0);
  });

  it('health, credentials and status answer without secrets', async () => {
    const ch = await seedChannel('acme');
    expect((await api('GET', `/integrations/tg/channels/${ch.id}/health`, KEY_A)).body).toMatchObject({ healthy: true, channelId: ch.id });
    const creds = await api('POST', `/integrations/tg/channels/${ch.id}/validate-credentials`, KEY_A, {});
    expect(creds.body).toMatchObject({ valid: true, checked: true });
    const wrong = await api('POST', `/integrations/tg/channels/${ch.id}/validate-credentials`, KEY_A, { credentials: { token: '1:PROBE-TOKEN-VALUE' } });
    expect(wrong.body).toMatchObject({ valid: false });
    expect((await api('GET', '/integrations/tg/status', KEY_A)).body).toMatchObject({ integration: 'tg', version: '1.2.3' });
    expect((await api('GET', '/openapi.json', KEY_A)).body).toMatchObject({ openapi: expect.stringMatching(/^3\./) });
    const all = seen.join('\n');
    expect(all).not.toContain(ch.token);
    expect(all).not.toContain(ch.secret);
    expect(all).not.toContain('PROBE-TOKEN-VALUE');
  });
});

afterAll(() => {
  // every body the suite received, once more: no bot token or webhook secret of any channel
  const all = seen.join('\n');
  for (const r of platform?.requests ?? []) expect(all).not.toContain(r.token);
  expect(all).not.toMatch(/whsec_SECRET_/);
});
