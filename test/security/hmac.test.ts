/** hmacSignature(): algorithms, encodings, prefix, timestamp and id headers, custom signed payloads, options. */
import { ConfigError } from '../../src/errors';
import { hmacSignature, type SignatureInput } from '../../src/security';
import { at, AWKWARD_BODIES, hmacBase64, hmacHex, HUB_SIGNATURE_VECTOR } from './vectors';

const BODY = Buffer.from('{"id":"evt_1","text":"hello"}');
const SECRET = 'acme-secret';

describe('hmacSignature — digest formats', () => {
  it('defaults to sha256 hex with no prefix', () => {
    const scheme = hmacSignature({ header: 'x-acme-signature' });
    expect(scheme.name).toBe('hmac-sha256-hex');
    expect(scheme.toleranceSeconds).toBeUndefined();
    const signature = hmacHex('sha256', SECRET, BODY);
    expect(scheme.sign({ rawBody: BODY, secret: SECRET })).toEqual({ 'x-acme-signature': signature });
    expect(scheme.verify({ rawBody: BODY, headers: { 'x-acme-signature': signature }, secrets: [SECRET] })).toEqual({ valid: true });
  });

  it('reproduces the documented GitHub x-hub-signature-256 example', () => {
    const scheme = hmacSignature({ header: 'x-hub-signature-256', prefix: 'sha256=' });
    const { secret, body, signature } = HUB_SIGNATURE_VECTOR;
    expect(scheme.sign({ rawBody: body, secret })).toEqual({ 'x-hub-signature-256': signature });
    expect(scheme.verify({ rawBody: Buffer.from(body), headers: { 'X-Hub-Signature-256': signature }, secrets: [secret] }).valid).toBe(true);
  });

  it('supports sha512 in base64 with a prefix', () => {
    const scheme = hmacSignature({ header: 'x-sig', algorithm: 'sha512', encoding: 'base64', prefix: 'sha512=' });
    const signature = `sha512=${hmacBase64('sha512', SECRET, BODY)}`;
    expect(scheme.sign({ rawBody: BODY, secret: SECRET })['x-sig']).toBe(signature);
    expect(scheme.verify({ rawBody: BODY, headers: { 'x-sig': signature }, secrets: [SECRET] }).valid).toBe(true);
    const sha256 = `sha512=${hmacBase64('sha256', SECRET, BODY)}`;
    expect(scheme.verify({ rawBody: BODY, headers: { 'x-sig': sha256 }, secrets: [SECRET] })).toMatchObject({ valid: false, reason: 'malformed' });
  });

  it('accepts upper-case hex, which decodes to the same digest', () => {
    const scheme = hmacSignature({ header: 'x-sig' });
    const upper = hmacHex('sha256', SECRET, BODY).toUpperCase();
    expect(scheme.verify({ rawBody: BODY, headers: { 'x-sig': upper }, secrets: [SECRET] }).valid).toBe(true);
  });

  it('matches the prefix exactly', () => {
    const scheme = hmacSignature({ header: 'x-sig', prefix: 'sha256=' });
    const hex = hmacHex('sha256', SECRET, BODY);
    expect(scheme.verify({ rawBody: BODY, headers: { 'x-sig': `SHA256=${hex}` }, secrets: [SECRET] })).toMatchObject({ reason: 'malformed' });
    expect(scheme.verify({ rawBody: BODY, headers: { 'x-sig': hex }, secrets: [SECRET] })).toMatchObject({ reason: 'malformed' });
  });

  it('tries every value of a repeated header and every secret', () => {
    const scheme = hmacSignature({ header: 'x-sig' });
    const good = hmacHex('sha256', 'new', BODY);
    const bad = hmacHex('sha256', 'other', BODY);
    expect(scheme.verify({ rawBody: BODY, headers: { 'x-sig': ['junk', bad, good] }, secrets: ['old', 'new'] }).valid).toBe(true);
    expect(scheme.verify({ rawBody: BODY, headers: { 'x-sig': [bad] }, secrets: ['old', 'new'] })).toMatchObject({ reason: 'mismatch' });
  });

  it('reports a missing secret list as a mismatch', () => {
    const scheme = hmacSignature({ header: 'x-sig' });
    const good = hmacHex('sha256', SECRET, BODY);
    expect(scheme.verify({ rawBody: BODY, headers: { 'x-sig': good }, secrets: [] })).toMatchObject({ reason: 'mismatch' });
    expect(scheme.verify({ rawBody: BODY, headers: { 'x-sig': good }, secrets: [''] })).toMatchObject({ reason: 'mismatch' });
  });

  it.each(Object.entries(AWKWARD_BODIES))('verifies a %s body over its exact UTF-8 bytes', (_label, text) => {
    const scheme = hmacSignature({ header: 'x-sig' });
    const bytes = Buffer.from(text, 'utf8');
    const headers = { 'x-sig': hmacHex('sha256', SECRET, bytes) };
    expect(scheme.sign({ rawBody: text, secret: SECRET })).toEqual(headers);
    expect(scheme.verify({ rawBody: bytes, headers, secrets: [SECRET] }).valid).toBe(true);
    expect(scheme.verify({ rawBody: Buffer.from(text, 'latin1'), headers, secrets: [SECRET] }).valid).toBe(bytes.equals(Buffer.from(text, 'latin1')));
  });
});

