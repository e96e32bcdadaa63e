/**
 * Standard Webhooks (standardwebhooks.com, Svix): `webhook-id`, `webhook-timestamp`, `webhook-signature` — or the
 * same three as `svix-*` — with `v1,<base64 HMAC-SHA256>` signatures, and `v1a,<base64 Ed25519>` ones when the
 * channel holds a `whpk_` public key.
 */
import { createHmac, createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import { ConfigError } from '../errors';
import { constantTimeEqual, decodeBase64 } from './compare';
import { ed25519PrivateKey, ed25519PublicKey, ed25519Sign, ed25519Verify, ED25519_SIGNATURE_BYTES } from './ed25519';
import { hmac } from './hmac';
import { headerValuesOf, singleValue } from './headers';
import { activeSecrets, bodyBytes, clockMs, signBody, signSecret, signTimestamp, toleranceOption } from './input';
import { checkTimestamp, DEFAULT_TOLERANCE_SECONDS } from './timestamps';
import type { SignatureInput, SignatureScheme, SignParams, VerifyResult } from './types';

export const STANDARD_WEBHOOKS_HEADERS = {
  ID: 'webhook-id',
  TIMESTAMP: 'webhook-timestamp',
  SIGNATURE: 'webhook-signature',
} as const;

/** The names Svix sends (only paying Svix customers can rename them to `webhook-*`). */
export const SVIX_HEADERS = {
  ID: 'svix-id',
  TIMESTAMP: 'svix-timestamp',
  SIGNATURE: 'svix-signature',
} as const;

export interface StandardWebhooksOptions {
  /** The replay window in seconds, both ways. Default: 300 (the spec's 5 minutes). */
  toleranceSeconds?: number;
}

/** Prefix of an HMAC secret (`whsec_<base64>`). */
export const STANDARD_WEBHOOKS_SECRET_PREFIX = 'whsec_';
/** Prefix of an Ed25519 public key (`whpk_<base64 of 32 bytes>`): verifies `v1a` signatures, never an HMAC key. */
export const STANDARD_WEBHOOKS_PUBLIC_KEY_PREFIX = 'whpk_';
/** Prefix of an Ed25519 private key (`whsk_<base64>`): signs `v1a` (tests, senders); never an HMAC key. */
export const STANDARD_WEBHOOKS_PRIVATE_KEY_PREFIX = 'whsk_';

const SIGNATURE_BYTES = 32;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The value of each base64 alphabet character by char code; -1 for anything else. */
const ALPHABET_VALUE = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  return table;
})();

/**
 * Base64 as the official library's decoder (@stablelib/base64) reads it, quirks included: at least 4
 * characters, at most 2 trailing `=`, every other character from the standard alphabet, unused bits ignored —
 * and, when the unpadded length is 4n+1, the last character is never read. Undefined where that decoder throws.
 */
function libraryBase64(text: string): Buffer | undefined {
  let padding = 0;
  while (padding < text.length && text.charCodeAt(text.length - 1 - padding) === 61 /* = */) padding++;
  if (text.length < 4 || padding > 2) return undefined;
  const length = text.length - padding;
  // Characters past the unpadded length (the padding) read as -1, as `indexOf` of a missing character did.
  const at = (i: number): number => {
    const code = i < text.length ? text.charCodeAt(i) : -1;
    return code >= 0 && code < 128 ? ALPHABET_VALUE[code] : -1;
  };
  const bytes = Buffer.alloc(Math.ceil(length / 4) * 3);
  let n = 0;
  let i = 0;
  let bad = false;
  for (; i < length - 4; i += 4) {
    const a = at(i), b = at(i + 1), c = at(i + 2), d = at(i + 3);
    if (a < 0 || b < 0 || c < 0 || d < 0) bad = true;
    bytes[n++] = ((a << 2) | (b >>> 4)) & 255;
    bytes[n++] = ((b << 4) | (c >>> 2)) & 255;
    bytes[n++] = ((c << 6) | d) & 255;
  }
  const a = at(i), b = at(i + 1), c = at(i + 2), d = at(i + 3);
  if (i < length - 1) { if (a < 0 || b < 0) bad = true; bytes[n++] = ((a << 2) | (b >>> 4)) & 255; }
  if (i < length - 2) { if (c < 0) bad = true; bytes[n++] = ((b << 4) | (c >>> 2)) & 255; }
  if (i < length - 3) { if (d < 0) bad = true; bytes[n++] = ((c << 6) | d) & 255; }
  return bad || n === 0 ? undefined : bytes.subarray(0, n);
}

/**
 * The HMAC key of a Standard Webhooks secret, read as the official `standardwebhooks` library reads it:
 * the `whsec_` prefix is dropped if present and the rest base64-decoded — so an unprefixed secret is base64
 * too, never raw bytes. Undefined (the secret cannot verify anything) for text that library would refuse
 * (not base64, shorter than 4 characters) and for `whpk_`/`whsk_` keys, which are never HMAC keys.
 */
