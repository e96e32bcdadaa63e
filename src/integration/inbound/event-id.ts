/** The event id a duplicate delivery shares: the integration's `eventId`, else the scheme's delivery id, else a hash of the bytes. */
import { createHash } from 'node:crypto';
import { BadRequestError } from '../../errors';
import type { VerifiedSignature } from '../../security';
import type { WebhookEvent } from '../../types';

/** Longest event id accepted, in characters. */
export const MAX_EVENT_ID_LENGTH = 256;

/** Resolves the event id; a hook that throws or returns something unusable (not undefined/null) → 400. */
export async function resolveEventId<T>(hook: ((webhook: WebhookEvent<T>) => unknown) | undefined, webhook: WebhookEvent<T>, verified: VerifiedSignature): Promise<string> {
  let value: unknown;
  if (hook) {
    try {
      value = await hook(webhook);
    } catch (err) {
      throw new BadRequestError(`could not read the event id: ${(err as Error)?.message ?? String(err)}`);
    }
  }
  // No id from the hook (e.g. a status-only webhook): the scheme's delivery id, else the bytes' hash.
  if (value === undefined || value === null) value = verified.eventId ?? `sha256:${createHash('sha256').update(webhook.rawBody).digest('hex')}`;
  if (typeof value === 'number' && Number.isFinite(value)) value = String(value);
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_EVENT_ID_LENGTH) {
    throw new BadRequestError(`the webhook has no usable event id (a non-empty string of at most ${MAX_EVENT_ID_LENGTH} characters)`);
  }
  return value;
}
