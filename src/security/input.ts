/** Normalizing what callers pass to verify and sign: body bytes, active secrets, clocks, option checks. */
import { ConfigError } from '../errors';
import { validTolerance } from './timestamps';

/** The body as bytes: a Buffer as is, any other Uint8Array viewed, a string as UTF-8; anything else undefined. */
export function bodyBytes(raw: unknown): Buffer | undefined {
  if (Buffer.isBuffer(raw)) return raw;
  if (raw instanceof Uint8Array) return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  if (typeof raw === 'string') return Buffer.from(raw, 'utf8');
  return undefined;
}

/** The non-empty string secrets of a list; anything else in it is skipped. */
export function activeSecrets(secrets: unknown): string[] {
  if (!Array.isArray(secrets)) return [];
  return secrets.filter((s): s is string => typeof s === 'string' && s.length > 0);
}

/** The injectable clock if it is a finite number, else `Date.now()`. */
export function clockMs(now: unknown): number {
  return typeof now === 'number' && Number.isFinite(now) ? now : Date.now();
}

/** The body to sign as bytes; rejects anything but a Buffer, Uint8Array or string. */
export function signBody(raw: unknown): Buffer {
  const bytes = bodyBytes(raw);
  if (!bytes) throw new ConfigError('sign: rawBody must be a Buffer or a string', { option: 'rawBody' });
  return bytes;
}

/** The secret to sign with; rejects an empty or non-string secret. */
export function signSecret(secret: unknown): string {
  if (typeof secret !== 'string' || secret.length === 0) throw new ConfigError('sign: secret must be a non-empty string', { option: 'secret' });
  return secret;
}

/** The timestamp to sign with, in seconds: the given one (an integer of at most 10 digits) or now. */
export function signTimestamp(timestamp: unknown): number {
  if (timestamp === undefined) return Math.floor(Date.now() / 1000);
  if (typeof timestamp !== 'number' || !Number.isInteger(timestamp) || timestamp < 0 || timestamp > 9_999_999_999) {
    throw new ConfigError('sign: timestamp must be whole seconds since the epoch (0 to 9999999999)', { option: 'timestamp' });
  }
  return timestamp;
}

/** A tolerance option, or the default when absent; rejects negative or non-finite values. */
export function toleranceOption(value: unknown, fallback: number, scheme: string): number {
  if (value === undefined) return fallback;
  if (!validTolerance(value)) throw new ConfigError(`${scheme}: toleranceSeconds must be a finite number of seconds, 0 or more`, { option: 'toleranceSeconds' });
  return value;
}
