/** RELIABILITY.md's "Request and signature" catalogue, run against every scheme that signs the body. */
import { createHmac } from 'node:crypto';
import { hmacSignature, metaSignature, slackSignature, standardWebhooks, type SignatureScheme, type WebhookHeaders } from '../../src/security';
import { at } from './vectors';

const NOW = 1_700_000_000;
const BODY = '{ "a": 1, "b": [1, 2], "text": "héllo 👋" }';
const SECRET = 'catalogue-secret';
const SW_SECRET = `whsec_${Buffer.from('catalogue-key-bytes').toString('base64')}`;

interface Case {
  label: string;
  scheme: SignatureScheme;
  secret: string;
  header: string;
  prefix: string;
  encoding: 'hex' | 'base64';
  bytes: number;
  /** Signs independently of the scheme (node:crypto only); `ts` goes in as sent, even when invalid. */
  sign(body: string | Buffer, ts: string, secret?: string): WebhookHeaders;
  timestampHeader?: string;
}

const digest = (alg: string, key: string | Buffer, data: (string | Buffer)[]) => {
  const mac = createHmac(alg, key);
  for (const d of data) mac.update(d);
  return mac.digest();
};

const cases: Case[] = [
  {
    label: 'hmac sha256 hex',
    scheme: hmacSignature({ header: 'x-acme-signature', prefix: 'sha256=' }),
    secret: SECRET, header: 'x-acme-signature', prefix: 'sha256=', encoding: 'hex', bytes: 32,
    sign: (body, _ts, secret = SECRET) => ({ 'x-acme-signature': `sha256=${digest('sha256', secret, [body]).toString('hex')}` }),
  },
  {
    label: 'hmac sha512 base64 with timestamp',
    scheme: hmacSignature({ header: 'x-sig', algorithm: 'sha512', encoding: 'base64', timestampHeader: 'x-ts' }),
    secret: SECRET, header: 'x-sig', prefix: '', encoding: 'base64', bytes: 64, timestampHeader: 'x-ts',
    sign: (body, ts, secret = SECRET) => ({ 'x-ts': ts, 'x-sig': digest('sha512', secret, [`${ts}.`, body]).toString('base64') }),
  },
  {
    label: 'meta',
    scheme: metaSignature(),
    secret: SECRET, header: 'x-hub-signature-256', prefix: 'sha256=', encoding: 'hex', bytes: 32,
    sign: (body, _ts, secret = SECRET) => ({ 'x-hub-signature-256': `sha256=${digest('sha256', secret, [body]).toString('hex')}` }),
  },
  {
    label: 'slack',
    scheme: slackSignature(),
    secret: SECRET, header: 'x-slack-signature', prefix: 'v0=', encoding: 'hex', bytes: 32, timestampHeader: 'x-slack-request-timestamp',
    sign: (body, ts, secret = SECRET) => ({
      'x-slack-request-timestamp': ts,
      'x-slack-signature': `v0=${digest('sha256', secret, [`v0:${ts}:`, body]).toString('hex')}`,
    }),
  },
  {
    label: 'standard webhooks',
    scheme: standardWebhooks(),
    secret: SW_SECRET, header: 'webhook-signature', prefix: 'v1,', encoding: 'base64', bytes: 32, timestampHeader: 'webhook-timestamp',
    sign: (body, ts, secret = SW_SECRET) => ({
      'webhook-id': 'msg_1',
      'webhook-timestamp': ts,
      'webhook-signature': `v1,${digest('sha256', secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : secret, [`msg_1.${ts}.`, body]).toString('base64')}`,
    }),
  },
];