describe('hmacSignature — timestamp and id headers', () => {
  const NOW = 1_700_000_000;
  const scheme = hmacSignature({ header: 'x-sig', timestampHeader: 'x-ts', idHeader: 'x-delivery' });
  const headersAt = (ts: number | string) => ({ 'x-ts': String(ts), 'x-delivery': 'd-1', 'x-sig': hmacHex('sha256', SECRET, Buffer.concat([Buffer.from(`${ts}.`), BODY])) });

  it('signs `${timestamp}.${body}` by default and returns the timestamp and id', () => {
    expect(scheme.toleranceSeconds).toBe(300);
    expect(scheme.sign({ rawBody: BODY, secret: SECRET, timestamp: NOW, id: 'd-1' })).toEqual(headersAt(NOW));
    expect(scheme.verify({ rawBody: BODY, headers: headersAt(NOW), secrets: [SECRET], now: at(NOW) })).toEqual({ valid: true, timestamp: NOW, eventId: 'd-1' });
  });

  it('rejects a body-only signature when the timestamp is part of the signed bytes', () => {
    const headers = { ...headersAt(NOW), 'x-sig': hmacHex('sha256', SECRET, BODY) };
    expect(scheme.verify({ rawBody: BODY, headers, secrets: [SECRET], now: at(NOW) })).toMatchObject({ reason: 'mismatch' });
  });

  it('rejects a timestamp swapped after signing', () => {
    const headers = { ...headersAt(NOW), 'x-ts': String(NOW + 1) };
    expect(scheme.verify({ rawBody: BODY, headers, secrets: [SECRET], now: at(NOW) })).toMatchObject({ reason: 'mismatch' });
  });

  it('enforces the window both ways', () => {
    expect(scheme.verify({ rawBody: BODY, headers: headersAt(NOW - 301), secrets: [SECRET], now: at(NOW) })).toMatchObject({ reason: 'stale' });
    expect(scheme.verify({ rawBody: BODY, headers: headersAt(NOW + 301), secrets: [SECRET], now: at(NOW) })).toMatchObject({ reason: 'future' });
  });

  it('verifies without an id header but then supplies no eventId', () => {
    const { 'x-delivery': _omit, ...headers } = headersAt(NOW);
    expect(scheme.verify({ rawBody: BODY, headers, secrets: [SECRET], now: at(NOW) })).toEqual({ valid: true, timestamp: NOW });
  });

  it('builds the signed bytes with signedPayload', () => {
    const custom = hmacSignature({
      header: 'x-sig',
      timestampHeader: 'x-ts',
      idHeader: 'x-id',
      signedPayload: ({ body, timestamp, id }) => `${id}|${timestamp}|${body.toString('hex')}`,
    });
    const expected = hmacHex('sha256', SECRET, `e-9|${NOW}|${BODY.toString('hex')}`);
    const headers = custom.sign({ rawBody: BODY, secret: SECRET, timestamp: NOW, id: 'e-9' });
    expect(headers).toEqual({ 'x-ts': String(NOW), 'x-id': 'e-9', 'x-sig': expected });
    expect(custom.verify({ rawBody: BODY, headers, secrets: [SECRET], now: at(NOW) }).valid).toBe(true);
    expect(custom.verify({ rawBody: BODY, headers: { ...headers, 'x-id': 'e-10' }, secrets: [SECRET], now: at(NOW) })).toMatchObject({ reason: 'mismatch' });
  });

  it('turns a signedPayload that throws or returns junk into malformed, never an exception', () => {
    const good: SignatureInput = { rawBody: BODY, headers: { 'x-sig': hmacHex('sha256', SECRET, BODY) }, secrets: [SECRET] };
    const throwing = hmacSignature({ header: 'x-sig', signedPayload: () => { throw new Error('boom'); } });
    const junk = hmacSignature({ header: 'x-sig', signedPayload: () => 42 as unknown as string });
    expect(throwing.verify(good)).toMatchObject({ valid: false, reason: 'malformed' });
    expect(junk.verify(good)).toMatchObject({ valid: false, reason: 'malformed' });
    expect(() => throwing.sign({ rawBody: BODY, secret: SECRET })).toThrow(ConfigError);
  });
});

describe('hmacSignature — options', () => {
  it.each([
    [{}, 'header'],
    [{ header: '' }, 'header'],
    [{ header: 'bad header' }, 'header'],
    [{ header: 'x', algorithm: 'md5' }, 'algorithm'],
    [{ header: 'x', encoding: 'base64url' }, 'encoding'],
    [{ header: 'x', prefix: 1 }, 'prefix'],
    [{ header: 'x', timestampHeader: 'x y' }, 'timestampHeader'],
    [{ header: 'x', toleranceSeconds: 60 }, 'toleranceSeconds'],
    [{ header: 'x', timestampHeader: 't', toleranceSeconds: -5 }, 'toleranceSeconds'],
    [{ header: 'x', signedPayload: 'body' }, 'signedPayload'],
  ])('rejects %j naming %s', (options, option) => {
    let thrown: unknown;
    try {
      hmacSignature(options as never);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).data).toMatchObject({ option });
  });

  it('takes a custom name', () => {
    expect(hmacSignature({ header: 'x', name: 'acme' }).name).toBe('acme');
  });

  it('refuses to sign without a secret or with a non-byte body', () => {
    const scheme = hmacSignature({ header: 'x' });
    expect(() => scheme.sign({ rawBody: BODY, secret: '' })).toThrow(ConfigError);
    expect(() => scheme.sign({ rawBody: { a: 1 } as unknown as string, secret: SECRET })).toThrow(ConfigError);
  });
});
