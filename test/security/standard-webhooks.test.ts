/** standardWebhooks(): the spec vector, secrets, several signatures, headers, timestamps, bodies. */
import { ConfigError } from '../../src/errors';
import { standardWebhooks, standardWebhooksKey, type SignatureInput } from '../../src/security';
import { at, AWKWARD_BODIES, hmacBase64, STANDARD_WEBHOOKS_VECTOR as V } from './vectors';

const scheme = standardWebhooks();
const KEY = Buffer.from(V.secret.slice('whsec_'.length), 'base64');

function input(overrides: Partial<SignatureInput> & { header?: Record<string, string | string[] | undefined> } = {}): SignatureInput {
  return {
    rawBody: Buffer.from(V.body),
    headers: { 'webhook-id': V.id, 'webhook-timestamp': V.timestamp, 'webhook-signature': V.signature, ...overrides.header },
    secrets: [V.secret],
    now: at(V.timestamp),
    ...overrides,
  };
}

describe('standardWebhooks — the published vector', () => {
  it('verifies the spec example and supplies the id and timestamp', () => {
    expect(scheme.verify(input())).toEqual({ valid: true, timestamp: Number(V.timestamp), eventId: V.id });
  });

  it('signs the spec example to the exact published signature', () => {
    expect(scheme.sign({ rawBody: V.body, secret: V.secret, id: V.id, timestamp: Number(V.timestamp) })).toEqual({
      'webhook-id': V.id,
      'webhook-timestamp': V.timestamp,
      'webhook-signature': V.signature,
    });
  });

  it('has the spec tolerance and a stable name', () => {
    expect(scheme.toleranceSeconds).toBe(300);
    expect(scheme.name).toBe('standard-webhooks');
  });
});

describe('standardWebhooks — secrets', () => {
  it('decodes whsec_ secrets as base64', () => {
    expect(standardWebhooksKey(V.secret)).toEqual(KEY);
  });

  it('reads a secret without the prefix as base64, as the official library does; one it would refuse verifies nothing', () => {
    const secret = V.secret.slice('whsec_'.length);
    expect(standardWebhooksKey(secret)).toEqual(KEY);
    expect(scheme.verify(input({ secrets: [secret] })).valid).toBe(true);
    expect(scheme.sign({ rawBody: V.body, secret, id: V.id, timestamp: Number(V.timestamp) })['webhook-signature']).toBe(V.signature);
    const raw = 'plain-secret-ü';
    const signature = `v1,${hmacBase64('sha256', Buffer.from(raw, 'utf8'), `${V.id}.${V.timestamp}.${V.body}`)}`;
    expect(scheme.verify(input({ secrets: [raw], header: { 'webhook-signature': signature } }))).toMatchObject({ valid: false, reason: 'mismatch', message: expect.stringContaining('whsec_') });
    expect(() => scheme.sign({ rawBody: V.body, secret: raw })).toThrow(ConfigError);
  });

  it('accepts any of several active secrets (rotation) and rejects when none signed', () => {
    expect(scheme.verify(input({ secrets: ['whsec_b2xkLXNlY3JldA==', V.secret] })).valid).toBe(true);
    expect(scheme.verify(input({ secrets: ['whsec_b2xkLXNlY3JldA==', 'other'] }))).toMatchObject({ valid: false, reason: 'mismatch' });
  });

  it('skips unusable secrets instead of throwing', () => {
    expect(scheme.verify(input({ secrets: ['', 'whsec_!!!', 'whsec_', 42 as unknown as string, V.secret] })).valid).toBe(true);
    expect(scheme.verify(input({ secrets: [] }))).toMatchObject({ valid: false, reason: 'mismatch' });
    expect(scheme.verify(input({ secrets: ['whsec_!!!'] }))).toMatchObject({ valid: false, reason: 'mismatch' });
    expect(scheme.verify(input({ secrets: undefined as unknown as string[] }))).toMatchObject({ valid: false, reason: 'mismatch' });
  });

  it('refuses to sign with an unusable secret', () => {
    expect(() => scheme.sign({ rawBody: 'x', secret: 'whsec_!!!' })).toThrow(ConfigError);
    expect(() => scheme.sign({ rawBody: 'x', secret: '' })).toThrow(ConfigError);
  });
});

