/** platformRequest against a local server: the SSRF policy of the broker's runtime, the caller's abort, readable headers, ensureOk's error. */
import type { Service } from 'moleculer';
import { PlatformError, RUNTIME_METADATA_KEY, UnsafeUrlError } from '../../../src';
import { ensureOk } from '../../../src/retry';
import { ensureAnswerOk, platformRequest } from '../../../src/platforms/shared/api';
import { startRecordingServer, type Hit, type RecordingServer } from '../../harness/recording-server';

let server: RecordingServer;
let base: string;
let hits: Hit[];

beforeAll(async () => {
  server = await startRecordingServer((req, res) => {
    if (req.url === '/hang') return; // never answers: only the caller's signal ends it
    if (req.url === '/limited') {
      res.writeHead(429, [['content-type', 'application/json'], ['retry-after', '3'], ['x-ratelimit-reset-after', '1.5'], ['x-a', '1'], ['x-a', '2']]);
      res.end('{"message":"slow down","retry_after":1.5}');
      return;
    }
    if (req.url === '/not-json') { res.writeHead(502, { 'content-type': 'text/html' }); res.end('<html>bad gateway</html>'); return; }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  ({ base, hits } = server);
});
afterAll(() => server.close());
beforeEach(() => { hits.length = 0; });

/** Just what platformRequest reads of a service: the broker's runtime metadata and the logger. */
function serviceWith(allowPrivateNetworks: boolean, warned: string[] = []): Service {
  return {
    broker: { metadata: { [RUNTIME_METADATA_KEY]: { allowPrivateNetworks } } },
    logger: { warn: (line: string) => warned.push(line) },
  } as unknown as Service;
}

describe('platformRequest', () => {
  it('refuses an internal URL unless the runtime allows private URLs; the detail goes to the log only', async () => {
    const warned: string[] = [];
    const refused = platformRequest(serviceWith(false, warned), `${base}/x`, { method: 'GET' });
    await expect(refused).rejects.toBeInstanceOf(UnsafeUrlError);
    await expect(refused).rejects.not.toThrow(/127\.0\.0\.1/);
    expect(warned).toEqual([expect.stringMatching(/^platform URL refused: .*127\.0\.0\.1/)]);
    expect(hits).toEqual([]);

    const answer = await platformRequest(serviceWith(true), `${base}/x`, { method: 'GET' });
    expect(answer).toEqual({ status: 200, ok: true, headers: expect.any(Headers), text: '{"ok":true}' });
  });

  it('sends the method, headers and body, with a user-agent unless the caller names one', async () => {
    await platformRequest(serviceWith(true), `${base}/send`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bot t' }, body: '{"a":1}' });
    await platformRequest(serviceWith(true), `${base}/send`, { method: 'PATCH', headers: { 'user-agent': 'DiscordBot (x, 1)' } });
    expect(hits).toEqual([
      expect.objectContaining({ method: 'POST', body: '{"a":1}', headers: expect.objectContaining({ 'content-type': 'application/json', authorization: 'Bot t', 'user-agent': 'switchboard-sdk' }) }),
      expect.objectContaining({ method: 'PATCH', body: '', headers: expect.objectContaining({ 'user-agent': 'DiscordBot (x, 1)' }) }),
    ]);
  });

  it('rejects with the reason of the caller signal when it aborts before the answer', async () => {
    const controller = new AbortController();
    const reason = new Error('attempt timed out');
    const pending = platformRequest(serviceWith(true), `${base}/hang`, { method: 'GET', signal: controller.signal });
    setTimeout(() => controller.abort(reason), 50);
    await expect(pending).rejects.toBe(reason);
    // already aborted: nothing is sent
    hits.length = 0;
    await expect(platformRequest(serviceWith(true), `${base}/x`, { method: 'GET', signal: controller.signal })).rejects.toBe(reason);
    expect(hits).toEqual([]);
  });

  it('answers a non-2xx status with its headers readable like a Response', async () => {
    const answer = await platformRequest(serviceWith(true), `${base}/limited`, { method: 'GET' });
    expect(answer.status).toBe(429);
    expect(answer.ok).toBe(false);
    expect(answer.headers.get('Retry-After')).toBe('3');
    expect(answer.headers.has('x-ratelimit-reset-after')).toBe(true);
    expect(answer.headers.get('x-a')).toBe('1, 2');
    expect(answer.headers.get('absent')).toBeNull();
    expect(JSON.parse(answer.text)).toEqual({ message: 'slow down', retry_after: 1.5 });
  });
});

describe('ensureAnswerOk', () => {
  /** The error ensureOk throws for the same answer as a Response. */
  async function ensureOkError(status: number, text: string, headers: Record<string, string>): Promise<unknown> {
    return ensureOk(new Response(text, { status, headers }), 'slack chat.postMessage').then(() => undefined, (err: unknown) => err);
  }

  it.each(['/limited', '/not-json'])('throws what ensureOk throws for the same answer (%s)', async (path) => {
    const answer = await platformRequest(serviceWith(true), `${base}${path}`, { method: 'POST' });
    let thrown: unknown;
    try { ensureAnswerOk(answer, 'slack chat.postMessage'); } catch (err) { thrown = err; }
    const expected = await ensureOkError(answer.status, answer.text, Object.fromEntries(answer.headers));
    expect(thrown).toBeInstanceOf(PlatformError);
    expect(expected).toBeInstanceOf(PlatformError);
    expect((thrown as PlatformError).message).toBe((expected as PlatformError).message);
    expect((thrown as PlatformError).data).toEqual((expected as PlatformError).data);
  });

  it('passes a 2xx answer', async () => {
    const answer = await platformRequest(serviceWith(true), `${base}/x`, { method: 'GET' });
    expect(() => ensureAnswerOk(answer, 'slack auth.test')).not.toThrow();
  });
});
