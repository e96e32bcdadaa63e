/** guardedRequest against a local server: the SSRF guards of guardedFetch, one deadline, a capped body read. */
import { createServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { UnsafeUrlError } from '../../src';
import { guardedRequest, GuardedRequestTimeoutError } from '../../src/security/outbound-url';
import { URL_NOT_ALLOWED } from '../../src/security/guarded-dispatcher';
import { startRecordingServer, type Hit, type RecordingServer } from '../harness/recording-server';

const MB = 1024 * 1024;
let server: RecordingServer;
let base: string;
let hits: Hit[];
let bigWritten = 0;
let bigFinished = false;

beforeAll(async () => {
  server = await startRecordingServer((req, res) => {
    if (req.url === '/redirect') { res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' }); res.end(); return; }
    if (req.url === '/headers') { res.writeHead(503, [['retry-after', '7'], ['x-a', '1'], ['x-a', '2']]); res.end('busy'); return; }
    if (req.url === '/big') {
      bigWritten = 0;
      bigFinished = false;
      res.writeHead(200, { 'content-length': String(50 * MB) });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = () => {
        while (bigWritten < 50 * MB) {
          bigWritten += chunk.length;
          if (!res.write(chunk)) { res.once('drain', pump); return; }
        }
        bigFinished = true;
        res.end();
      };
      pump();
      return;
    }
    if (req.url === '/slow-body') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first ');
      const t = setInterval(() => { if (!res.destroyed) res.write('.'); }, 100);
      res.on('close', () => clearInterval(t));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  ({ base, hits } = server);
});
afterAll(() => server.close());
beforeEach(() => { hits.length = 0; });

const open = { allowPrivateNetworks: true };
const port = () => new URL(base).port;

describe('guardedRequest', () => {
  it('POSTs the body and headers and answers the status, headers and body', async () => {
    const res = await guardedRequest(`${base}/hook?x=1`, { method: 'POST', headers: { 'content-type': 'application/json', 'webhook-id': 'msg_1' }, body: Buffer.from('{"a":1}'), deadlineMs: 2_000, maxBodyBytes: 1024 }, open);
    expect(res).toMatchObject({ status: 200, truncated: false, timedOut: false });
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body.toString()).toBe('{"ok":true}');
    expect(hits).toEqual([expect.objectContaining({ url: '/hook?x=1', method: 'POST', body: '{"a":1}', headers: expect.objectContaining({ 'webhook-id': 'msg_1' }) })]);
  });

  it('headers come back with lower-case names, repeated ones joined', async () => {
    const res = await guardedRequest(`${base}/headers`, { deadlineMs: 2_000, maxBodyBytes: 1024 }, open);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('7');
    expect(res.headers['x-a']).toBe('1, 2');
    expect(res.body.toString()).toBe('busy');
  });

  it.each([
    (p: string) => `http://127.0.0.1:${p}/x`, (p: string) => `http://2130706433:${p}/x`, (p: string) => `http://[::ffff:7f00:1]:${p}/x`,
    (p: string) => `http://localhost:${p}/x`, (p: string) => `http://169.254.169.254:${p}/x`,
  ])('refuses internal form %# without the policy allowing it; nothing reaches the server', async (form) => {
    const logged: string[] = [];
    const err = await guardedRequest(form(port()), { deadlineMs: 2_000, maxBodyBytes: 1024 }, { onRefused: (d) => logged.push(d) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsafeUrlError);
    expect((err as Error).message).toBe(URL_NOT_ALLOWED);
    expect(logged).toHaveLength(1);
    expect(hits).toEqual([]);
  });

  it('DNS rebinding: a name that resolves internal at connect time is refused on the address dialled', async () => {
    const err = await guardedRequest(`http://rebind.test:${port()}/x`, { deadlineMs: 2_000, maxBodyBytes: 1024 }, { resolve: async () => ['127.0.0.1'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsafeUrlError);
    expect(hits).toEqual([]);
  });

  it('a redirect is not followed: the 3xx is the answer, with its Location', async () => {
    const res = await guardedRequest(`${base}/redirect`, { method: 'POST', body: 'x', deadlineMs: 2_000, maxBodyBytes: 1024 }, open);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('http://169.254.169.254/latest/meta-data');
    expect(hits.map((h) => h.url)).toEqual(['/redirect']);
  });

  it('only http(s) URLs without credentials', async () => {
    await expect(guardedRequest('file:///etc/passwd', { deadlineMs: 1_000, maxBodyBytes: 10 }, open)).rejects.toBeInstanceOf(UnsafeUrlError);
    await expect(guardedRequest(`http://u:p@127.0.0.1:${port()}/`, { deadlineMs: 1_000, maxBodyBytes: 10 }, open)).rejects.toBeInstanceOf(UnsafeUrlError);
    expect(hits).toEqual([]);
  });

  it('a 50 MB answer: the first bytes up to the cap, the rest never downloaded', async () => {
    const res = await guardedRequest(`${base}/big`, { method: 'POST', body: 'x', deadlineMs: 5_000, maxBodyBytes: 64 * 1024 }, open);
    expect(res.status).toBe(200);
    expect(res.truncated).toBe(true);
    expect(res.body.byteLength).toBe(64 * 1024);
    expect(res.body.toString()).toBe('x'.repeat(64 * 1024));
    await new Promise((r) => setTimeout(r, 300));
    expect(bigFinished).toBe(false);
    expect(bigWritten).toBeLessThan(50 * MB);
  });

  it('a body still arriving at the deadline: what came is kept, timedOut', async () => {
    const started = Date.now();
    const res = await guardedRequest(`${base}/slow-body`, { deadlineMs: 600, maxBodyBytes: 4096 }, open);
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(res).toMatchObject({ status: 200, timedOut: true });
    expect(res.body.toString()).toMatch(/^first \.*$/);
  });

  it('a status line trickling at 1 byte/s: rejects with GuardedRequestTimeoutError at the deadline', async () => {
    const sockets: Socket[] = [];
    const trickle: TcpServer = createTcpServer((sock) => {
      sockets.push(sock);
      sock.on('error', () => undefined);
      const text = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok';
      let i = 0;
      const t = setInterval(() => { if (i < text.length && !sock.destroyed) sock.write(text[i++]!); else clearInterval(t); }, 1_000);
      sock.on('close', () => clearInterval(t));
    });
    await new Promise<void>((r) => trickle.listen(0, '127.0.0.1', r));
    try {
      const started = Date.now();
      const err = await guardedRequest(`http://127.0.0.1:${(trickle.address() as AddressInfo).port}/`, { method: 'POST', body: 'x', deadlineMs: 1_500, maxBodyBytes: 1024 }, open).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GuardedRequestTimeoutError);
      expect((err as GuardedRequestTimeoutError).code).toBe('TIMEOUT');
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      sockets.forEach((s) => s.destroy());
      await new Promise<void>((r) => trickle.close(() => r()));
    }
  });

  it('the caller\'s signal, with no deadline: aborting mid-body rejects with its reason (nothing partial is answered)', async () => {
    const signal = AbortSignal.timeout(400);
    const started = Date.now();
    const err = await guardedRequest(`${base}/slow-body`, { maxBodyBytes: 4096, signal }, open).catch((e: unknown) => e);
    expect((err as Error).name).toBe('TimeoutError');
    expect(err).toBe(signal.reason);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('the caller\'s signal beside a deadline: whichever fires first decides', async () => {
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    setTimeout(() => controller.abort(reason), 200);
    await expect(guardedRequest(`${base}/slow-body`, { deadlineMs: 5_000, maxBodyBytes: 4096, signal: controller.signal }, open)).rejects.toBe(reason);
    // the deadline first: the body read so far, timedOut, as without a signal
    const res = await guardedRequest(`${base}/slow-body`, { deadlineMs: 300, maxBodyBytes: 4096, signal: new AbortController().signal }, open);
    expect(res).toMatchObject({ status: 200, timedOut: true });
    // an already aborted signal: no request at all
    const before = hits.length;
    await expect(guardedRequest(`${base}/x`, { maxBodyBytes: 10, signal: AbortSignal.abort(reason) }, open)).rejects.toBe(reason);
    expect(hits.length).toBe(before);
  });

  it('a connection refused rejects with the connection error (its code kept)', async () => {
    const spare = createServer();
    await new Promise<void>((r) => spare.listen(0, '127.0.0.1', r));
    const p = (spare.address() as AddressInfo).port;
    await new Promise<void>((r) => spare.close(() => r()));
    await expect(guardedRequest(`http://127.0.0.1:${p}/`, { deadlineMs: 2_000, maxBodyBytes: 10 }, open)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('keeps the connection for the next request when the body was read whole', async () => {
    const seen = new Set<unknown>();
    const s2 = createServer((req, res) => { seen.add(req.socket.remotePort); req.resume(); req.on('end', () => res.end('ok')); });
    await new Promise<void>((r) => s2.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(s2.address() as AddressInfo).port}/`;
      for (let i = 0; i < 10; i++) expect((await guardedRequest(url, { method: 'POST', body: 'x', deadlineMs: 2_000, maxBodyBytes: 10 }, open)).body.toString()).toBe('ok');
      expect(seen.size).toBeLessThanOrEqual(2); // one, or two when the next request starts before the pool sees the first socket free
    } finally {
      s2.closeAllConnections();
      await new Promise<void>((r) => s2.close(() => r()));
    }
  });
});