describe('standardWebhooks — the signature list', () => {
  const other = `v1,${hmacBase64('sha256', 'not-the-key', 'x')}`;

  it('accepts a space-separated list in which one v1 signature is valid', () => {
    expect(scheme.verify(input({ header: { 'webhook-signature': `${other} ${V.signature}` } })).valid).toBe(true);
    expect(scheme.verify(input({ header: { 'webhook-signature': `v1a,${'A'.repeat(86)}== ${V.signature}` } })).valid).toBe(true);
    expect(scheme.verify(input({ header: { 'webhook-signature': `v2,junk   ${V.signature}  ` } })).valid).toBe(true);
  });

  it('accepts the list split over repeated headers, and Node-style comma-joined repeats', () => {
    expect(scheme.verify(input({ header: { 'webhook-signature': [other, V.signature] } })).valid).toBe(true);
    expect(scheme.verify(input({ header: { 'webhook-signature': `${other}, ${V.signature}` } })).valid).toBe(true);
  });

  it('rejects a list in which no signature matches', () => {
    expect(scheme.verify(input({ header: { 'webhook-signature': `${other} ${other}` } }))).toMatchObject({ valid: false, reason: 'mismatch' });
  });

  it('does not accept the valid digest under another version', () => {
    const digest = V.signature.slice(3);
    expect(scheme.verify(input({ header: { 'webhook-signature': `v2,${digest}` } }))).toMatchObject({ valid: false, reason: 'malformed' });
    expect(scheme.verify(input({ header: { 'webhook-signature': digest } }))).toMatchObject({ valid: false, reason: 'malformed' });
  });

  it('reads header names in any case', () => {
    const headers = { 'Webhook-Id': V.id, 'WEBHOOK-TIMESTAMP': V.timestamp, 'WebHook-Signature': V.signature };
    expect(scheme.verify({ ...input(), headers }).valid).toBe(true);
  });
});

