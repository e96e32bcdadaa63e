/** Keeps a channel's credentials and secrets out of anything returned to a caller or written to an event. */
import type { IntegrationConfig } from '../../types';

const REDACTED = '[redacted]';
/** Deeper than this, a value is replaced whole (a hostile answer cannot hide a secret below the walk). */
const MAX_DEPTH = 32;

/** Every credential and secret string of the channel (4+ characters), with its URL-encoded spelling, longest first. */
function secretValues(channel: IntegrationConfig): string[] {
  const out = new Set<string>();
  const walk = (value: unknown, depth: number) => {
    if (depth > 8) return;
    if (typeof value === 'string' && value.length >= 4) {
      out.add(value);
      const encoded = encodeURIComponent(value);
      if (encoded !== value) out.add(encoded);
    } else if (value && typeof value === 'object') for (const v of Object.values(value)) walk(v, depth + 1);
  };
  walk(channel.credentials, 0);
  walk(channel.secrets, 0);
  return [...out].sort((a, b) => b.length - a.length);
}

/**
 * A copy of `value` in which every string — object keys included, at any depth — containing one of
 * the channel's credential or secret values has it replaced by `[redacted]`. Hooks and platforms may
 * echo what they were given (a platform answering `{"id": "<the Authorization header>"}`); callers,
 * events and logs never see it. Values nested deeper than 32 levels become `[redacted]` whole.
 */
export function scrubSecrets<T>(value: T, channel: IntegrationConfig): T {
  const secrets = secretValues(channel);
  if (secrets.length === 0) return value;
  const text = (s: string) => secrets.reduce((acc, secret) => (acc.includes(secret) ? acc.split(secret).join(REDACTED) : acc), s);
  const clean = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return text(v);
    if (!v || typeof v !== 'object') return v;
    if (depth > MAX_DEPTH) return REDACTED;
    const json = (v as { toJSON?: unknown }).toJSON;
    if (typeof json === 'function') return clean(json.call(v), depth + 1);
    if (Array.isArray(v)) return v.map((x) => clean(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[text(k)] = clean(x, depth + 1);
    return out;
  };
  return clean(value, 0) as T;
}

const ERROR_TEXT_FIELDS = new Set<PropertyKey>(['message', 'name', 'type', 'code', 'stack']);

/**
 * A copy of a thrown error — same prototype (so `instanceof` and Moleculer's `code`, `type`, `data`,
 * `retryable` hold), same own fields — whose `message`, `name`, `type`, string `code`, `data`, `stack`
 * and `cause` chain hold no credential, so what travels to the caller (through the transporter, into
 * a dead letter or a log) is clean. `extraData` is laid over the copy's `data` (an object `data` only).
 * The error given is left untouched; a non-object is returned as is.
 */
export function scrubError<E>(err: E, channel: IntegrationConfig, extraData?: Record<string, unknown>, depth = 0): E {
  if (!err || typeof err !== 'object' || depth > 8) return err;
  const copy = Object.create(Object.getPrototypeOf(err)) as Record<PropertyKey, unknown>;
  for (const key of Reflect.ownKeys(err)) {
    const described = Object.getOwnPropertyDescriptor(err, key)!;
    let value: unknown;
    try { value = (err as Record<PropertyKey, unknown>)[key]; } catch { continue; }
    if (key === 'cause') value = scrubError(value, channel, undefined, depth + 1);
    else if (key === 'data' && value && typeof value === 'object') value = scrubSecrets(extraData ? { ...extraData, ...value } : value, channel);
    else if (ERROR_TEXT_FIELDS.has(key) && typeof value === 'string') value = scrubSecrets(value, channel);
    Object.defineProperty(copy, key, { value, enumerable: described.enumerable, writable: true, configurable: true });
  }
  return copy as E;
}
