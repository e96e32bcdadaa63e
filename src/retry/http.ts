/** Turns a platform's non-2xx HTTP answer into a `PlatformError` that `executeWithRetry` classifies and honours. */
import { PlatformError } from '../errors';
import { parseRetryAfter } from './retry-after';

/** At most this many characters of a platform's error body are kept on the error. */
export const MAX_ERROR_BODY_CHARS = 2_000;

/** A body as JSON when it parses, else as text; `undefined` when empty. */
export function parseOrText(text: string): unknown {
  if (!text) return undefined;
  try { return JSON.parse(text) as unknown; } catch { return text; }
}

/**
 * The `PlatformError` of a non-2xx answer: `<what> failed with HTTP <status>`, `data.status`, `data.retryAfterMs`
 * (from `Retry-After`) and `data.body` (the first characters, parsed when JSON) — whichever client read it.
 */
export function httpStatusError(what: string, status: number, retryAfter: string | null | undefined, text: string): PlatformError {
  const body = parseOrText(text.slice(0, MAX_ERROR_BODY_CHARS));
  const retryAfterMs = parseRetryAfter(retryAfter);
  return new PlatformError(`${what} failed with HTTP ${status}`, {
    status,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(body !== undefined ? { body } : {}),
  });
}

/**
 * Resolves for a 2xx `Response`; otherwise reads (a bounded part of) the body and throws {@link httpStatusError}'s
 * `PlatformError` with `status`, `retryAfterMs` (from `Retry-After`) and `body` (parsed JSON when it is JSON).
 */
export async function ensureOk(response: Response, what = 'platform request'): Promise<Response> {
  if (response.ok) return response;
  let text = '';
  try {
    text = (await response.text()).slice(0, MAX_ERROR_BODY_CHARS);
  } catch {
    // the body is a nice-to-have on an error
  }
  throw httpStatusError(what, response.status, response.headers.get('retry-after'), text);
}
