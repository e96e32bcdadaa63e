/** `Retry-After` (delta-seconds or HTTP-date) and other wait hints, as milliseconds. */

const SECONDS = /^\d+(?:\.\d+)?$/;
/** IMF-fixdate and the two obsolete HTTP date forms (RFC 9110 §5.6.7). */
const HTTP_DATE = /^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT|(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \d{2}-[A-Za-z]{3}-\d{2} \d{2}:\d{2}:\d{2} GMT|(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4})$/;

/**
 * Parses a `Retry-After` value: delta-seconds (`120`, decimals tolerated) or an HTTP-date.
 * Returns the wait in ms (0 for a date in the past), or undefined when absent or malformed.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text.length === 0 || text.length > 64) return undefined;
  if (SECONDS.test(text)) {
    const ms = Math.ceil(Number(text) * 1000);
    return Number.isFinite(ms) ? ms : undefined;
  }
  if (!HTTP_DATE.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function headerOf(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  const get = (headers as { get?: unknown }).get;
  if (typeof get === 'function') {
    const value: unknown = get.call(headers, name);
    return typeof value === 'string' ? value : undefined;
  }
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? String(value[0]) : typeof value === 'string' ? value : undefined;
  }
  return undefined;
}

/**
 * The built-in wait hint of an error, in ms: `data.retryAfterMs` (set by `PlatformError`),
 * `retryAfterMs`, or a `retry-after` header on `headers` / `response.headers`.
 */
export function retryAfterFromError(error: unknown, now: number = Date.now()): number | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const e = error as { data?: { retryAfterMs?: unknown }; retryAfterMs?: unknown; headers?: unknown; response?: { headers?: unknown } };
  for (const candidate of [e.data?.retryAfterMs, e.retryAfterMs]) {
    if (typeof candidate === 'number' && Number.isFinite(candidate) && candidate >= 0) return candidate;
  }
  return parseRetryAfter(headerOf(e.headers, 'retry-after') ?? headerOf(e.response?.headers, 'retry-after'), now);
}

/**
 * Telegram's hint: a 429 body `{ ok: false, parameters: { retry_after: <seconds> } }`, read from
 * `data.body` (as `PlatformError` keeps it) or `body`. Pass as the `retryAfter` option.
 */
export function telegramRetryAfter(error: unknown): number | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const e = error as { data?: { body?: unknown }; body?: unknown };
  const body = (e.data?.body ?? e.body) as { parameters?: { retry_after?: unknown } } | undefined;
  const seconds = body?.parameters?.retry_after;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}
