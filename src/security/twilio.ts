/**
 * Twilio request validation: `X-Twilio-Signature` = base64 HMAC-SHA1, under the account's auth token, of the
 * public URL followed by the form parameters sorted by name (each name then its value). A JSON body is signed
 * through the URL's `bodySHA256` query parameter instead (the hex SHA-256 of the body).
 */
import { createHash, createHmac } from 'node:crypto';
import { ConfigError } from '../errors';
import { constantTimeEqual, decodeBase64 } from './compare';
import { formPairs } from './form';
import { singleHeader } from './headers';
import { activeSecrets, bodyBytes, signBody, signSecret } from './input';
import type { SignatureInput, SignatureScheme, SignParams, VerifyResult } from './types';

export const TWILIO_SIGNATURE_HEADER = 'x-twilio-signature';
const SHA1_BYTES = 20;

/** The text Twilio signs: the URL, then `name + value` of every form pair sorted by name, then by value. */
export function twilioSignedText(url: string, pairs: ReadonlyArray<readonly [string, string]>): string {
  const sorted = [...pairs].sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  let text = url;
  for (const [name, value] of sorted) text += name + value;
  return text;
}

/** The URL as given and with its default port added or removed (Twilio signs whichever form it was configured with). */
function urlVariants(url: string): string[] {
  const m = /^(https?):\/\/([^/?#@]+)(.*)$/i.exec(url);
  if (!m) return [url];
  const [, scheme, hostPort, rest] = m;
  const defaultPort = scheme.toLowerCase() === 'https' ? '443' : '80';
  const port = /:(\d+)$/.exec(hostPort)?.[1];
  if (port === undefined && !hostPort.endsWith(']')) return [url, `${scheme}://${hostPort}:${defaultPort}${rest}`];
  if (port === defaultPort) return [url, `${scheme}://${hostPort.slice(0, -(port.length + 1))}${rest}`];
  return [url];
}

function usableUrl(url: unknown): url is string {
  if (typeof url !== 'string' || url === '') return false;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:';
  } catch {
    return false;
  }
}

/** The signed text for a body and URL, or why there is none. */
function signedText(url: string, body: Buffer): { ok: true; text: string } | { ok: false; message: string } {
  const bodyHash = new URL(url).searchParams.get('bodySHA256');
  if (bodyHash !== null) {
    const actual = createHash('sha256').update(body).digest('hex');
    if (!constantTimeEqual(Buffer.from(actual), Buffer.from(bodyHash.toLowerCase()))) return { ok: false, message: 'the body does not match the bodySHA256 query parameter' };
    return { ok: true, text: url };
  }
  const pairs = formPairs(body);
  if (!pairs) return { ok: false, message: 'the body is not a valid form (broken percent-escape)' };
  return { ok: true, text: twilioSignedText(url, pairs) };
}

/**
 * Twilio's scheme (SMS, WhatsApp, Voice webhooks); the secrets are the account's auth tokens. The URL is
 * the request's public URL as the pipeline resolves it (`settings.publicUrl`, else `SWITCHBOARD_PUBLIC_URL`
 * + path and query) — never read from the request's `Host`. Twilio sends no timestamp: de-duplicate on
 * `MessageSid`. `sign` needs `url`.
 */
export function twilioSignature(): SignatureScheme {
  function verify(input: SignatureInput): VerifyResult {
    const { rawBody, headers, secrets, url } = (input ?? {}) as Partial<SignatureInput>;
    const body = bodyBytes(rawBody);
    if (!body) return { valid: false, reason: 'malformed', message: 'request body is not bytes' };
    const sent = singleHeader(headers, TWILIO_SIGNATURE_HEADER);
    if (!sent.ok) return { valid: false, reason: sent.reason, message: sent.message };
    const digest = decodeBase64(sent.value);
    if (!digest || digest.length !== SHA1_BYTES) return { valid: false, reason: 'malformed', message: `header ${TWILIO_SIGNATURE_HEADER} is not a base64 HMAC-SHA1` };
    if (!usableUrl(url)) {
      return { valid: false, reason: 'malformed', message: "the request's public URL is unknown: set the channel's settings.publicUrl or SWITCHBOARD_PUBLIC_URL" };
    }
    const keys = activeSecrets(secrets);
    if (keys.length === 0) return { valid: false, reason: 'mismatch', message: 'no active secret to verify with' };
    let matched = false;
    for (const candidate of urlVariants(url)) {
      const text = signedText(candidate, body);
      if (!text.ok) return { valid: false, reason: 'mismatch', message: text.message };
      for (const key of keys) if (constantTimeEqual(createHmac('sha1', key).update(text.text, 'utf8').digest(), digest)) matched = true;
    }
    return matched ? { valid: true } : { valid: false, reason: 'mismatch', message: `header ${TWILIO_SIGNATURE_HEADER} does not match the URL and parameters under any active secret` };
  }

  function sign(params: SignParams): Record<string, string> {
    const body = signBody(params?.rawBody);
    const secret = signSecret(params.secret);
    if (!usableUrl(params.url)) throw new ConfigError('twilioSignature: sign needs the public http(s) URL', { option: 'url' });
    const text = signedText(params.url, body);
    if (!text.ok) throw new ConfigError(`twilioSignature: ${text.message}`, { option: 'rawBody' });
    return { [TWILIO_SIGNATURE_HEADER]: createHmac('sha1', secret).update(text.text, 'utf8').digest('base64') };
  }

  return { name: 'twilio', verify, sign };
}