export function standardWebhooksKey(secret: string): Buffer | undefined {
  if (typeof secret !== 'string') return undefined;
  if (secret.startsWith(STANDARD_WEBHOOKS_PUBLIC_KEY_PREFIX) || secret.startsWith(STANDARD_WEBHOOKS_PRIVATE_KEY_PREFIX)) return undefined;
  return libraryBase64(secret.startsWith(STANDARD_WEBHOOKS_SECRET_PREFIX) ? secret.slice(STANDARD_WEBHOOKS_SECRET_PREFIX.length) : secret);
}

/** The Ed25519 public key of a `whpk_<base64>` secret; undefined for any other string. */
export function standardWebhooksPublicKey(secret: string): KeyObject | undefined {
  if (typeof secret !== 'string' || !secret.startsWith(STANDARD_WEBHOOKS_PUBLIC_KEY_PREFIX)) return undefined;
  return ed25519PublicKey(decodeBase64(secret.slice(STANDARD_WEBHOOKS_PUBLIC_KEY_PREFIX.length)));
}

function signedContent(id: string, timestamp: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), body]);
}

interface SentSignatures {
  found: number;
  /** `v1,` HMAC-SHA256 digests (32 bytes). */
  v1: Buffer[];
  /** `v1a,` Ed25519 signatures (64 bytes). */
  v1a: Buffer[];
}

/** The signatures in the header values: space-separated `v1,<base64>` and `v1a,<base64>`; other versions and junk are skipped. */
function parseSignatures(values: string[]): SentSignatures {
  const out: SentSignatures = { found: 0, v1: [], v1a: [] };
  for (const value of values) {
    for (const token of value.split(/\s+/)) {
      if (token === '') continue;
      out.found += 1;
      const comma = token.indexOf(',');
      if (comma < 0) continue;
      const version = token.slice(0, comma);
      if (version !== 'v1' && version !== 'v1a') continue;
      const bytes = decodeBase64(token.endsWith(',') ? token.slice(comma + 1, -1) : token.slice(comma + 1));
      if (version === 'v1' && bytes?.length === SIGNATURE_BYTES) out.v1.push(bytes);
      if (version === 'v1a' && bytes?.length === ED25519_SIGNATURE_BYTES) out.v1a.push(bytes);
    }
  }
  return out;
}

/** The six header names a delivery is read from, in one pass: `webhook-*` first, then `svix-*`. */
const HEADER_NAMES = [
  STANDARD_WEBHOOKS_HEADERS.ID, STANDARD_WEBHOOKS_HEADERS.TIMESTAMP, STANDARD_WEBHOOKS_HEADERS.SIGNATURE,
  SVIX_HEADERS.ID, SVIX_HEADERS.TIMESTAMP, SVIX_HEADERS.SIGNATURE,
] as const;

/** What a secret verifies: an HMAC key (`v1`) or an Ed25519 public key (`v1a`), or nothing. */
interface VerifyKeys {
  hmac?: KeyObject;
  publicKey?: KeyObject;
}

const verifyKeys = new Map<string, VerifyKeys>();
const MAX_CACHED_SECRETS = 1_000;

/**
 * The keys of a secret, decoded once per secret string and kept (up to 1 000 secrets, then the cache starts
 * over): the base64 decode and the key object are not paid again on every request. KeyObjects are immutable.
 */
function keysOf(secret: string): VerifyKeys {
  let keys = verifyKeys.get(secret);
  if (keys === undefined) {
    const raw = standardWebhooksKey(secret);
    keys = { hmac: raw ? createSecretKey(raw) : undefined, publicKey: standardWebhooksPublicKey(secret) };
    raw?.fill(0);
    if (verifyKeys.size >= MAX_CACHED_SECRETS) verifyKeys.clear();
    verifyKeys.set(secret, keys);
  }
  return keys;
}

const NO_USABLE_SECRET =
  'no usable active secret: write an HMAC secret as whsec_<base64> (an unprefixed secret is base64-decoded, as the official library does) or an Ed25519 public key as whpk_<base64>';

/**
 * The Standard Webhooks scheme; its `eventId` is the `webhook-id` (or `svix-id`), which stays the same across
 * retries. Secrets: `whsec_<base64>` (or unprefixed base64) verify `v1`; `whpk_<base64>` public keys verify
 * `v1a` only. `sign` takes either kind of HMAC secret (→ `v1`) or a `whsk_` private key (→ `v1a`).
 */
