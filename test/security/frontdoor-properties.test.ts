/**
 * fast-check properties of the front-door schemes: Svix header names, `v1a` Ed25519 (and a `whpk_` key never
 * taken as an HMAC key), the official library's unprefixed-secret rule, `ed25519Signature` (cross-checked with
 * discord-interactions' `verifyKey`), `twilioSignature` (Twilio's published vector) and `noSignature`.
 */
import { createHmac, generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { verifyKey } from 'discord-interactions';
import { Webhook } from 'standardwebhooks';
import {
  ed25519PrivateKey, ed25519RawPublicKey, ed25519Signature, noSignature, standardWebhooks, standardWebhooksKey,
  twilioSignature, twilioSignedText, type SignatureScheme, type WebhookHeaders,
} from '../../src/security';

const NOW = 1_700_000_000;
const RUNS = { numRuns: 100 };
const sw = standardWebhooks();
const body = fc.uint8Array({ maxLength: 256 }).map((b) => Buffer.from(b));
const timestamp = fc.integer({ min: NOW - 300, max: NOW + 300 });
const id = fc.stringMatching(/^[!-~]{1,40}$/);
const whsec = fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => `whsec_${Buffer.from(b).toString('base64')}`);
const seed = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b));

/** A `whsk_`/`whpk_` pair from a seed (node:crypto underneath). */
function keyPair(s: Buffer): { whsk: string; whpk: string; publicRaw: Buffer } {
  const publicRaw = ed25519RawPublicKey(ed25519PrivateKey(s)!);
  return { whsk: `whsk_${s.toString('base64')}`, whpk: `whpk_${publicRaw.toString('base64')}`, publicRaw };
}

const toSvix = (h: Record<string, string>): WebhookHeaders => ({
  'svix-id': h['webhook-id'], 'svix-timestamp': h['webhook-timestamp'], 'svix-signature': h['webhook-signature'],
});

