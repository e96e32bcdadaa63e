/**
 * Ed25519 signatures over the raw bytes: the key helpers (raw 32-byte keys ↔ node:crypto key objects) and
 * `ed25519Signature()`, the scheme Discord interactions use (`x-signature-ed25519` hex over timestamp + body).
 */
import { createPrivateKey, createPublicKey, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { ConfigError } from '../errors';
import { decodeHex } from './compare';
import { headerValues, singleHeader } from './headers';
import { activeSecrets, bodyBytes, clockMs, signBody, signTimestamp, toleranceOption } from './input';
import { checkTimestamp, DEFAULT_TOLERANCE_SECONDS, type TimestampCheck } from './timestamps';
import type { SignatureInput, SignatureScheme, SignParams, VerifyResult } from './types';

/** Bytes of an Ed25519 public key, of a private key's seed, and of a signature. */
export const ED25519_PUBLIC_KEY_BYTES = 32;
export const ED25519_SEED_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;

// DER wrappers of a raw key (RFC 8410): SubjectPublicKeyInfo and PKCS#8 for the OID 1.3.101.112.
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

const publicKeys = new Map<string, KeyObject | null>();
const MAX_CACHED_KEYS = 1_000;

/** The key object of a raw 32-byte Ed25519 public key (memoized); undefined for anything else. Never throws. */
export function ed25519PublicKey(raw: Buffer | undefined): KeyObject | undefined {
  if (!raw || raw.length !== ED25519_PUBLIC_KEY_BYTES) return undefined;
  const id = raw.toString('hex');
  let key = publicKeys.get(id);
  if (key === undefined) {
    try {
      key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
    } catch {
      key = null;
    }
    if (publicKeys.size >= MAX_CACHED_KEYS) publicKeys.clear();
    publicKeys.set(id, key);
  }
  return key ?? undefined;
}

/** The private key of a 32-byte seed, or of a 64-byte seed + public key (libsodium's secret key); undefined otherwise. */
export function ed25519PrivateKey(raw: Buffer | undefined): KeyObject | undefined {
  if (!raw || (raw.length !== ED25519_SEED_BYTES && raw.length !== 2 * ED25519_SEED_BYTES)) return undefined;
  try {
    return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw.subarray(0, ED25519_SEED_BYTES)]), format: 'der', type: 'pkcs8' });
  } catch {
    return undefined;
  }
}

/** True when `signature` (64 bytes) is `key`'s signature of `data`. Never throws. */
export function ed25519Verify(key: KeyObject, data: Buffer, signature: Buffer): boolean {
  if (signature.length !== ED25519_SIGNATURE_BYTES) return false;
  try {
    return cryptoVerify(null, data, key, signature);
  } catch {
    return false;
  }
}

/** `key`'s signature of `data` (64 bytes). */
export function ed25519Sign(key: KeyObject, data: Buffer): Buffer {
  return cryptoSign(null, data, key);
}

/** The raw 32-byte public key of a private key. */
export function ed25519RawPublicKey(key: KeyObject): Buffer {
  return createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
}