export function standardWebhooks(options: StandardWebhooksOptions = {}): SignatureScheme {
  const toleranceSeconds = toleranceOption(options?.toleranceSeconds, DEFAULT_TOLERANCE_SECONDS, 'standardWebhooks');

  function verify(input: SignatureInput): VerifyResult {
    const { rawBody, headers, secrets, now } = (input ?? {}) as Partial<SignatureInput>;
    const body = bodyBytes(rawBody);
    if (!body) return { valid: false, reason: 'malformed', message: 'request body is not bytes' };
    const sentHeaders = headerValuesOf(headers, HEADER_NAMES);
    // The family: `webhook-*` when `webhook-id` was sent, else `svix-*` when `svix-id` was, else `webhook-*`.
    const svix = sentHeaders[0].length === 0 && sentHeaders[3].length > 0;
    const { ID, TIMESTAMP, SIGNATURE } = svix ? SVIX_HEADERS : STANDARD_WEBHOOKS_HEADERS;
    const [idValues, tsValues, signatureValues] = svix ? sentHeaders.slice(3) : sentHeaders;

    const id = singleValue(idValues, ID);
    if (!id.ok) return { valid: false, reason: id.reason, message: id.reason === 'missing' ? `header ${ID} (or ${SVIX_HEADERS.ID}) is missing` : id.message };
    const ts = singleValue(tsValues, TIMESTAMP);
    if (!ts.ok) return { valid: false, reason: ts.reason, message: ts.message };
    const freshness = checkTimestamp(ts.value, { nowMs: clockMs(now), toleranceSeconds });
    if (!freshness.ok && (freshness.reason === 'missing' || freshness.reason === 'malformed')) {
      return { valid: false, reason: freshness.reason, message: `header ${TIMESTAMP}: ${freshness.message}` };
    }

    const sent = parseSignatures(signatureValues);
    if (sent.found === 0) return { valid: false, reason: 'missing', message: `header ${SIGNATURE} is missing or empty` };
    if (sent.v1.length + sent.v1a.length === 0) {
      return { valid: false, reason: 'malformed', message: `header ${SIGNATURE} has no v1,<base64 HMAC-SHA256> or v1a,<base64 Ed25519> signature` };
    }

    const hmacKeys: KeyObject[] = [];
    const publicKeys: KeyObject[] = [];
    for (const secret of activeSecrets(secrets)) {
      const keys = keysOf(secret);
      if (keys.hmac) hmacKeys.push(keys.hmac);
      if (keys.publicKey) publicKeys.push(keys.publicKey);
    }
    if (hmacKeys.length + publicKeys.length === 0) return { valid: false, reason: 'mismatch', message: NO_USABLE_SECRET };

    // Every HMAC key is tried and every v1 signature compared in constant time, whatever matched before.
    // The signed content `${id}.${timestamp}.${body}` is streamed into the HMAC, never copied.
    const prefix = `${id.value}.${ts.value}.`;
    let matched = false;
    for (const key of hmacKeys) {
      const expected = createHmac('sha256', key).update(prefix, 'utf8').update(body).digest();
      for (const candidate of sent.v1) if (constantTimeEqual(expected, candidate)) matched = true;
    }
    if (publicKeys.length > 0 && sent.v1a.length > 0) {
      const content = signedContent(id.value, ts.value, body);
      for (const key of publicKeys) for (const candidate of sent.v1a) if (!matched && ed25519Verify(key, content, candidate)) matched = true;
    }
    if (!matched) return { valid: false, reason: 'mismatch', message: `no signature in ${SIGNATURE} matches under any active secret` };
    if (!freshness.ok) return { valid: false, reason: freshness.reason, message: `header ${TIMESTAMP}: ${freshness.message}` };
    return { valid: true, timestamp: freshness.timestamp, eventId: id.value };
  }

  function sign(params: SignParams): Record<string, string> {
    const body = signBody(params?.rawBody);
    const secret = signSecret(params.secret);
    const timestamp = String(signTimestamp(params.timestamp));
    const id = params.id ?? `msg_${randomUUID()}`;
    if (typeof id !== 'string' || id.trim() === '' || /\s/.test(id)) throw new ConfigError('standardWebhooks: id must be a non-empty string without spaces', { option: 'id' });
    const content = signedContent(id, timestamp, body);
    let signature: string;
    if (secret.startsWith(STANDARD_WEBHOOKS_PRIVATE_KEY_PREFIX)) {
      const key = ed25519PrivateKey(decodeBase64(secret.slice(STANDARD_WEBHOOKS_PRIVATE_KEY_PREFIX.length)));
      if (!key) throw new ConfigError('standardWebhooks: a whsk_ key must be base64 of a 32-byte Ed25519 seed (or 64 bytes seed + public key)', { option: 'secret' });
      signature = `v1a,${ed25519Sign(key, content).toString('base64')}`;
    } else {
      if (secret.startsWith(STANDARD_WEBHOOKS_PUBLIC_KEY_PREFIX)) throw new ConfigError('standardWebhooks: a whpk_ public key cannot sign; sign with its whsk_ private key', { option: 'secret' });
      const key = standardWebhooksKey(secret);
      if (!key) throw new ConfigError('standardWebhooks: the secret must be whsec_<base64> (or unprefixed base64)', { option: 'secret' });
      signature = `v1,${hmac('sha256', key, content).toString('base64')}`;
    }
    return { [STANDARD_WEBHOOKS_HEADERS.ID]: id, [STANDARD_WEBHOOKS_HEADERS.TIMESTAMP]: timestamp, [STANDARD_WEBHOOKS_HEADERS.SIGNATURE]: signature };
  }

  return { name: 'standard-webhooks', verify, sign, toleranceSeconds };
}
