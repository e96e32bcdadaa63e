/** The generic HMAC signature scheme: a digest of the raw body (optionally with a timestamp) in one header. */
import { createHmac } from 'node:crypto';
import { ConfigError } from '../errors';
import { constantTimeEqual, decodeBase64, decodeHex } from './compare';
import { headerValues, singleHeader } from './headers';
import { activeSecrets, bodyBytes, clockMs, signBody, signSecret, signTimestamp, toleranceOption } from './input';
import { checkTimestamp, DEFAULT_TOLERANCE_SECONDS, type TimestampCheck } from './timestamps';
import type { SignatureScheme, VerifyResult } from './types';

export type HmacAlgorithm = 'sha256' | 'sha512';
export type HmacEncoding = 'hex' | 'base64';

/** What `signedPayload` receives: the raw body and the header values that take part in the signature. */
export interface SignedPayloadParts {
  /** The raw request body. */
  body: Buffer;
  /** The timestamp header's value, exactly as sent, when `timestampHeader` is set. */
  timestamp?: string;
  /** The id header's value, when `idHeader` is set and the header was sent. */
  id?: string;
}

export interface HmacSignatureOptions {
  /** The header that carries the signature (any case), e.g. `x-acme-signature`. Required. */
  header: string;
  /** The HMAC digest. Default: `'sha256'`. */
  algorithm?: HmacAlgorithm;
  /** How the digest is written in the header: lower- or upper-case hex, or canonical padded base64. Default: `'hex'`. */
  encoding?: HmacEncoding;
  /** Text in front of the digest, e.g. `'sha256='`; matched exactly. Default: `''` (none). */
  prefix?: string;
  /** A header carrying a timestamp in seconds that is signed and must lie inside the replay window. Default: none (no timestamp). */
  timestampHeader?: string;
  /** A header carrying the delivery id, returned as `eventId` (e.g. `x-github-delivery`). Default: none. */
  idHeader?: string;
  /** Builds the bytes that are signed. Default: the raw body; with `timestampHeader`, `${timestamp}.${body}`. */
  signedPayload?: (parts: SignedPayloadParts) => Buffer | string;
  /** The replay window in seconds, both ways, when `timestampHeader` is set. Default: 300. */
  toleranceSeconds?: number;
  /** The scheme's name. Default: `hmac-<algorithm>-<encoding>`. */
  name?: string;
}

const DIGEST_BYTES: Record<HmacAlgorithm, number> = { sha256: 32, sha512: 64 };

