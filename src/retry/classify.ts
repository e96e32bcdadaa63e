/** Sorts a failed attempt: retry it, stop at once, or (it may have reached the platform) retry only when idempotent. */

/**
 * - `retryable`: nothing was done, or the platform said try again (network failure before the
 *   request was sent, 408, 429, 5xx, a Moleculer error with `retryable: true`);
 * - `ambiguous`: the request may have reached the platform (attempt timeout, connection reset
 *   mid-request) — retried only when the operation is idempotent;
 * - `fatal`: retrying cannot help (other 4xx, programming errors).
 */
export type FailureKind = 'retryable' | 'ambiguous' | 'fatal';

/** The connection was never made: the request cannot have reached the platform. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'UND_ERR_CONNECT_TIMEOUT',
]);
/** The connection broke or stalled after the request may have been written. */
const MAYBE_SENT_CODES = new Set([
  'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED',
]);

/** The HTTP status an error carries: `data.status` (PlatformError), `status`, `statusCode` or `response.status`. */
export function statusOf(error: unknown): number | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const e = error as { data?: { status?: unknown }; status?: unknown; statusCode?: unknown; response?: { status?: unknown } };
  for (const candidate of [e.data?.status, e.status, e.statusCode, e.response?.status]) {
    if (typeof candidate === 'number' && Number.isInteger(candidate) && candidate >= 100 && candidate <= 599) return candidate;
  }
  return undefined;
}

/** The first system error code (`ECONNREFUSED`, `UND_ERR_SOCKET`...) along the `cause` chain. */
export function networkCodeOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (NOT_SENT_CODES.has(code) || MAYBE_SENT_CODES.has(code))) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Classifies a failed attempt's error by the built-in rules (see {@link FailureKind}). */
export function classifyFailure(error: unknown): FailureKind {
  const status = statusOf(error);
  if (status !== undefined) return status === 408 || status === 429 || status >= 500 ? 'retryable' : 'fatal';
  const code = networkCodeOf(error);
  if (code !== undefined) return NOT_SENT_CODES.has(code) ? 'retryable' : 'ambiguous';
  if (error && typeof error === 'object') {
    const e = error as { name?: unknown; type?: unknown; retryable?: unknown };
    if (e.name === 'TimeoutError' || e.type === 'TIMEOUT') return 'ambiguous';
    if (e.retryable === true) return 'retryable';
  }
  return 'fatal';
}