describe('standardWebhooks — ids and timestamps', () => {
  it.each([
    ['webhook-id', undefined, 'missing'],
    ['webhook-id', '', 'missing'],
    ['webhook-id', ['a', 'b'], 'malformed'],
    ['webhook-timestamp', undefined, 'missing'],
    ['webhook-timestamp', '', 'missing'],
    ['webhook-timestamp', ['1614265330', '1614265331'], 'malformed'],
  ])('%s = %j → %s', (name, value, reason) => {
    expect(scheme.verify(input({ header: { [name]: value } }))).toMatchObject({ valid: false, reason });
  });

  it('accepts a repeated header whose values agree', () => {
    expect(scheme.verify(input({ header: { 'webhook-id': [V.id, V.id] } })).valid).toBe(true);
  });

  it('rejects a valid signature outside the window both ways, inside it accepts', () => {
    const ts = Number(V.timestamp);
    expect(scheme.verify(input({ now: at(ts + 301) }))).toMatchObject({ valid: false, reason: 'stale' });
    expect(scheme.verify(input({ now: at(ts - 301) }))).toMatchObject({ valid: false, reason: 'future' });
    expect(scheme.verify(input({ now: at(ts + 300) })).valid).toBe(true);
    expect(scheme.verify(input({ now: at(ts - 300) })).valid).toBe(true);
  });

  it('reports a forged stale delivery as a mismatch, not as stale', () => {
    const forged = `v1,${hmacBase64('sha256', 'attacker', 'x')}`;
    expect(scheme.verify(input({ now: at(Number(V.timestamp) + 10_000), header: { 'webhook-signature': forged } }))).toMatchObject({ reason: 'mismatch' });
  });

  it('honours toleranceSeconds and rejects a bad one', () => {
    const strict = standardWebhooks({ toleranceSeconds: 10 });
    expect(strict.toleranceSeconds).toBe(10);
    expect(strict.verify(input({ now: at(Number(V.timestamp) + 11) }))).toMatchObject({ reason: 'stale' });
    expect(strict.verify(input({ now: at(Number(V.timestamp) + 10) })).valid).toBe(true);
    expect(() => standardWebhooks({ toleranceSeconds: -1 })).toThrow(ConfigError);
    expect(() => standardWebhooks({ toleranceSeconds: Number.NaN })).toThrow(ConfigError);
  });

  it('signs with the current time and a fresh msg_ id by default', () => {
    const before = Math.floor(Date.now() / 1000);
    const a = scheme.sign({ rawBody: 'x', secret: V.secret });
    const b = scheme.sign({ rawBody: 'x', secret: V.secret });
    expect(Number(a['webhook-timestamp'])).toBeGreaterThanOrEqual(before);
    expect(a['webhook-id']).toMatch(/^msg_[0-9a-f-]{36}$/);
    expect(a['webhook-id']).not.toBe(b['webhook-id']);
    expect(scheme.verify({ rawBody: Buffer.from('x'), headers: a, secrets: [V.secret] }).valid).toBe(true);
  });

  it('refuses to sign with an id the header could not carry, or a bad timestamp', () => {
    expect(() => scheme.sign({ rawBody: 'x', secret: V.secret, id: 'a b' })).toThrow(ConfigError);
    expect(() => scheme.sign({ rawBody: 'x', secret: V.secret, id: '' })).toThrow(ConfigError);
    expect(() => scheme.sign({ rawBody: 'x', secret: V.secret, timestamp: 1.5 })).toThrow(ConfigError);
    expect(() => scheme.sign({ rawBody: 'x', secret: V.secret, timestamp: -1 })).toThrow(ConfigError);
  });
});

describe('standardWebhooks — bodies', () => {
  it('rejects the same JSON re-serialized (other spacing)', () => {
    const reserialized = JSON.stringify(JSON.parse(V.body));
    expect(reserialized).not.toBe(V.body);
    expect(scheme.verify(input({ rawBody: Buffer.from(reserialized) }))).toMatchObject({ valid: false, reason: 'mismatch' });
  });

  it.each(Object.entries(AWKWARD_BODIES))('verifies a %s body over its exact bytes', (_label, text) => {
    const bytes = Buffer.from(text, 'utf8');
    const expected = `v1,${hmacBase64('sha256', KEY, Buffer.concat([Buffer.from(`${V.id}.${V.timestamp}.`), bytes]))}`;
    const headers = scheme.sign({ rawBody: text, secret: V.secret, id: V.id, timestamp: Number(V.timestamp) });
    expect(headers['webhook-signature']).toBe(expected);
    expect(scheme.verify({ rawBody: bytes, headers, secrets: [V.secret], now: at(V.timestamp) }).valid).toBe(true);
    expect(scheme.verify({ rawBody: Buffer.concat([bytes, Buffer.from(' ')]), headers, secrets: [V.secret], now: at(V.timestamp) }).valid).toBe(false);
  });

  it('accepts a Uint8Array or string body and rejects anything else without throwing', () => {
    expect(scheme.verify(input({ rawBody: new Uint8Array(Buffer.from(V.body)) as Buffer })).valid).toBe(true);
    expect(scheme.verify(input({ rawBody: V.body as unknown as Buffer })).valid).toBe(true);
    expect(scheme.verify(input({ rawBody: JSON.parse(V.body) as Buffer }))).toMatchObject({ valid: false, reason: 'malformed' });
    expect(scheme.verify(input({ rawBody: undefined as unknown as Buffer }))).toMatchObject({ valid: false, reason: 'malformed' });
  });
});
