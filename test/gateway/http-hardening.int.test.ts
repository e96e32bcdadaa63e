/**
 * Issue 8 items 5, 7, 8, 9 on the real gateway (gatewayMixin + the webhook and operator routes) on NATS +
 * Redis, the integration on another node: OPTIONS pre-flights run no route; slow headers and slow bodies
 * get a JSON 408 and a closed connection; invalid UTF-8 in a signed body is refused; every error that
 * reaches us — odd targets, bad percent-encoding, Node's parser failures — is `{ error, code, message }`.
 */
import type { ServiceBroker, ServiceSchema } from 'moleculer';
import { gatewayMixin, operatorApiRoutes, webhookRoutes } from '../../src/gateway';
import { channelRegistry, channelRegistryActions } from '../../src/registry';
import type { IntegrationConfig } from '../../src/types';
import { freePort } from '../harness/servers';
import { suiteServers } from '../harness/suite';
import { acmeBody, acmeIntegration, acmeSign, ACME_HEADER, channel, freshNamespace, makeBroker, postAcme, storedReceived, uid } from '../integration/stack';
import { rawRequest, type RawResponse } from './raw-http';

const KEY = `sk_acme_${'h'.repeat(24)}`;
const BODY_TIMEOUT_MS = 1_500;
const HEADERS_TIMEOUT_MS = 1_500;

const stack = suiteServers();
let gw: ServiceBroker;
let int: ServiceBroker;
let port: number;
let base: string;
let ns: string;

beforeAll(async () => {
  ns = freshNamespace('hard');
  port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const gateway: ServiceSchema = {
    name: 'api',
    mixins: [gatewayMixin()],
    settings: {
      port, ip: '127.0.0.1',
      headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: 4 * HEADERS_TIMEOUT_MS,
      routes: [
        { path: '/', whitelist: ['api.health'], autoAliases: false, mappingPolicy: 'restrict', aliases: { 'GET health': 'api.health' } },
        ...webhookRoutes({ bodyTimeoutMs: BODY_TIMEOUT_MS, discoveryGraceMs: 0 }),
        ...operatorApiRoutes({ keys: `${KEY}:acme`, bodyTimeoutMs: BODY_TIMEOUT_MS, discoveryGraceMs: 0 }),
      ],
    },
    actions: { health: () => ({ status: 'ok' }) },
  };
  gw = makeBroker({ nodeID: `hgw-${uid()}`, namespace: ns, natsUrl: stack.nats().url, redisUrl: stack.redis().url, services: [gateway, { name: 'registry', actions: channelRegistryActions() }] });
  int = makeBroker({ nodeID: `hint-${uid()}`, namespace: ns, natsUrl: stack.nats().url, redisUrl: stack.redis().url, services: [acmeIntegration(new Map<string, IntegrationConfig>([['c1', channel('c1')]]))] });
  stack.suiteBrokers.push(gw, int);
  await Promise.all([gw.start(), int.start()]);
  await gw.waitForServices(['acme']);
}, 60_000);

const storedFor = async (eventId: string) => (await storedReceived(stack.nats().url, ns)).filter((m) => m.eventId === eventId);

/** The documented error shape, exactly: no moleculer-web `name`/`type`/`data`. */
function expectErrorShape(res: { status: number; json?: Record<string, unknown> }, status: number) {
  expect(res.status).toBe(status);
  expect(res.json).toEqual({ error: expect.any(String), code: status, message: expect.any(String) });
}

