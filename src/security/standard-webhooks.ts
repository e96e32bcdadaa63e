/** Standard Webhooks (standardwebhooks.com, Svix): `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64> ...`. */
import { randomUUID } from 'node:crypto';
import { ConfigError } from '../errors';
import { constantTimeEqual, decodeBase64 } from './compare';
import { hmac } from './hmac';
import { headerValues, singleHeader } from './headers';
import { activeSecrets, bodyBytes, clockMs, signBody, signSecret, signTimestamp, toleranceOption } from './input';
import { checkTimestamp, DEFAULT_TOLERANCE_SECONDS } from './timestamps';
import type { SignatureInput, SignatureScheme, SignParams, VerifyResult } from './types';

export const STANDARD_WEBHOOKS_HEADERS = {
  ID: 'webhook-id',
  TIMESTAMP: 'webhook-timestamp',
  SIGNATURE: 'webhook-signature',
} as const;

export interface StandardWebhooksOptions {
  /** The replay window in seconds, both ways. Default: 300 (the spec's 5 minutes). */
  toleranceSeconds?: number;
}

const SECRET_PREFIX = 'whsec_';
const LOOSE_BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const SIGNATURE_BYTES = 32;

/**
 * The HMAC key of a Standard Webhooks secret: `whsec_<base64>` is base64-decoded (as the spec
 * says); any other string is used as its UTF-8 bytes (a raw secret). Undefined when a
 * `whsec_` secret is not base64.
 */
export function standardWebhooksKey(secret: string): Buffer | undefined {
  if (!secret.startsWith(SECRET_PREFIX)) return secret.length > 0 ? Buffer.from(secret, 'utf8') : undefined;
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (!LOOSE_BASE64.test(encoded)) return undefined;
  const key = Buffer.from(encoded, 'base64');
  return key.length > 0 ? key : undefined;
}

function signatureOf(key: Buffer, id: string, timestamp: string, body: Buffer): Buffer {
  return hmac('sha256', key, `${id}.${timestamp}.`, body);
}

/** The v1 signatures in the header values: space-separated `v1,<base64>` entries; other versions and junk are skipped. */
function v1Signatures(values: string[]): { found: number; valid: Buffer[] } {
  let found = 0;
  const valid: Buffer[] = [];
  for (const value of values) {
    for (const token of value.split(/\s+/)) {
      if (token === '') continue;
      found += 1;
      const comma = token.indexOf(',');
      if (comma < 0 || token.slice(0, comma) !== 'v1') continue;
      const digest = decodeBase64(token.slice(comma + 1).replace(/,$/, ''));
      if (digest && digest.length === SIGNATURE_BYTES) valid.push(digest);
    }
  }
  return { found, valid };
}

/** The Standard Webhooks scheme; its `eventId` is `webhook-id`, which stays the same across retries. */
export function standardWebhooks(options: StandardWebhooksOptions = {}): SignatureScheme {
  const toleranceSeconds = toleranceOption(options?.toleranceSeconds, DEFAULT_TOLERANCE_SECONDS, 'standardWebhooks');
  const { ID, TIMESTAMP, SIGNATURE } = STANDARD_WEBHOOKS_HEADERS;

  function verify(input: SignatureInput): VerifyResult {
    const { rawBody, headers, secrets, now } = (input ?? {}) as Partial<SignatureInput>;
    const body = bodyBytes(rawBody);
    if (!body) return { valid: false, reason: 'malformed', message: 'request body is not bytes' };

    const id = singleHeader(headers, ID);
    if (!id.ok) return { valid: false, reason: id.reason, message: id.message };
    const ts = singleHeader(headers, TIMESTAMP);
    if (!ts.ok) return { valid: false, reason: ts.reason, message: ts.message };
    const freshness = checkTimestamp(ts.value, { nowMs: clockMs(now), toleranceSeconds });
    if (!freshness.ok && (freshness.reason === 'missing' || freshness.reason === 'malformed')) {
      return { valid: false, reason: freshness.reason, message: `header ${TIMESTAMP}: ${freshness.message}` };
    }

    const sent = v1Signatures(headerValues(headers, SIGNATURE));
    if (sent.found === 0) return { valid: false, reason: 'missing', message: `header ${SIGNATURE} is missing or empty` };
    if (sent.valid.length === 0) return { valid: false, reason: 'malformed', message: `header ${SIGNATURE} has no v1,<base64 sha256> signature` };

    const keys = activeSecrets(secrets).map(standardWebhooksKey).filter((k): k is Buffer => k !== undefined);
    if (keys.length === 0) return { valid: false, reason: 'mismatch', message: 'no usable active secret to verify with' };
    let matched = false;
    for (const key of keys) {
      const expected = signatureOf(key, id.value, ts.value, body);
      for (const candidate of sent.valid) if (constantTimeEqual(expected, candidate)) matched = true;
    }
    if (!matched) return { valid: false, reason: 'mismatch', message: `no signature in ${SIGNATURE} matches under any active secret` };
    if (!freshness.ok) return { valid: false, reason: freshness.reason, message: `header ${TIMESTAMP}: ${freshness.message}` };
    return { valid: true, timestamp: freshness.timestamp, eventId: id.value };
  }

  function sign(params: SignParams): Record<string, string> {
    const body = signBody(params?.rawBody);
    const key = standardWebhooksKey(signSecret(params.secret));
    if (!key) throw new ConfigError('standardWebhooks: a whsec_ secret must be base64 after the prefix', { option: 'secret' });
    const timestamp = String(signTimestamp(params.timestamp));
    const id = params.id ?? `msg_${randomUUID()}`;
    if (typeof id !== 'string' || id.trim() === '' || /\s/.test(id)) throw new ConfigError('standardWebhooks: id must be a non-empty string without spaces', { option: 'id' });
    return {
      [ID]: id,
      [TIMESTAMP]: timestamp,
      [SIGNATURE]: `v1,${signatureOf(key, id, timestamp, body).toString('base64')}`,
    };
  }

  return { name: 'standard-webhooks', verify, sign, toleranceSeconds };
}