describe('standardWebhooks — svix-* header names', () => {
  it('a delivery signed under the svix-* names verifies like the webhook-* one, with the same event id', () => {
    fc.assert(fc.property(body, whsec, timestamp, id, (b, secret, ts, msgId) => {
      const h = sw.sign({ rawBody: b, secret, timestamp: ts, id: msgId });
      expect(sw.verify({ rawBody: b, headers: toSvix(h), secrets: [secret], now: NOW * 1000 })).toEqual({ valid: true, timestamp: ts, eventId: msgId });
    }), RUNS);
  });

  it('one byte of the body changed under svix-* names fails; mixing the two families never verifies', () => {
    fc.assert(fc.property(body.filter((b) => b.length > 0), whsec, timestamp, id, fc.nat(), (b, secret, ts, msgId, at) => {
      const h = sw.sign({ rawBody: b, secret, timestamp: ts, id: msgId });
      const changed = Buffer.from(b);
      changed[at % changed.length] ^= 1;
      expect(sw.verify({ rawBody: changed, headers: toSvix(h), secrets: [secret], now: NOW * 1000 }).valid).toBe(false);
      const mixed = { 'webhook-id': msgId, 'svix-timestamp': String(ts), 'svix-signature': h['webhook-signature'] };
      expect(sw.verify({ rawBody: b, headers: mixed, secrets: [secret], now: NOW * 1000 }).valid).toBe(false);
    }), RUNS);
  });

  it('says which names it looked for when none was sent', () => {
    expect(sw.verify({ rawBody: Buffer.from('{}'), headers: {}, secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'] }))
      .toMatchObject({ valid: false, reason: 'missing', message: expect.stringContaining('svix-id') });
  });
});

describe('standardWebhooks — v1a (Ed25519) with whpk_ keys', () => {
  it('verify(sign) holds for any body and key, among other keys and secrets; the event id is kept', () => {
    fc.assert(fc.property(body, seed, seed, whsec, timestamp, id, (b, s1, s2, other, ts, msgId) => {
      const mine = keyPair(s1);
      const h = sw.sign({ rawBody: b, secret: mine.whsk, timestamp: ts, id: msgId });
      expect(h['webhook-signature'].startsWith('v1a,')).toBe(true);
      const result = sw.verify({ rawBody: b, headers: h, secrets: [keyPair(s2).whpk, other, mine.whpk], now: NOW * 1000 });
      expect(result).toEqual({ valid: true, timestamp: ts, eventId: msgId });
    }), RUNS);
  });

  it('any one-byte change of body or signature fails; another public key fails', () => {
    fc.assert(fc.property(body.filter((b) => b.length > 0), seed, seed, fc.nat(), fc.integer({ min: 1, max: 255 }), (b, s1, s2, at, delta) => {
      fc.pre(!s1.equals(s2));
      const mine = keyPair(s1);
      const h = sw.sign({ rawBody: b, secret: mine.whsk, timestamp: NOW, id: 'msg_1' });
      const changed = Buffer.from(b);
      changed[at % changed.length] ^= delta;
      expect(sw.verify({ rawBody: changed, headers: h, secrets: [mine.whpk], now: NOW * 1000 })).toMatchObject({ valid: false, reason: 'mismatch' });
      const sig = Buffer.from(h['webhook-signature'].slice(4), 'base64');
      sig[at % sig.length] ^= delta;
      expect(sw.verify({ rawBody: b, headers: { ...h, 'webhook-signature': `v1a,${sig.toString('base64')}` }, secrets: [mine.whpk], now: NOW * 1000 }).valid).toBe(false);
      expect(sw.verify({ rawBody: b, headers: h, secrets: [keyPair(s2).whpk], now: NOW * 1000 })).toMatchObject({ valid: false, reason: 'mismatch' });
    }), RUNS);
  });

  it('a whpk_ key is never an HMAC key: v1 signatures keyed with it in any reading are refused (anyone knows a public key)', () => {
    fc.assert(fc.property(body, seed, timestamp, id, (b, s, ts, msgId) => {
      const { whpk, publicRaw } = keyPair(s);
      const content = Buffer.concat([Buffer.from(`${msgId}.${ts}.`), b]);
      const readings = [Buffer.from(whpk, 'utf8'), publicRaw, Buffer.from(whpk.slice(5), 'utf8'), Buffer.from(whpk.replace('whpk_', ''), 'base64')];
      const forged = readings.map((key) => `v1,${createHmac('sha256', key).update(content).digest('base64')}`).join(' ');
      const result = sw.verify({ rawBody: b, headers: { 'webhook-id': msgId, 'webhook-timestamp': String(ts), 'webhook-signature': forged }, secrets: [whpk], now: NOW * 1000 });
      expect(result).toMatchObject({ valid: false, reason: 'mismatch' });
      expect(standardWebhooksKey(whpk)).toBeUndefined();
    }), RUNS);
  });

  it('a whpk_ key cannot sign, and a v1a signature never verifies under an HMAC secret', () => {
    const { whsk, whpk } = keyPair(Buffer.alloc(32, 7));
    expect(() => sw.sign({ rawBody: 'x', secret: whpk })).toThrow(/whsk_/);
    const h = sw.sign({ rawBody: 'x', secret: whsk, timestamp: NOW, id: 'm' });
    expect(sw.verify({ rawBody: Buffer.from('x'), headers: h, secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'], now: NOW * 1000 }).valid).toBe(false);
  });
});

describe('standardWebhooks — the unprefixed-secret rule is the official library\'s', () => {
  const officialKey = (secret: string): Buffer | undefined => {
    try {
      return Buffer.from((new Webhook(secret) as unknown as { key: Uint8Array }).key);
    } catch {
      return undefined;
    }
  };
  const candidate = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.stringMatching(/^[A-Za-z0-9+/]{0,40}={0,3}$/),
    fc.uint8Array({ minLength: 1, maxLength: 40 }).map((b) => Buffer.from(b).toString('base64')),
    fc.uint8Array({ minLength: 1, maxLength: 40 }).map((b) => `whsec_${Buffer.from(b).toString('base64')}`),
    fc.stringMatching(/^whsec_[A-Za-z0-9+/=_-]{0,20}$/),
  );

  it('standardWebhooksKey(s) is the key new Webhook(s) holds, or undefined where it throws', () => {
    fc.assert(fc.property(candidate, (secret) => {
      const ours = standardWebhooksKey(secret);
      const theirs = officialKey(secret);
      if (theirs === undefined || theirs.length === 0) expect(ours).toBeUndefined();
      else expect(ours).toEqual(theirs);
    }), { numRuns: 500 });
  });

  it('a delivery the official library signs with an unprefixed base64 secret verifies here', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 3, maxLength: 48 }), fc.string({ maxLength: 100 }), id, (raw, text, msgId) => {
      const secret = Buffer.from(raw).toString('base64');
      const ts = Math.floor(Date.now() / 1000);
      const signature = new Webhook(secret).sign(msgId, new Date(ts * 1000), text);
      const result = sw.verify({ rawBody: Buffer.from(text), headers: { 'webhook-id': msgId, 'webhook-timestamp': String(ts), 'webhook-signature': signature }, secrets: [secret] });
      expect(result.valid).toBe(true);
    }), RUNS);
  });
});

