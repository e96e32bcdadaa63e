/**
 * Body formats an integration takes (`inbound.bodyFormats`): the request's content type picks one (415 when it is
 * none of them); after verification the bytes are parsed in that format — JSON, or a form whose `payload`-like
 * fields (Slack interactivity) hold JSON. Same depth limit, a field-count limit, no prototype keys.
 */
import { BadRequestError, UnsupportedMediaTypeError } from '../../errors';
import { formPairs } from '../../security';
import { parsePayload } from './parse';

/** `json`: `application/json` and `application/*+json`. `form`: `application/x-www-form-urlencoded`. */
export type BodyFormat = 'json' | 'form';
export const BODY_FORMATS: readonly BodyFormat[] = ['json', 'form'];

const MEDIA_TYPES: Record<BodyFormat, string> = { json: 'application/json', form: 'application/x-www-form-urlencoded' };
/** Field names never copied into a form payload: they would reach an object's prototype in a later merge. */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function formatOfType(type: string): BodyFormat | undefined {
  if (type === MEDIA_TYPES.json || /^application\/[a-z0-9.!#$&^_-]+\+json$/.test(type)) return 'json';
  if (type === MEDIA_TYPES.form) return 'form';
  return undefined;
}

/**
 * The format of the request's body from its `content-type` (parameters ignored). No content type → `json` when
 * accepted (direct action calls), else 415; a type outside `accepted` → 415 naming what is taken.
 */
export function requestBodyFormat(headers: Record<string, string>, accepted: readonly BodyFormat[]): BodyFormat {
  const header = headers['content-type'];
  const type = header?.split(';')[0].trim().toLowerCase();
  const format = type ? formatOfType(type) : accepted.includes('json') ? 'json' : undefined;
  if (format && accepted.includes(format)) return format;
  const takes = accepted.map((f) => MEDIA_TYPES[f]).join(' or ');
  throw new UnsupportedMediaTypeError(type ? `content type "${type}" is not accepted by this integration; send ${takes}` : `no content type; send ${takes}`, { accepted: accepted.map((f) => MEDIA_TYPES[f]) });
}

export interface BodyLimits {
  maxJsonDepth: number;
  /** Most fields a form body may carry. */
  maxFormFields: number;
  /** Form fields whose value is JSON (Slack's `payload`): parsed when it starts with `{` or `[`. */
  formJsonFields: readonly string[];
}

/**
 * A form body as an object: each field's value (a repeated field → an array of values, in order); the
 * `formJsonFields` parsed as JSON (malformed → 400). `__proto__`, `constructor` and `prototype` fields are dropped.
 */
export function parseFormPayload(rawBody: Buffer, limits: BodyLimits): Record<string, unknown> {
  const pairs = formPairs(rawBody);
  if (!pairs) throw new BadRequestError('body is not a valid form: a percent-escape is broken');
  if (pairs.length > limits.maxFormFields) throw new BadRequestError(`the form has ${pairs.length} fields; the limit is ${limits.maxFormFields}`, { maxFormFields: limits.maxFormFields });
  const payload: Record<string, unknown> = {};
  const repeated = new Set<string>();
  for (const [name, text] of pairs) {
    if (UNSAFE_KEYS.has(name)) continue;
    let value: unknown = text;
    if (limits.formJsonFields.includes(name) && /^\s*[[{]/.test(text)) {
      try {
        value = parsePayload(Buffer.from(text, 'utf8'), limits.maxJsonDepth);
      } catch (err) {
        throw new BadRequestError(`form field "${name}" is not valid JSON: ${(err as Error).message}`, { field: name });
      }
    }
    if (!Object.prototype.hasOwnProperty.call(payload, name)) payload[name] = value;
    else if (repeated.has(name)) (payload[name] as unknown[]).push(value);
    else {
      payload[name] = [payload[name], value];
      repeated.add(name);
    }
  }
  return payload;
}

/** Step 4: the verified bytes parsed in the request's format. */
export function parseBody(rawBody: Buffer, format: BodyFormat, limits: BodyLimits): Record<string, unknown> | unknown[] {
  return format === 'form' ? parseFormPayload(rawBody, limits) : parsePayload(rawBody, limits.maxJsonDepth);
}