export interface Ed25519SignatureOptions {
  /** The header carrying the hex signature. Default: `x-signature-ed25519` (Discord). */
  signatureHeader?: string;
  /**
   * The header carrying the timestamp that is signed in front of the body. Default: `x-signature-timestamp`
   * (Discord). `null`: the body alone is signed and no timestamp is read.
   */
  timestampHeader?: string | null;
  /**
   * The replay window in seconds, both ways, when the timestamp is in seconds. Default: 300. `null`: the
   * timestamp is signed but its age is not checked (it need not be a number).
   */
  toleranceSeconds?: number | null;
  /** The scheme's name. Default: `ed25519`. */
  name?: string;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function headerOption(value: unknown, fallback: string, option: string): string {
  const name = value === undefined ? fallback : value;
  if (typeof name !== 'string' || !HEADER_NAME.test(name)) throw new ConfigError(`ed25519Signature: ${option} must be an HTTP header name`, { option });
  return name;
}

/**
 * Ed25519 over `timestamp + body` (or the body alone): the channel's secrets are hex public keys (Discord's
 * "application public key"); a delivery verifies under any of them. `sign` takes a hex private key (a
 * 32-byte seed, or 64 bytes seed + public key) — for tests and tools.
 */
export function ed25519Signature(options: Ed25519SignatureOptions = {}): SignatureScheme {
  if (options === null || typeof options !== 'object') throw new ConfigError('ed25519Signature: options must be an object', { option: 'options' });
  const signatureHeader = headerOption(options.signatureHeader, 'x-signature-ed25519', 'signatureHeader');
  const timestampHeader = options.timestampHeader === null ? undefined : headerOption(options.timestampHeader, 'x-signature-timestamp', 'timestampHeader');
  const checkAge = timestampHeader !== undefined && options.toleranceSeconds !== null;
  const toleranceSeconds = checkAge ? toleranceOption(options.toleranceSeconds ?? undefined, DEFAULT_TOLERANCE_SECONDS, 'ed25519Signature') : undefined;
  const name = options.name ?? 'ed25519';

  function verify(input: SignatureInput): VerifyResult {
    const { rawBody, headers, secrets, now } = (input ?? {}) as Partial<SignatureInput>;
    const body = bodyBytes(rawBody);
    if (!body) return { valid: false, reason: 'malformed', message: 'request body is not bytes' };
    const sent = headerValues(headers, signatureHeader).map((v) => v.trim()).filter((v) => v !== '');
    if (sent.length === 0) return { valid: false, reason: 'missing', message: `header ${signatureHeader} is missing` };
    const candidates = sent.map(decodeHex).filter((s): s is Buffer => s !== undefined && s.length === ED25519_SIGNATURE_BYTES);
    if (candidates.length === 0) return { valid: false, reason: 'malformed', message: `header ${signatureHeader} is not a hex Ed25519 signature (128 hex digits)` };

    let signed = body;
    let freshness: TimestampCheck | undefined;
    if (timestampHeader !== undefined) {
      const ts = singleHeader(headers, timestampHeader);
      if (!ts.ok) return { valid: false, reason: ts.reason, message: ts.message };
      if (checkAge) {
        freshness = checkTimestamp(ts.value, { nowMs: clockMs(now), toleranceSeconds });
        if (!freshness.ok && (freshness.reason === 'missing' || freshness.reason === 'malformed')) {
          return { valid: false, reason: freshness.reason, message: `header ${timestampHeader}: ${freshness.message}` };
        }
      }
      signed = Buffer.concat([Buffer.from(ts.value, 'utf8'), body]);
    }

    const keys = activeSecrets(secrets).map((s) => ed25519PublicKey(decodeHex(s.trim()))).filter((k): k is KeyObject => k !== undefined);
    if (keys.length === 0) return { valid: false, reason: 'mismatch', message: 'no active secret is a hex Ed25519 public key (64 hex digits)' };
    let matched = false;
    for (const key of keys) for (const candidate of candidates) if (!matched && ed25519Verify(key, signed, candidate)) matched = true;
    if (!matched) return { valid: false, reason: 'mismatch', message: `header ${signatureHeader} does not verify under any active public key` };
    if (freshness && !freshness.ok) return { valid: false, reason: freshness.reason, message: `header ${timestampHeader}: ${freshness.message}` };
    return freshness?.ok ? { valid: true, timestamp: freshness.timestamp } : { valid: true };
  }

  function sign(params: SignParams): Record<string, string> {
    const body = signBody(params?.rawBody);
    const key = typeof params?.secret === 'string' ? ed25519PrivateKey(decodeHex(params.secret)) : undefined;
    if (!key) throw new ConfigError('ed25519Signature: sign needs a hex Ed25519 private key (64 or 128 hex digits)', { option: 'secret' });
    const out: Record<string, string> = {};
    let signed = body;
    if (timestampHeader !== undefined) {
      const timestamp = String(signTimestamp(params.timestamp));
      out[timestampHeader] = timestamp;
      signed = Buffer.concat([Buffer.from(timestamp, 'utf8'), body]);
    }
    out[signatureHeader] = ed25519Sign(key, signed).toString('hex');
    return out;
  }

  return toleranceSeconds === undefined ? { name, verify, sign } : { name, verify, sign, toleranceSeconds };
}