describe('ed25519Signature (Discord)', () => {
  const discord = ed25519Signature();
  const pair = (s: Buffer) => ({ privateHex: s.toString('hex'), publicHex: ed25519RawPublicKey(ed25519PrivateKey(s)!).toString('hex') });

  it('verify(sign) holds; any one-byte change of body or timestamp fails; another key fails', () => {
    fc.assert(fc.property(body.filter((b) => b.length > 0), seed, seed, timestamp, fc.nat(), (b, s1, s2, ts, at) => {
      fc.pre(!s1.equals(s2));
      const mine = pair(s1);
      const h = discord.sign({ rawBody: b, secret: mine.privateHex, timestamp: ts });
      const ok = (raw: Buffer, headers: WebhookHeaders, key = mine.publicHex) => discord.verify({ rawBody: raw, headers, secrets: [key], now: NOW * 1000 });
      expect(ok(b, h)).toEqual({ valid: true, timestamp: ts });
      const changed = Buffer.from(b);
      changed[at % changed.length] ^= 0x20;
      expect(ok(changed, h)).toMatchObject({ valid: false, reason: 'mismatch' });
      expect(ok(b, { ...h, 'x-signature-timestamp': String(ts === NOW ? NOW + 1 : NOW) })).toMatchObject({ valid: false, reason: 'mismatch' });
      expect(ok(b, h, pair(s2).publicHex)).toMatchObject({ valid: false, reason: 'mismatch' });
    }), RUNS);
  });

  it('agrees with discord-interactions\' verifyKey on keys made by node:crypto, valid and tampered', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 200 }), fc.boolean(), async (text, tamper) => {
      const { publicKey, privateKey } = generateKeyPairSync('ed25519');
      const publicHex = publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('hex');
      const seedHex = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(16).toString('hex');
      const ts = String(Math.floor(Date.now() / 1000));
      const h = discord.sign({ rawBody: text, secret: seedHex, timestamp: Number(ts) });
      const sent = tamper ? `${text}!` : text;
      const ours = discord.verify({ rawBody: Buffer.from(sent), headers: h, secrets: [publicHex] }).valid;
      const theirs = await verifyKey(Buffer.from(sent), h['x-signature-ed25519'], ts, publicHex);
      expect(ours).toBe(theirs);
      expect(ours).toBe(!tamper);
    }), { numRuns: 25 });
  });

  it('header names are options; timestampHeader: null signs the body alone', () => {
    const bodyOnly = ed25519Signature({ signatureHeader: 'x-sig', timestampHeader: null });
    const { privateHex, publicHex } = pair(Buffer.alloc(32, 3));
    const h = bodyOnly.sign({ rawBody: 'hi', secret: privateHex });
    expect(Object.keys(h)).toEqual(['x-sig']);
    expect(bodyOnly.verify({ rawBody: Buffer.from('hi'), headers: h, secrets: [publicHex] }).valid).toBe(true);
  });
});

