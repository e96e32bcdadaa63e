/** Checks subscription input before it is stored; every error is a 400 naming the field (the URL's safety is `url.ts`). */
import { BadRequestError } from '../../errors';
import type { SubscriptionStatus, WebhookEventType } from '../types';
import { checkSubscriptionFilter } from './filter';
import { checkSubscriptionSecret } from './secrets';
import {
  MAX_DESCRIPTION_LENGTH, MAX_URL_LENGTH, SUBSCRIPTION_EVENT_TYPES,
  type StaticSubscriptionInput, type SubscriptionInput, type SubscriptionUpdate,
} from './types';

/** What the checks return: events narrowed to the known types. */
type Checked<T> = Omit<T, 'events'> & { events: WebhookEventType[] };

const ID = /^[A-Za-z0-9_-]{1,128}$/;
const ORDERINGS = ['none', 'conversation'] as const;
const STATUSES: readonly SubscriptionStatus[] = ['active', 'disabled'];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}

function onlyFields(value: Record<string, unknown>, allowed: readonly string[], hints: Record<string, string> = {}): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new BadRequestError(`${key} is not a subscription field${hints[key] ? ` (${hints[key]})` : ''}; allowed: ${allowed.join(', ')}`, { field: key });
    }
  }
}

/** `[A-Za-z0-9_-]{1,128}`: safe in URLs, Redis keys and JetStream message ids. */
export function checkSubscriptionId(value: unknown, field = 'id'): string {
  if (typeof value !== 'string' || !ID.test(value)) throw new BadRequestError(`${field} must be 1-128 characters of letters, digits, '_' or '-'`, { field });
  return value;
}

/** A non-empty list of known event types without repeats; an unknown one is named in the error. */
export function checkEvents(value: unknown, field = 'events'): WebhookEventType[] {
  const known = SUBSCRIPTION_EVENT_TYPES.join(', ');
  if (!Array.isArray(value) || value.length === 0) throw new BadRequestError(`${field} must be a non-empty array of event types (${known})`, { field });
  const out: WebhookEventType[] = [];
  for (const item of value) {
    if (typeof item !== 'string' || !(SUBSCRIPTION_EVENT_TYPES as readonly string[]).includes(item)) {
      const shown = typeof item === 'string' ? `"${item.slice(0, 64)}"` : JSON.stringify(item)?.slice(0, 64) ?? String(item);
      throw new BadRequestError(`unknown event type ${shown} in ${field}; known: ${known}`, { field, eventType: typeof item === 'string' ? item.slice(0, 64) : undefined });
    }
    if (!out.includes(item as WebhookEventType)) out.push(item as WebhookEventType);
  }
  return out;
}

/** The URL's form: a string of at most {@link MAX_URL_LENGTH} characters, `http:` or `https:`, no credentials. */
export function checkUrlShape(value: unknown, field = 'url'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_URL_LENGTH) {
    throw new BadRequestError(`${field} must be an http(s) URL of at most ${MAX_URL_LENGTH} characters`, { field });
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new BadRequestError(`${field} is not a valid URL`, { field });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new BadRequestError(`${field} must be http or https, not ${url.protocol.replace(/:$/, '')}`, { field });
  if (url.username || url.password) throw new BadRequestError(`${field} must not carry credentials (user:password@)`, { field });
  return url.toString();
}

export function checkDescription(value: unknown, field = 'description'): string {
  if (typeof value !== 'string' || value.length > MAX_DESCRIPTION_LENGTH) {
    throw new BadRequestError(`${field} must be a string of at most ${MAX_DESCRIPTION_LENGTH} characters`, { field });
  }
  return value;
}

export function checkOrdering(value: unknown, field = 'ordering'): 'none' | 'conversation' {
  if (!(ORDERINGS as readonly unknown[]).includes(value)) throw new BadRequestError(`${field} must be one of ${ORDERINGS.join(', ')}`, { field });
  return value as 'none' | 'conversation';
}