/** The HMAC of `parts` under `key`. */
export function hmac(algorithm: HmacAlgorithm, key: string | Buffer, ...parts: (Buffer | string)[]): Buffer {
  const mac = createHmac(algorithm, key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

function defaultPayload({ body, timestamp }: SignedPayloadParts): Buffer | string {
  return timestamp === undefined ? body : Buffer.concat([Buffer.from(`${timestamp}.`), body]);
}

function requireHeaderName(value: unknown, option: string): string {
  if (typeof value !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(value)) {
    throw new ConfigError(`hmacSignature: ${option} must be an HTTP header name`, { option });
  }
  return value;
}

/** A scheme for any platform that sends an HMAC of the raw body (plus, optionally, a timestamp) in a header. */
export function hmacSignature(options: HmacSignatureOptions): SignatureScheme {
  if (options === null || typeof options !== 'object') throw new ConfigError('hmacSignature: options are required', { option: 'options' });
  const header = requireHeaderName(options.header, 'header');
  const algorithm = options.algorithm ?? 'sha256';
  if (algorithm !== 'sha256' && algorithm !== 'sha512') throw new ConfigError("hmacSignature: algorithm must be 'sha256' or 'sha512'", { option: 'algorithm' });
  const encoding = options.encoding ?? 'hex';
  if (encoding !== 'hex' && encoding !== 'base64') throw new ConfigError("hmacSignature: encoding must be 'hex' or 'base64'", { option: 'encoding' });
  const prefix = options.prefix ?? '';
  if (typeof prefix !== 'string') throw new ConfigError('hmacSignature: prefix must be a string', { option: 'prefix' });
  const timestampHeader = options.timestampHeader === undefined ? undefined : requireHeaderName(options.timestampHeader, 'timestampHeader');
  const idHeader = options.idHeader === undefined ? undefined : requireHeaderName(options.idHeader, 'idHeader');
  const signedPayload = options.signedPayload ?? defaultPayload;
  if (typeof signedPayload !== 'function') throw new ConfigError('hmacSignature: signedPayload must be a function', { option: 'signedPayload' });
  if (timestampHeader === undefined && options.toleranceSeconds !== undefined) {
    throw new ConfigError('hmacSignature: toleranceSeconds needs timestampHeader', { option: 'toleranceSeconds' });
  }
  const toleranceSeconds = timestampHeader === undefined ? undefined : toleranceOption(options.toleranceSeconds, DEFAULT_TOLERANCE_SECONDS, 'hmacSignature');
  const name = options.name ?? `hmac-${algorithm}-${encoding}`;
  const digestBytes = DIGEST_BYTES[algorithm];
  const decode = encoding === 'hex' ? decodeHex : decodeBase64;

  function payloadFor(parts: SignedPayloadParts): Buffer | string | undefined {
    try {
      const out = signedPayload(parts);
      return Buffer.isBuffer(out) || typeof out === 'string' ? out : undefined;
    } catch {
      return undefined;
    }
  }

  function verify(input: Parameters<SignatureScheme['verify']>[0]): VerifyResult {
    const { rawBody, headers, secrets, now } = (input ?? {}) as Partial<typeof input>;
    const body = bodyBytes(rawBody);
    if (!body) return { valid: false, reason: 'malformed', message: 'request body is not bytes' };

    const sent = headerValues(headers, header).map((v) => v.trim());
    if (sent.length === 0) return { valid: false, reason: 'missing', message: `header ${header} is missing` };
    if (sent.every((v) => v === '')) return { valid: false, reason: 'missing', message: `header ${header} is empty` };
    const candidates: Buffer[] = [];
    for (const value of sent) {
      if (!value.startsWith(prefix)) continue;
      const digest = decode(value.slice(prefix.length));
      if (digest && digest.length === digestBytes) candidates.push(digest);
    }
    if (candidates.length === 0) {
      return { valid: false, reason: 'malformed', message: `header ${header} is not ${prefix}<${encoding} ${algorithm} digest>` };
    }

    let timestamp: string | undefined;
    let freshness: TimestampCheck | undefined;
    if (timestampHeader !== undefined) {
      const ts = singleHeader(headers, timestampHeader);
      if (!ts.ok) return { valid: false, reason: ts.reason, message: ts.message };
      freshness = checkTimestamp(ts.value, { nowMs: clockMs(now), toleranceSeconds });
      if (!freshness.ok && (freshness.reason === 'missing' || freshness.reason === 'malformed')) {
        return { valid: false, reason: freshness.reason, message: `header ${timestampHeader}: ${freshness.message}` };
      }
      timestamp = ts.value;
    }
    let id: string | undefined;
    if (idHeader !== undefined) {
      const sentId = singleHeader(headers, idHeader);
      if (sentId.ok) id = sentId.value;
    }

    const keys = activeSecrets(secrets);
    if (keys.length === 0) return { valid: false, reason: 'mismatch', message: 'no active secret to verify with' };
    const payload = payloadFor({ body, timestamp, id });
    if (payload === undefined) return { valid: false, reason: 'malformed', message: 'signedPayload could not build the signed bytes' };

    let matched = false;
    for (const key of keys) {
      const expected = hmac(algorithm, key, payload);
      for (const candidate of candidates) if (constantTimeEqual(expected, candidate)) matched = true;
    }
    if (!matched) return { valid: false, reason: 'mismatch', message: `header ${header} does not match the body under any active secret` };
    if (freshness && !freshness.ok) return { valid: false, reason: freshness.reason, message: `header ${timestampHeader}: ${freshness.message}` };
    const result: VerifyResult = { valid: true };
    if (freshness?.ok) result.timestamp = freshness.timestamp;
    if (id !== undefined) result.eventId = id;
    return result;
  }

  function sign(params: Parameters<SignatureScheme['sign']>[0]): Record<string, string> {
    const body = signBody(params?.rawBody);
    const secret = signSecret(params?.secret);
    const out: Record<string, string> = {};
    let timestamp: string | undefined;
    if (timestampHeader !== undefined) {
      timestamp = String(signTimestamp(params.timestamp));
      out[timestampHeader] = timestamp;
    }
    const id = idHeader !== undefined && params.id !== undefined ? params.id : undefined;
    if (idHeader !== undefined && id !== undefined) out[idHeader] = id;
    const payload = payloadFor({ body, timestamp, id });
    if (payload === undefined) throw new ConfigError('hmacSignature: signedPayload must return a Buffer or a string', { option: 'signedPayload' });
    out[header] = prefix + hmac(algorithm, secret, payload).toString(encoding);
    return out;
  }

  return toleranceSeconds === undefined ? { name, verify, sign } : { name, verify, sign, toleranceSeconds };
}
