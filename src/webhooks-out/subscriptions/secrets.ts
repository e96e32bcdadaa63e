/** Subscription signing secrets: `whsec_` + standard base64 of 24–64 random bytes, generated or checked. */
import { randomBytes } from 'node:crypto';
import { BadRequestError } from '../../errors';
import { GENERATED_SECRET_BYTES } from './types';

const PREFIX = 'whsec_';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A new signing secret: `whsec_` + standard base64 of {@link GENERATED_SECRET_BYTES} random bytes. */
export function generateSubscriptionSecret(): string {
  return PREFIX + randomBytes(GENERATED_SECRET_BYTES).toString('base64');
}

/**
 * Checks a given secret: `whsec_` followed by standard (padded) base64 of 24 to 64 bytes, as the Standard
 * Webhooks libraries read it. Throws a 400 naming `field` (never echoing the value).
 */
export function checkSubscriptionSecret(value: unknown, field = 'secret'): string {
  const rule = `${field} must be "whsec_" followed by standard base64 of 24-64 bytes`;
  if (typeof value !== 'string' || !value.startsWith(PREFIX)) throw new BadRequestError(rule, { field });
  const encoded = value.slice(PREFIX.length);
  if (encoded.length === 0 || encoded.length % 4 !== 0 || !BASE64.test(encoded)) throw new BadRequestError(rule, { field });
  const bytes = Buffer.from(encoded, 'base64').length;
  if (bytes < 24 || bytes > 64) throw new BadRequestError(`${rule} (this one holds ${bytes})`, { field });
  return value;
}