describe('twilioSignature', () => {
  const twilio = twilioSignature();
  // Twilio's published example ("Webhooks security": auth token 12345).
  const VECTOR = {
    token: '12345',
    url: 'https://mycompany.com/myapp.php?foo=1&bar=2',
    params: { CallSid: 'CA1234567890ABCDE', Caller: '+12349013030', Digits: '1234', From: '+12349013030', To: '+18005551212' },
    signature: '0/KCTR6DLpKmkAf8muzZqo1nDgQ=',
  };
  const formOf = (pairs: Array<[string, string]>) => new URLSearchParams(pairs).toString();

  it('verifies Twilio\'s published vector, whatever the order of the form fields', () => {
    const body = formOf(Object.entries(VECTOR.params).reverse() as Array<[string, string]>);
    expect(twilio.verify({ rawBody: Buffer.from(body), headers: { 'X-Twilio-Signature': VECTOR.signature }, secrets: [VECTOR.token], url: VECTOR.url })).toEqual({ valid: true });
    expect(twilio.sign({ rawBody: body, secret: VECTOR.token, url: VECTOR.url })).toEqual({ 'x-twilio-signature': VECTOR.signature });
    expect(twilio.verify({ rawBody: Buffer.from(body), headers: { 'X-Twilio-Signature': VECTOR.signature }, secrets: [VECTOR.token], url: 'https://evil.example/myapp.php?foo=1&bar=2' }).valid).toBe(false);
    expect(twilio.verify({ rawBody: Buffer.from(body), headers: { 'X-Twilio-Signature': VECTOR.signature }, secrets: [VECTOR.token] }))
      .toMatchObject({ valid: false, message: expect.stringContaining('SWITCHBOARD_PUBLIC_URL') });
  });

  const pairs = fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ maxLength: 20 })), { maxLength: 8 });
  const url = fc.webUrl({ withQueryParameters: true });

  it('verify(sign) holds for any form and URL, under any permutation of the fields', () => {
    fc.assert(fc.property(pairs, url, fc.string({ minLength: 1, maxLength: 32 }), (p, u, token) => {
      const h = twilio.sign({ rawBody: formOf(p), secret: token, url: u });
      const shuffled = formOf([...p].reverse());
      expect(twilio.verify({ rawBody: Buffer.from(shuffled), headers: h, secrets: ['other', token], url: u }).valid).toBe(true);
    }), RUNS);
  });

  it('changing a value, adding a field or changing the URL fails', () => {
    fc.assert(fc.property(pairs.filter((p) => p.length > 0), url, fc.nat(), (p, u, at) => {
      const h = twilio.sign({ rawBody: formOf(p), secret: 'tok', url: u });
      const changed = p.map(([k, v], i) => [k, i === at % p.length ? `${v}x` : v] as [string, string]);
      const run = (raw: string, where = u) => twilio.verify({ rawBody: Buffer.from(raw), headers: h, secrets: ['tok'], url: where });
      expect(run(formOf(changed)).valid).toBe(false);
      expect(run(formOf([...p, ['Extra', '1']])).valid).toBe(false);
      expect(run(formOf(p), `${u}x`).valid).toBe(false);
    }), RUNS);
  });

  it('the signed text is the URL then name + value sorted by name', () => {
    expect(twilioSignedText('https://x/y', [['b', '2'], ['a', '1']])).toBe('https://x/ya1b2');
  });

  it('a JSON body is signed through bodySHA256 in the URL', () => {
    const raw = '{"a":1}';
    const { createHash } = require('node:crypto') as typeof import('node:crypto');
    const u = `https://h.example/w?bodySHA256=${createHash('sha256').update(raw).digest('hex')}`;
    const h = twilio.sign({ rawBody: raw, secret: 'tok', url: u });
    expect(twilio.verify({ rawBody: Buffer.from(raw), headers: h, secrets: ['tok'], url: u }).valid).toBe(true);
    expect(twilio.verify({ rawBody: Buffer.from('{"a":2}'), headers: h, secrets: ['tok'], url: u }).valid).toBe(false);
  });
});

describe('noSignature', () => {
  const none = noSignature();
  it('is valid only when the channel proved basic auth or a source allowlist', () => {
    fc.assert(fc.property(fc.anything(), fc.anything(), (h, b) => {
      expect(none.verify({ rawBody: b, headers: h, secrets: [] } as never).valid).toBe(false);
      expect(none.verify({ rawBody: b, headers: h, secrets: [], authenticatedBy: ['basicAuth'] } as never).valid).toBe(true);
      expect(none.verify({ rawBody: b, headers: h, secrets: [], authenticatedBy: ['allowedSources'] } as never).valid).toBe(true);
    }), RUNS);
    expect(none.verify({ rawBody: Buffer.alloc(0), headers: {}, secrets: [] })).toMatchObject({ message: expect.stringMatching(/basicAuth.*allowedSources/) });
    expect(none.unsigned).toBe(true);
  });
});

describe.each<[string, SignatureScheme]>([
  ['standard webhooks', sw], ['ed25519', ed25519Signature()], ['twilio', twilioSignature()], ['none', noSignature()],
])('%s — garbage never throws', (_label, scheme) => {
  it('arbitrary values in every field', () => {
    fc.assert(fc.property(fc.anything(), fc.anything(), fc.anything(), fc.anything(), fc.anything(), (rawBody, headers, secrets, now, u) => {
      expect(typeof scheme.verify({ rawBody, headers, secrets, now, url: u } as never).valid).toBe('boolean');
    }), { numRuns: 200 });
    expect(() => scheme.verify(undefined as never)).not.toThrow();
  });
});