/** A signed acme delivery as raw request text. */
function signedRequest(method: string, target: string, raw: string | Buffer, extra: Record<string, string> = {}): Buffer {
  const body = Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
  const headers = {
    Host: `127.0.0.1:${port}`, 'Content-Type': 'application/json', 'Content-Length': String(body.length),
    [ACME_HEADER]: acmeSign(body, 'secret-c1'), Connection: 'close', ...extra,
  };
  const head = `${method} ${target} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head), body]);
}

describe('item 5: only the documented methods run a route', () => {
  it('a signed webhook sent as an OPTIONS pre-flight for POST stores nothing (405 with Allow, JSON)', async () => {
    const id = `opt-${uid()}`;
    const raw = JSON.stringify(acmeBody(id, 'via options'));
    const res = await rawRequest(port, [signedRequest('OPTIONS', '/webhooks/acme/c1', raw, { 'Access-Control-Request-Method': 'POST', Origin: 'https://evil.example' })]);
    expectErrorShape(res, 405);
    expect(res.headers.allow).toBe('POST, GET');
    await new Promise((r) => setTimeout(r, 300));
    expect(await storedFor(id)).toHaveLength(0);
    // the same bytes by POST are a valid delivery
    expect((await rawRequest(port, [signedRequest('POST', '/webhooks/acme/c1', raw)])).status).toBe(200);
    expect(await storedFor(id)).toHaveLength(1);
  });

  it('a channel DELETE sent as an OPTIONS pre-flight with a key deletes nothing', async () => {
    const id = `keep-${uid()}`;
    await channelRegistry(gw).create({ id, tenantId: 'acme', platform: 'acme', credentials: {}, secrets: [], settings: {} });
    const res = await rawRequest(port, [`OPTIONS /api/channels/${id} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\nAccess-Control-Request-Method: DELETE\r\nConnection: close\r\n\r\n`]);
    expectErrorShape(res, 405);
    expect(res.headers.allow).toContain('DELETE');
    expect(await channelRegistry(gw).get(id)).toMatchObject({ id, status: 'active' });
  });

  it.each([
    ['OPTIONS', '/webhooks/acme/c1', 405],
    ['HEAD', '/webhooks/acme/c1', 405],
    ['TRACE', '/webhooks/acme/c1', 405],
    ['PUT', '/webhooks/acme/c1', 405],
    ['PATCH', '/webhooks/acme/c1', 405],
    ['OPTIONS', '/nowhere', 404],
    ['OPTIONS', '*', 400],
    ['PUT', '/api/channels', 405],
  ])('%s %s → JSON %i', async (method, target, status) => {
    const res = await rawRequest(port, [`${method} ${target} HTTP/1.1\r\nHost: x\r\nAccess-Control-Request-Method: GET\r\nConnection: close\r\n\r\n`]);
    expect(res.status).toBe(status);
    // HEAD answers carry no body
    if (method !== 'HEAD') expectErrorShape(res, status);
  });
});

describe('item 9: one error shape everywhere we can reach', () => {
  it.each([
    ['GET', '/webhooks/acme/%ZZ', 400],
    ['POST', '/webhooks/%E0%A4%A/c1', 400],
    ['GET', '/api/channels/%ZZ', 400],
    ['GET', '//webhooks/acme/c1', 404],
    ['GET', '//', 404],
    ['GET', '/nope', 404],
    ['GET', '/api', 404],
    ['GET', '/webhooks', 404],
    ['GET', '/health/x', 404],
  ])('%s %s → JSON %i', async (method, target, status) => {
    expectErrorShape(await rawRequest(port, [`${method} ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`]), status);
  });

  it('an absolute-form target is read as its path (RFC 9112 §3.2.2): a signed delivery is stored', async () => {
    const id = `abs-${uid()}`;
    const res = await rawRequest(port, [signedRequest('POST', `http://127.0.0.1:${port}/webhooks/acme/c1`, JSON.stringify(acmeBody(id, 'x')))]);
    expect(res.status).toBe(200);
    expect(await storedFor(id)).toHaveLength(1);
    expectErrorShape(await rawRequest(port, [`GET http://example.com/nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`]), 404);
  });

  it.each<[string, number, Array<string | number>]>([
    ['a request line Node cannot parse', 400, ['GARBAGE\r\n\r\n']],
    ['an unknown method', 400, ['FROB /webhooks/acme/c1 HTTP/1.1\r\nHost: x\r\n\r\n']],
    ['both Content-Length and Transfer-Encoding', 400, ['POST /webhooks/acme/c1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n']],
    ['a bad Content-Length', 400, ['POST /webhooks/acme/c1 HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n']],
    ['headers over the size limit', 431, [`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`]],
    ['a broken chunked body', 400, ['POST /webhooks/acme/c1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n']],
    ['an HTTP/1.1 request without Host', 400, ['GET /health HTTP/1.1\r\n\r\n']],
    ['an Expect other than 100-continue', 417, ['POST /webhooks/acme/c1 HTTP/1.1\r\nHost: x\r\nExpect: foo\r\nContent-Length: 0\r\nConnection: close\r\n\r\n']],
    ['a CONNECT tunnel request', 405, ['CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n']],
  ])('Node parser: %s → JSON %i', async (what, status, parts) => {
    const res = await rawRequest(port, parts);
    expectErrorShape(res, status);
    // what the parser refused leaves the connection unusable: it is closed
    if (status !== 417 && !what.includes('Host')) expect(res.closed).toBe(true);
  });
});