/** Validates a new subscription (body of create); returns it normalized, `secret` kept only if given. */
export function checkSubscriptionInput(input: unknown): Checked<SubscriptionInput> {
  if (!isPlainObject(input)) throw new BadRequestError('the subscription must be an object { url, events, filter?, description?, ordering?, secret? }', { field: '(body)' });
  onlyFields(input, ['url', 'events', 'filter', 'description', 'ordering', 'secret'], { id: 'ids are generated', tenantId: "the API key's tenant is used", status: 'use enable / disable' });
  const out: Checked<SubscriptionInput> = { url: checkUrlShape(input.url), events: checkEvents(input.events) };
  if (input.filter !== undefined && input.filter !== null) out.filter = checkSubscriptionFilter(input.filter);
  if (input.description !== undefined && input.description !== null) out.description = checkDescription(input.description);
  if (input.ordering !== undefined) out.ordering = checkOrdering(input.ordering);
  if (input.secret !== undefined) out.secret = checkSubscriptionSecret(input.secret);
  return out;
}

/** Validates an update: `url`, `events`, `filter`, `description`, `ordering`; `null` removes filter or description. */
export function checkSubscriptionUpdate(patch: unknown): Omit<SubscriptionUpdate, 'events'> & { events?: WebhookEventType[] } {
  if (!isPlainObject(patch)) throw new BadRequestError('the changes must be an object', { field: '(body)' });
  onlyFields(patch, ['url', 'events', 'filter', 'description', 'ordering'], {
    secret: 'use rotate-secret', secrets: 'use rotate-secret', status: 'use enable / disable', id: 'ids never change', tenantId: 'a subscription stays with its tenant',
  });
  const out: Omit<SubscriptionUpdate, 'events'> & { events?: WebhookEventType[] } = {};
  if (patch.url !== undefined) out.url = checkUrlShape(patch.url);
  if (patch.events !== undefined) out.events = checkEvents(patch.events);
  if (patch.filter !== undefined) out.filter = patch.filter === null ? null : checkSubscriptionFilter(patch.filter);
  if (patch.description !== undefined) out.description = patch.description === null ? null : checkDescription(patch.description);
  if (patch.ordering !== undefined) out.ordering = checkOrdering(patch.ordering);
  return out;
}

/** Validates one entry of `SWITCHBOARD_SUBSCRIPTIONS`: the fields of create plus `id`, `tenantId`, `status`, and `secret` or `secrets`. */
export function checkStaticSubscription(input: unknown): Checked<StaticSubscriptionInput> & { secrets: string[] } {
  if (!isPlainObject(input)) throw new BadRequestError('a subscription must be an object', { field: '(entry)' });
  onlyFields(input, ['id', 'tenantId', 'url', 'events', 'filter', 'description', 'ordering', 'status', 'secret', 'secrets']);
  const { id, tenantId, status, secret, secrets, ...rest } = input;
  const base = checkSubscriptionInput(rest);
  if (secret !== undefined && secrets !== undefined) throw new BadRequestError('give secret or secrets, not both', { field: 'secrets' });
  let list: string[];
  if (secrets !== undefined) {
    if (!Array.isArray(secrets) || secrets.length === 0) throw new BadRequestError('secrets must be a non-empty array', { field: 'secrets' });
    list = secrets.map((s, i) => checkSubscriptionSecret(s, `secrets[${i}]`));
  } else if (secret !== undefined) {
    list = [checkSubscriptionSecret(secret)];
  } else {
    throw new BadRequestError('a static subscription needs its secret (secret or secrets, "whsec_...")', { field: 'secret' });
  }
  if (status !== undefined && !STATUSES.includes(status as SubscriptionStatus)) throw new BadRequestError(`status must be one of ${STATUSES.join(', ')}`, { field: 'status' });
  return {
    ...base, id: checkSubscriptionId(id), tenantId: checkSubscriptionId(tenantId, 'tenantId'), secrets: list,
    ...(status !== undefined ? { status: status as SubscriptionStatus } : {}),
  };
}