describe.each(cases)('$label', (c) => {
  const verify = (headers: WebhookHeaders, body: string | Buffer = BODY, secrets = [c.secret]) =>
    c.scheme.verify({ rawBody: Buffer.from(body), headers, secrets, now: at(NOW) });
  const valid = () => c.sign(BODY, String(NOW));
  const withSignature = (value: string | string[] | undefined) => ({ ...valid(), [c.header]: value });
  const encode = (bytes: Buffer) => bytes.toString(c.encoding);
  const goodValue = () => String(valid()[c.header]);

  it('accepts the independently signed delivery', () => {
    expect(verify(valid()).valid).toBe(true);
  });

  it.each([
    ['missing', undefined, 'missing'],
    ['empty', '', 'missing'],
    ['whitespace only', '   ', 'missing'],
  ])('signature %s → %s', (_label, value, reason) => {
    expect(verify(withSignature(value))).toMatchObject({ valid: false, reason });
  });

  it('signature header absent altogether → missing', () => {
    const headers = { ...valid() };
    delete headers[c.header];
    expect(verify(headers)).toMatchObject({ valid: false, reason: 'missing' });
  });

  it('prefix only → malformed', () => {
    if (c.prefix === '') return;
    expect(verify(withSignature(c.prefix))).toMatchObject({ valid: false, reason: 'malformed' });
  });

  it('one byte short, one byte long, truncated → malformed', () => {
    const real = Buffer.from(goodValue().slice(c.prefix.length), c.encoding);
    expect(real.length).toBe(c.bytes);
    expect(verify(withSignature(c.prefix + encode(real.subarray(1))))).toMatchObject({ valid: false, reason: 'malformed' });
    expect(verify(withSignature(c.prefix + encode(Buffer.concat([real, Buffer.from([0])]))))).toMatchObject({ valid: false, reason: 'malformed' });
    expect(verify(withSignature(goodValue().slice(0, -2)))).toMatchObject({ valid: false, reason: 'malformed' });
  });

  it('right length but not hex/base64 → malformed, no exception', () => {
    const length = goodValue().length - c.prefix.length;
    const junk = c.encoding === 'hex' ? 'g'.repeat(length) : `${'!'.repeat(length - 1)}=`;
    expect(verify(withSignature(c.prefix + junk))).toMatchObject({ valid: false, reason: 'malformed' });
    const oneBadChar = `${goodValue().slice(0, c.prefix.length + 4)}${c.encoding === 'hex' ? 'z' : '-'}${goodValue().slice(c.prefix.length + 5)}`;
    expect(verify(withSignature(oneBadChar))).toMatchObject({ valid: false, reason: 'malformed' });
  });

  it('a well-formed signature of other bytes → mismatch', () => {
    expect(verify(c.sign('{"a":2}', String(NOW)))).toMatchObject({ valid: false, reason: 'mismatch' });
    expect(verify(withSignature(c.prefix + encode(Buffer.alloc(c.bytes))))).toMatchObject({ valid: false, reason: 'mismatch' });
  });

  it('the body re-serialized (other spacing, other key order) → mismatch', () => {
    const headers = valid();
    expect(verify(headers, JSON.stringify(JSON.parse(BODY)))).toMatchObject({ valid: false, reason: 'mismatch' });
    expect(verify(headers, '{ "b": [1, 2], "a": 1, "text": "héllo 👋" }')).toMatchObject({ valid: false, reason: 'mismatch' });
  });

  it('several secrets, one right (rotation) → accepted; none right → mismatch', () => {
    const other = c.secret.startsWith('whsec_') ? `whsec_${Buffer.from('other').toString('base64')}` : 'other-secret';
    expect(verify(valid(), BODY, [other, c.secret]).valid).toBe(true);
    expect(verify(valid(), BODY, [other, 'third'])).toMatchObject({ valid: false, reason: 'mismatch' });
  });

  it('several signatures, one valid → accepted; none valid → mismatch', () => {
    const wrong = String(c.sign(BODY, String(NOW), c.secret.startsWith('whsec_') ? 'raw-other' : 'other')[c.header]);
    expect(verify(withSignature([wrong, goodValue()])).valid).toBe(true);
    expect(verify(withSignature([wrong, wrong.replace(/.$/, c.encoding === 'hex' ? 'x' : '!')]))).toMatchObject({ valid: false, reason: 'mismatch' });
  });

  if (c.timestampHeader) {
    const tsHeader = c.timestampHeader;
    it.each([
      ['too old', String(NOW - 301), 'stale'],
      ['too far ahead', String(NOW + 301), 'future'],
      ['abc', 'abc', 'malformed'],
      ['1e9', '1e9', 'malformed'],
      ['-1', '-1', 'malformed'],
      ['0x10', '0x10', 'malformed'],
      ['empty', '', 'missing'],
      ['20 digits', '12345678901234567890', 'malformed'],
      ['a fraction', `${NOW}.5`, 'malformed'],
    ])('timestamp %s (signed consistently) → %s', (_label, ts, reason) => {
      expect(verify(c.sign(BODY, ts))).toMatchObject({ valid: false, reason });
    });

    it('timestamp header absent → missing', () => {
      const headers = { ...valid() };
      delete headers[tsHeader];
      expect(verify(headers)).toMatchObject({ valid: false, reason: 'missing' });
    });
  }
});
