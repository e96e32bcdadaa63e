/** Turns a platform's non-2xx HTTP answer into a `PlatformError` that `executeWithRetry` classifies and honours. */
import { PlatformError } from '../errors';
import { parseRetryAfter } from './retry-after';

/** At most this many characters of a platform's error body are kept on the error. */
export const MAX_ERROR_BODY_CHARS = 2_000;

/**
 * Resolves for a 2xx `Response`; otherwise reads (a bounded part of) the body and throws a
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
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
  throw new PlatformError(`${what} failed with HTTP ${response.status}`, {
    status: response.status,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(body !== undefined ? { body } : {}),
  });
}
