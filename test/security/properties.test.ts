/** fast-check properties for every scheme: verify(sign(b)) holds, any one-byte change fails, odd input never throws. */
import fc from 'fast-check';
import {
  hmacSignature, metaSignature, slackSignature, standardWebhooks, standardWebhooksKey, telegramSecretToken,
  type SignatureScheme, type VerifyResult, type WebhookHeaders,
} from '../../src/security';

const NOW = 1_700_000_000;
const RUNS = { numRuns: 150 };

interface Subject {
  label: string;
  scheme: SignatureScheme;
  secret: fc.Arbitrary<string>;
  header: string;
  prefix: string;
  encoding: 'hex' | 'base64' | 'token';
  signsBody: boolean;
  timestampHeader?: string;
  idHeader?: string;
}

const anySecret = fc.string({ minLength: 1, maxLength: 64, unit: 'binary' });
const whsec = fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => `whsec_${Buffer.from(b).toString('base64')}`);
// An unprefixed secret is base64 too, as the official library reads it (test/security/frontdoor-properties.test.ts).
const rawSw = fc.uint8Array({ minLength: 3, maxLength: 64 }).map((b) => Buffer.from(b).toString('base64'));

const subjects: Subject[] = [
  { label: 'hmac sha256 hex', scheme: hmacSignature({ header: 'x-sig', prefix: 'sha256=' }), secret: anySecret, header: 'x-sig', prefix: 'sha256=', encoding: 'hex', signsBody: true },
  {
    label: 'hmac sha512 base64 + timestamp + id',
    scheme: hmacSignature({ header: 'x-sig', algorithm: 'sha512', encoding: 'base64', timestampHeader: 'x-ts', idHeader: 'x-id' }),
    secret: anySecret, header: 'x-sig', prefix: '', encoding: 'base64', signsBody: true, timestampHeader: 'x-ts', idHeader: 'x-id',
  },
  { label: 'meta', scheme: metaSignature(), secret: anySecret, header: 'x-hub-signature-256', prefix: 'sha256=', encoding: 'hex', signsBody: true },
  { label: 'slack', scheme: slackSignature(), secret: anySecret, header: 'x-slack-signature', prefix: 'v0=', encoding: 'hex', signsBody: true, timestampHeader: 'x-slack-request-timestamp' },
  {
    label: 'standard webhooks', scheme: standardWebhooks(), secret: fc.oneof(whsec, rawSw), header: 'webhook-signature', prefix: 'v1,', encoding: 'base64',
    signsBody: true, timestampHeader: 'webhook-timestamp', idHeader: 'webhook-id',
  },
  { label: 'telegram', scheme: telegramSecretToken(), secret: fc.stringMatching(/^[A-Za-z0-9_-]{1,256}$/), header: 'x-telegram-bot-api-secret-token', prefix: '', encoding: 'token', signsBody: false },
];

const body = fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b));
const timestamp = fc.integer({ min: NOW - 300, max: NOW + 300 });
const id = fc.stringMatching(/^[!-~]{1,40}$/);

const KNOWN_HEADERS = [
  'x-sig', 'x-ts', 'x-id', 'x-hub-signature-256', 'x-slack-signature', 'x-slack-request-timestamp',
  'webhook-id', 'webhook-timestamp', 'webhook-signature', 'x-telegram-bot-api-secret-token',
];
const headerName = fc.oneof(
  fc.constantFrom(...KNOWN_HEADERS).chain((name) => fc.array(fc.boolean(), { minLength: name.length, maxLength: name.length })
    .map((upper) => [...name].map((ch, i) => (upper[i] ? ch.toUpperCase() : ch)).join(''))),
  fc.string({ maxLength: 30 }),
);
const headerString = fc.oneof(
  fc.string({ maxLength: 200, unit: 'binary' }),
  fc.tuple(fc.constantFrom('sha256=', 'v0=', 'v1,', 'v1,v1,', ' v1,', 'sha512='), fc.string({ maxLength: 120 })).map(([p, s]) => p + s),
  fc.stringMatching(/^[0-9a-fA-F]{0,140}$/),
  fc.stringMatching(/^[A-Za-z0-9+/=]{0,100}$/),
  fc.stringMatching(/^-?\d{0,22}(e\d)?$/),
);
const headerValue = fc.oneof(headerString, fc.array(headerString, { maxLength: 4 }), fc.constant(undefined), fc.anything());
const headers = fc.dictionary(headerName, headerValue, { maxKeys: 12 }) as fc.Arbitrary<WebhookHeaders>;

const REASONS = ['missing', 'malformed', 'mismatch', 'stale', 'future'];
function expectRejected(result: VerifyResult): void {
  expect(result.valid).toBe(false);
  if (!result.valid) {
    expect(REASONS).toContain(result.reason);
    expect(typeof result.message).toBe('string');
    expect(result.message.length).toBeGreaterThan(0);
  }
}

