/** Gateway pieces in process: content types, the raw-body reader's limit, query parsing, error bodies. */
import { PassThrough } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { errorBody } from '../../src/gateway/error-response';
import { contentTypeAccepted, queryOf, readRawBody } from '../../src/gateway/webhook-body';
import { webhookRoutes } from '../../src/gateway/webhooks';
import { Errors } from 'moleculer';
import { ConflictError, PublishError, SignatureError } from '../../src/errors';

function request(chunks: Buffer[], headers: Record<string, string> = {}): IncomingMessage {
  const s = new PassThrough();
  Object.assign(s, { headers });
  setImmediate(() => { for (const c of chunks) s.write(c); s.end(); });
  return s as unknown as IncomingMessage;
}

describe('contentTypeAccepted', () => {
  it.each([
    ['application/json', true], ['Application/JSON; charset=utf-8', true], ['application/vnd.x+json', true],
    ['text/plain', false], ['application/x-www-form-urlencoded', false], ['application/jsonx', false], [undefined, false], ['', false],
  ])('%s → %s', (type, ok) => expect(contentTypeAccepted(type, ['application/json'])).toBe(ok));
});

describe('readRawBody', () => {
  it('keeps the exact bytes across chunks', async () => {
    const bytes = [Buffer.from([0xf0, 0x9f]), Buffer.from([0x91, 0x8b, 0])];
    expect((await readRawBody(request(bytes), 10)).equals(Buffer.concat(bytes))).toBe(true);
  });
  it('413 on a declared or streamed size over the limit', async () => {
    await expect(readRawBody(request([Buffer.alloc(1)], { 'content-length': '11' }), 10)).rejects.toMatchObject({ code: 413 });
    await expect(readRawBody(request([Buffer.alloc(6), Buffer.alloc(6)]), 10)).rejects.toMatchObject({ code: 413 });
    await expect(readRawBody(request([Buffer.alloc(1)], { 'content-length': 'abc' }), 10)).rejects.toMatchObject({ code: 413 });
  });
});

describe('queryOf', () => {
  it('first value wins, no nesting, null prototype', () => {
    const q = queryOf('/x?a=1&a=2&__proto__=p&b[c]=d&hub.mode=subscribe');
    expect(q.a).toBe('1');
    expect(q['b[c]']).toBe('d');
    expect(q['hub.mode']).toBe('subscribe');
    expect(Object.getPrototypeOf(q)).toBeNull();
    expect(q.__proto__).toBe('p');
  });
});

describe('errorBody', () => {
  it('maps Switchboard and Moleculer errors to {error, code, message}', () => {
    expect(errorBody(new SignatureError('bad'))).toEqual({ error: 'INVALID_SIGNATURE', code: 401, message: 'bad' });
    expect(errorBody(new ConflictError('busy'))).toMatchObject({ code: 409, error: 'CONFLICT' });
    expect(errorBody(new PublishError('not stored'))).toEqual({ error: 'PUBLISH_FAILED', code: 503, message: 'not stored' });
    expect(errorBody({ code: 422, type: 'VALIDATION_ERROR', message: 'v' })).toMatchObject({ code: 400 });
    expect(errorBody({ code: 504, type: 'REQUEST_TIMEOUT' })).toMatchObject({ code: 503 });
  });
  it('hides internals of unknown errors', () => {
    expect(errorBody(new Error('secret stack detail'))).toEqual({ error: 'INTERNAL_ERROR', code: 500, message: 'internal error' });
    expect(errorBody(undefined)).toMatchObject({ code: 500 });
  });
});

describe('webhookRoutes', () => {
  it('two aliases only, no body parsing, no param merging', () => {
    const [route] = webhookRoutes({ path: '/hooks' });
    expect(route).toMatchObject({ path: '/hooks', bodyParsers: false, mergeParams: false, autoAliases: false, mappingPolicy: 'restrict' });
    expect(Object.keys(route.aliases)).toEqual(['POST /:integration/:channelId', 'GET /:integration/:channelId']);
  });
});

describe('readRawBody on an aborted request', () => {
  it('rejects with 400 when the stream closes before its end', async () => {
    const s = new PassThrough();
    Object.assign(s, { headers: {} });
    const read = readRawBody(s as unknown as IncomingMessage, 100);
    s.write(Buffer.from('{"a":'));
    s.destroy();
    await expect(read).rejects.toMatchObject({ code: 400 });
  });
});

describe('webhook routes when the integration cannot be reached', () => {
  /** Runs the POST alias against a fake ctx whose call rejects with `err`; resolves with the answer. */
  async function answerFor(err: unknown, transit?: { connected: boolean }, broker: Record<string, unknown> = { started: true }, discoveryGraceMs = 0): Promise<{ status: number; body: Record<string, unknown> }> {
    const [route] = webhookRoutes({ discoveryGraceMs });
    const req = new PassThrough();
    Object.assign(req, {
      method: 'POST', url: '/webhooks/tg/ch-1', headers: { 'content-type': 'application/json' },
      $params: { params: { integration: 'tg', channelId: 'ch-1' } },
      $ctx: { call: () => Promise.reject(err), broker: transit ? { ...broker, transit } : broker },
    });
    return new Promise((resolve) => {
      let status = 0;
      const res = {
        headersSent: false,
        writeHead(code: number) { status = code; },
        end(body: string) { resolve({ status, body: JSON.parse(body) as Record<string, unknown> }); },
      };
      const alias = route.aliases['POST /:integration/:channelId'] as (req: unknown, res: unknown) => void;
      alias.call({ logger: { error: () => undefined } }, req, res);
      req.end('{"id":"e1"}');
    });
  }
  const action = 'tg.i_receiveWebhook';

  it('a known integration with no available instance → 503 (a platform retries; it never disables the webhook)', async () => {
    const res = await answerFor(new Errors.ServiceNotAvailableError({ action }), { connected: true });
    expect(res).toMatchObject({ status: 503, body: { error: 'UNAVAILABLE', code: 503 } });
    expect((await answerFor(new Errors.ServiceNotAvailableError({ action }))).status).toBe(503);
  });

  it('no such integration → 404 only while connected to the other nodes (or with no transporter); cut off → 503', async () => {
    expect(await answerFor(new Errors.ServiceNotFoundError({ action }), { connected: true })).toMatchObject({ status: 404, body: { error: 'NOT_FOUND' } });
    expect((await answerFor(new Errors.ServiceNotFoundError({ action }))).status).toBe(404);
    expect((await answerFor(new Errors.ServiceNotFoundError({ action }), { connected: false })).status).toBe(503);
  });

  it('no such integration while the node starts, or within the grace after joining the cluster → 503, never 404 (issue 8.4)', async () => {
    const notFound = new Errors.ServiceNotFoundError({ action });
    expect((await answerFor(notFound, undefined, { started: false })).status).toBe(503);
    expect((await answerFor(notFound, { connected: true }, { started: false })).status).toBe(503);
    expect((await answerFor(notFound, { connected: true }, { started: true }, 10_000)).status).toBe(503);
    expect((await answerFor(notFound, undefined, { started: true }, 10_000)).status).toBe(404);
  });

  it('a service the integration depends on being missing is not a missing integration → 503, never 404', async () => {
    expect((await answerFor(new Errors.ServiceNotFoundError({ action: 'registry.get' }), { connected: true })).status).toBe(503);
    expect((await answerFor(new Errors.ServiceNotAvailableError({ action: 'registry.get' }), { connected: true })).status).toBe(503);
  });
});
