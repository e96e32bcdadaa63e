/**
 * Standard Webhooks (standardwebhooks.com, Svix): `webhook-id`, `webhook-timestamp`, `webhook-signature` — or the
 * same three as `svix-*` — with `v1,<base64 HMAC-SHA256>` signatures, and `v1a,<base64 Ed25519>` ones when the
 * channel holds a `whpk_` public key.
 */
import { randomUUID, type KeyObject } from 'node:crypto';
import { ConfigError } from '../errors';
import { constantTimeEqual, decodeBase64 } from './compare';
import { ed25519PrivateKey, ed25519PublicKey, ed25519Sign, ed25519Verify, ED25519_SIGNATURE_BYTES } from './ed25519';
import { hmac } from './hmac';
import { headerValues, singleHeader } from './headers';
import { activeSecrets, bodyBytes, clockMs, signBody, signSecret, signTimestamp, toleranceOption } from './input';
import { checkTimestamp, DEFAULT_TOLERANCE_SECONDS } from './timestamps';
import type { SignatureInput, SignatureScheme, SignParams, VerifyResult, WebhookHeaders } from './types';

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

/**
 * Base64 as the official library's decoder (@stablelib/base64) reads it, quirks included: at least 4
 * characters, at most 2 trailing `=`, every other character from the standard alphabet, unused bits ignored —
 * and, when the unpadded length is 4n+1, the last character is never read. Undefined where that decoder throws.
 */
function libraryBase64(text: string): Buffer | undefined {
  let padding = 0;
  while (padding < text.length && text[text.length - 1 - padding] === '=') padding++;
  if (text.length < 4 || padding > 2) return undefined;
  const length = text.length - padding;
  const bytes: number[] = [];
  const at = (i: number): number => ALPHABET.indexOf(text[i]);
  let i = 0;
  let bad = false;
  for (; i < length - 4; i += 4) {
    const [a, b, c, d] = [at(i), at(i + 1), at(i + 2), at(i + 3)];
    if (a < 0 || b < 0 || c < 0 || d < 0) bad = true;
    bytes.push(((a << 2) | (b >>> 4)) & 255, ((b << 4) | (c >>> 2)) & 255, ((c << 6) | d) & 255);
  }
  const [a, b, c, d] = [at(i), at(i + 1), at(i + 2), at(i + 3)];
  if (i < length - 1) { if (a < 0 || b < 0) bad = true; bytes.push(((a << 2) | (b >>> 4)) & 255); }
  if (i < length - 2) { if (c < 0) bad = true; bytes.push(((b << 4) | (c >>> 2)) & 255); }
  if (i < length - 3) { if (d < 0) bad = true; bytes.push(((c << 6) | d) & 255); }
  return bad || bytes.length === 0 ? undefined : Buffer.from(bytes);
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
      const bytes = decodeBase64(token.slice(comma + 1).replace(/,$/, ''));
      if (version === 'v1' && bytes?.length === SIGNATURE_BYTES) out.v1.push(bytes);
      if (version === 'v1a' && bytes?.length === ED25519_SIGNATURE_BYTES) out.v1a.push(bytes);
    }
  }
  return out;
}

/** The header family of a delivery: `webhook-*` when `webhook-id` was sent, else `svix-*` when `svix-id` was. */
function familyOf(headers: WebhookHeaders | undefined): { ID: string; TIMESTAMP: string; SIGNATURE: string } {
  if (headerValues(headers, STANDARD_WEBHOOKS_HEADERS.ID).length > 0) return STANDARD_WEBHOOKS_HEADERS;
  if (headerValues(headers, SVIX_HEADERS.ID).length > 0) return SVIX_HEADERS;
  return STANDARD_WEBHOOKS_HEADERS;
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
    const { ID, TIMESTAMP, SIGNATURE } = familyOf(headers);

    const id = singleHeader(headers, ID);
    if (!id.ok) return { valid: false, reason: id.reason, message: id.reason === 'missing' ? `header ${ID} (or ${SVIX_HEADERS.ID}) is missing` : id.message };
    const ts = singleHeader(headers, TIMESTAMP);
    if (!ts.ok) return { valid: false, reason: ts.reason, message: ts.message };
    const freshness = checkTimestamp(ts.value, { nowMs: clockMs(now), toleranceSeconds });
    if (!freshness.ok && (freshness.reason === 'missing' || freshness.reason === 'malformed')) {
      return { valid: false, reason: freshness.reason, message: `header ${TIMESTAMP}: ${freshness.message}` };
    }

    const sent = parseSignatures(headerValues(headers, SIGNATURE));
    if (sent.found === 0) return { valid: false, reason: 'missing', message: `header ${SIGNATURE} is missing or empty` };
    if (sent.v1.length + sent.v1a.length === 0) {
      return { valid: false, reason: 'malformed', message: `header ${SIGNATURE} has no v1,<base64 HMAC-SHA256> or v1a,<base64 Ed25519> signature` };
    }

    const active = activeSecrets(secrets);
    const hmacKeys = active.map(standardWebhooksKey).filter((k): k is Buffer => k !== undefined);
    const publicKeys = active.map(standardWebhooksPublicKey).filter((k): k is KeyObject => k !== undefined);
    if (hmacKeys.length + publicKeys.length === 0) return { valid: false, reason: 'mismatch', message: NO_USABLE_SECRET };

    const content = signedContent(id.value, ts.value, body);
    let matched = false;
    for (const key of hmacKeys) {
      const expected = hmac('sha256', key, content);
      for (const candidate of sent.v1) if (constantTimeEqual(expected, candidate)) matched = true;
    }
    for (const key of publicKeys) for (const candidate of sent.v1a) if (!matched && ed25519Verify(key, content, candidate)) matched = true;
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