describe.each(subjects)('$label', (s) => {
  const signed = fc.record({ body, secret: s.secret, timestamp, id });
  const sign = (p: { body: Buffer; secret: string; timestamp: number; id: string }) =>
    s.scheme.sign({ rawBody: p.body, secret: p.secret, timestamp: p.timestamp, id: p.id });
  const verify = (rawBody: Buffer, h: WebhookHeaders, secrets: string[]) => s.scheme.verify({ rawBody, headers: h, secrets, now: NOW * 1000 });

  it('verify(sign(body)) holds for arbitrary bytes and secrets, among other secrets', () => {
    fc.assert(
      fc.property(signed, fc.array(s.secret, { maxLength: 3 }), (p, others) => {
        const result = verify(p.body, sign(p), [...others, p.secret]);
        expect(result.valid).toBe(true);
        if (result.valid && s.timestampHeader) expect(result.timestamp).toBe(p.timestamp);
        if (result.valid && s.idHeader) expect(result.eventId).toBe(p.id);
      }),
      RUNS,
    );
  });

  it('a secret with other bytes fails', () => {
    fc.assert(
      fc.property(signed, s.secret, (p, other) => {
        const key = (secret: string) => (s.label === 'standard webhooks' ? standardWebhooksKey(secret) : Buffer.from(secret));
        fc.pre(!key(other)!.equals(key(p.secret)!));
        expectRejected(verify(p.body, sign(p), [other]));
      }),
      RUNS,
    );
  });

  it(s.signsBody ? 'any one-byte change of the body fails' : 'the body is not signed (Telegram): changing it changes nothing', () => {
    fc.assert(
      fc.property(signed.filter((p) => p.body.length > 0), fc.nat(), fc.integer({ min: 1, max: 255 }), (p, at, delta) => {
        const headersSent = sign(p);
        const changed = Buffer.from(p.body);
        changed[at % changed.length] ^= delta;
        const result = verify(changed, headersSent, [p.secret]);
        if (s.signsBody) expect(result).toMatchObject({ valid: false, reason: 'mismatch' });
        else expect(result.valid).toBe(true);
      }),
      RUNS,
    );
  });

  if (s.signsBody) {
    it('one byte added or removed fails', () => {
      fc.assert(
        fc.property(signed, fc.integer({ min: 0, max: 255 }), (p, extra) => {
          const h = sign(p);
          expectRejected(verify(Buffer.concat([p.body, Buffer.from([extra])]), h, [p.secret]));
          if (p.body.length > 0) expectRejected(verify(p.body.subarray(0, -1), h, [p.secret]));
        }),
        RUNS,
      );
    });

    it('any one-byte change of the signature digest fails', () => {
      fc.assert(
        fc.property(signed, fc.nat(), fc.integer({ min: 1, max: 255 }), (p, at, delta) => {
          const h = sign(p);
          const digestText = h[s.header].slice(s.prefix.length);
          const bytes = Buffer.from(digestText, s.encoding as BufferEncoding);
          bytes[at % bytes.length] ^= delta;
          expect(verify(p.body, { ...h, [s.header]: s.prefix + bytes.toString(s.encoding as BufferEncoding) }, [p.secret]))
            .toMatchObject({ valid: false, reason: 'mismatch' });
        }),
        RUNS,
      );
    });
  }

  it('any one-character change of the signature header fails (hex letter case aside)', () => {
    const alphabet = fc.constantFrom(...'0123456789abcdefABCDEFxyz+/=,; -_'.split(''));
    fc.assert(
      fc.property(signed, fc.nat(), alphabet, (p, at, ch) => {
        const h = sign(p);
        const original = h[s.header];
        const i = at % original.length;
        const mutated = original.slice(0, i) + ch + original.slice(i + 1);
        fc.pre(mutated !== original);
        const caseOnly = s.encoding === 'hex' && i >= s.prefix.length && mutated.toLowerCase() === original.toLowerCase();
        const result = verify(p.body, { ...h, [s.header]: mutated }, [p.secret]);
        if (caseOnly) expect(result.valid).toBe(true);
        else expectRejected(result);
      }),
      RUNS,
    );
  });

  if (s.timestampHeader) {
    const tsHeader = s.timestampHeader;
    it('changing the signed timestamp fails, even inside the window', () => {
      fc.assert(
        fc.property(signed, timestamp, (p, other) => {
          fc.pre(other !== p.timestamp);
          expect(verify(p.body, { ...sign(p), [tsHeader]: String(other) }, [p.secret])).toMatchObject({ valid: false, reason: 'mismatch' });
        }),
        RUNS,
      );
    });
  }

  if (s.idHeader === 'webhook-id') {
    it('changing webhook-id fails', () => {
      fc.assert(
        fc.property(signed, id, (p, other) => {
          fc.pre(other !== p.id);
          expect(verify(p.body, { ...sign(p), 'webhook-id': other }, [p.secret])).toMatchObject({ valid: false, reason: 'mismatch' });
        }),
        RUNS,
      );
    });
  }

  it('arbitrary header names, strings and arrays never throw and never verify', () => {
    fc.assert(
      fc.property(headers, body, (h, b) => {
        expectRejected(verify(b, h, ['S3cr3t-token_value-0123456789']));
      }),
      { numRuns: 400 },
    );
  });

  it('arbitrary garbage in every field never throws', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), fc.anything(), (rawBody, h, secrets, now) => {
        const result = s.scheme.verify({ rawBody, headers: h, secrets, now } as never);
        expect(typeof result.valid).toBe('boolean');
      }),
      { numRuns: 200 },
    );
    expect(() => s.scheme.verify(undefined as never)).not.toThrow();
    expect(() => s.scheme.verify(null as never)).not.toThrow();
  });

  it('a headers object whose getters or keys throw is treated as having no headers', () => {
    const getter = Object.defineProperty({}, s.header, { enumerable: true, get: () => { throw new Error('boom'); } });
    const proxy = new Proxy({}, { ownKeys: () => { throw new Error('boom'); } });
    expect(verify(Buffer.from('x'), getter as WebhookHeaders, ['secret'])).toMatchObject({ valid: false, reason: 'missing' });
    expect(verify(Buffer.from('x'), proxy as WebhookHeaders, ['secret'])).toMatchObject({ valid: false, reason: 'missing' });
  });
});