describe('item 7: request deadlines', () => {
  it('a webhook body trickled slower than the deadline → JSON 408, connection closed, nothing stored', async () => {
    const id = `slow-${uid()}`;
    const raw = Buffer.from(JSON.stringify(acmeBody(id, 'slow')));
    const full = signedRequest('POST', '/webhooks/acme/c1', raw, { Connection: 'keep-alive' });
    const head = full.subarray(0, full.length - raw.length);
    const trickle: Array<Buffer | number> = [head];
    for (let i = 0; i < raw.length; i++) trickle.push(raw.subarray(i, i + 1), 200);
    const res: RawResponse = await rawRequest(port, trickle, 20_000);
    expectErrorShape(res, 408);
    expect(res.json?.error).toBe('REQUEST_TIMEOUT');
    expect(res.closed).toBe(true);
    expect(await storedFor(id)).toHaveLength(0);
  });

  it('an /api body trickled slower than the deadline → JSON 408', async () => {
    const body = JSON.stringify({ id: `x-${uid()}`, platform: 'acme' });
    const parts: Array<string | number> = [`POST /api/channels HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`];
    for (const ch of body) parts.push(ch, 200);
    const res = await rawRequest(port, parts, 20_000);
    expectErrorShape(res, 408);
    expect(res.closed).toBe(true);
  });

  it('headers trickled slower than headersTimeout → JSON 408 from the server, connection closed', async () => {
    const parts: Array<string | number> = ['POST /webhooks/acme/c1 HTTP/1.1\r\nHost: x\r\n'];
    for (let i = 0; i < 60; i++) parts.push(`X-Slow-${i}: 1\r\n`, 200);
    const res = await rawRequest(port, parts, 20_000);
    expectErrorShape(res, 408);
    expect(res.closed).toBe(true);
  });

  it('a prompt request on a kept-alive connection is unaffected', async () => {
    const id = `fast-${uid()}`;
    expect((await postAcme(base, 'c1', acmeBody(id, 'fast'))).status).toBe(200);
    expect(await storedFor(id)).toHaveLength(1);
  });
});

describe('item 8: invalid UTF-8 in a signed body', () => {
  it('is refused with 400 and nothing stored; the same text in valid UTF-8 is stored as sent', async () => {
    const id = `utf-${uid()}`;
    const latin1 = Buffer.concat([Buffer.from(`{"id":"${id}","messages":[{"id":"m","chat":"c","from":"u","text":"caf`), Buffer.from([0xe9]), Buffer.from('"}]}')]);
    const res = await rawRequest(port, [signedRequest('POST', '/webhooks/acme/c1', latin1)]);
    expectErrorShape(res, 400);
    expect(res.json?.message).toMatch(/UTF-8/);
    expect(await storedFor(id)).toHaveLength(0);
    const utf8 = Buffer.from(`{"id":"${id}","messages":[{"id":"m","chat":"c","from":"u","text":"café"}]}`);
    expect((await rawRequest(port, [signedRequest('POST', '/webhooks/acme/c1', utf8)])).status).toBe(200);
    const [stored] = await storedFor(id);
    expect((stored!.message as { content: { text: string } }).content.text).toBe('café');
  });

  it('/api refuses a body that is not UTF-8 with 400', async () => {
    const body = Buffer.concat([Buffer.from(`{"id":"u-${uid()}","platform":"caf`), Buffer.from([0xff]), Buffer.from('"}')]);
    const res = await rawRequest(port, [Buffer.concat([Buffer.from(`POST /api/channels HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`), body])]);
    expectErrorShape(res, 400);
  });
});
