/** Unit tests — the gateway's HTTP hardening pieces: Node client errors as JSON, the body deadline, start-up readiness (issue 8). */
import { PassThrough } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import type { ServiceBroker } from 'moleculer';
import { clientErrorBody } from '../../src/gateway/http-server';
import { discoveryPendingMs } from '../../src/gateway/readiness';
import { readRawBody } from '../../src/gateway/webhook-body';
import { errorBody } from '../../src/gateway/error-response';

describe('clientErrorBody', () => {
  it.each([
    ['HPE_HEADER_OVERFLOW', 431, 'REQUEST_HEADER_FIELDS_TOO_LARGE'],
    ['ERR_HTTP_REQUEST_TIMEOUT', 408, 'REQUEST_TIMEOUT'],
    ['HPE_INVALID_METHOD', 400, 'BAD_REQUEST'],
    [undefined, 400, 'BAD_REQUEST'],
  ])('%s → %i %s', (code, status, error) => {
    expect(clientErrorBody({ code })).toEqual({ error, code: status, message: expect.any(String) });
  });
  it('names only parser codes, never free text', () => {
    expect(clientErrorBody({ code: '<script>' }).message).toBe('malformed HTTP request');
  });
});

describe('readRawBody deadline', () => {
  it('a body still incomplete at the deadline → 408 REQUEST_TIMEOUT', async () => {
    const req = new PassThrough() as unknown as IncomingMessage & PassThrough;
    Object.assign(req, { headers: {} });
    const pending = readRawBody(req, 1024, 200);
    req.write('{"a":');
    await expect(pending).rejects.toMatchObject({ code: 408, type: 'REQUEST_TIMEOUT', data: { timeoutMs: 200 } });
    expect(errorBody(await pending.catch((e: unknown) => e))).toEqual({ error: 'REQUEST_TIMEOUT', code: 408, message: expect.stringContaining('200 ms') });
  });
  it('a body complete in time is read whole', async () => {
    const req = new PassThrough() as unknown as IncomingMessage & PassThrough;
    Object.assign(req, { headers: {} });
    const pending = readRawBody(req, 1024, 1_000);
    req.end('{"a":1}');
    expect((await pending).toString()).toBe('{"a":1}');
  });
});

describe('discoveryPendingMs', () => {
  const broker = (o: Record<string, unknown>) => o as unknown as ServiceBroker;
  it('not started → pending; started without a transporter → 0', () => {
    expect(discoveryPendingMs(broker({ started: false }), 0)).toBeGreaterThan(0);
    expect(discoveryPendingMs(broker({ started: true }), 10_000)).toBe(0);
  });
  it('with a transporter: pending while disconnected, and for the grace after joining', () => {
    expect(discoveryPendingMs(broker({ started: true, transit: { connected: false } }), 0)).toBeGreaterThan(0);
    const b = broker({ started: true, transit: { connected: true } });
    expect(discoveryPendingMs(b, 10_000)).toBeGreaterThan(9_000);
    expect(discoveryPendingMs(b, 0)).toBe(0);
  });
});
