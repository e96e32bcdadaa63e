/** Telegram Bot API webhooks: the `x-telegram-bot-api-secret-token` header carries the secret set with setWebhook. */
import { createHash } from 'node:crypto';
import { ConfigError } from '../errors';
import { constantTimeEqual } from './compare';
import { singleHeader } from './headers';
import { activeSecrets } from './input';
import type { SignatureInput, SignatureScheme, SignParams, VerifyResult } from './types';

export const TELEGRAM_SECRET_HEADER = 'x-telegram-bot-api-secret-token';
/** Telegram allows 1–256 characters of A–Z, a–z, 0–9, `_` and `-`. */
const TOKEN = /^[A-Za-z0-9_-]{1,256}$/;

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** Telegram's scheme: the header must equal one active secret (compared in constant time). The body is not signed. */
export function telegramSecretToken(): SignatureScheme {
  function verify(input: SignatureInput): VerifyResult {
    const { headers, secrets } = (input ?? {}) as Partial<SignatureInput>;
    const sent = singleHeader(headers, TELEGRAM_SECRET_HEADER);
    if (!sent.ok) return { valid: false, reason: sent.reason, message: sent.message };
    if (!TOKEN.test(sent.value)) return { valid: false, reason: 'malformed', message: `header ${TELEGRAM_SECRET_HEADER} is not a Telegram secret token` };
    const keys = activeSecrets(secrets);
    if (keys.length === 0) return { valid: false, reason: 'mismatch', message: 'no active secret to verify with' };
    const got = digest(sent.value);
    let matched = false;
    for (const key of keys) if (constantTimeEqual(digest(key), got)) matched = true;
    return matched ? { valid: true } : { valid: false, reason: 'mismatch', message: `header ${TELEGRAM_SECRET_HEADER} matches no active secret` };
  }

  function sign(params: SignParams): Record<string, string> {
    const secret = params?.secret;
    if (typeof secret !== 'string' || !TOKEN.test(secret)) {
      throw new ConfigError('telegramSecretToken: secret must be 1-256 characters of A-Z, a-z, 0-9, _ and -', { option: 'secret' });
    }
    return { [TELEGRAM_SECRET_HEADER]: secret };
  }

  return { name: 'telegram', verify, sign };
}
