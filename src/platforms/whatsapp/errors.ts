/**
 * WhatsApp failures as typed errors: the closed 24-hour window (`WINDOW_CLOSED`, 4xx, never retried) and
 * the Graph API's error codes mapped to retry decisions — 130429 (throughput) and 131056 (pair rate) wait
 * and retry; 131047 is `WINDOW_CLOSED`; 190 (token) and other 4xx codes are permanent.
 */
import { Errors } from 'moleculer';
import { PlatformError, RateLimitError } from '../../errors';
import { MAX_ERROR_BODY_CHARS, parseRetryAfter } from '../../retry';
import type { WhatsAppError } from './types';

/** The error type of a send refused because the customer-service window is closed. */
export const WINDOW_CLOSED = 'WINDOW_CLOSED';

/**
 * 400: a free-form message to a user whose last message is older than 24 hours (or Meta's 131047).
 * Send a template instead, or set the channel's `settings.windowTemplate`. Not retried.
 */
export class WindowClosedError extends Errors.MoleculerClientError {
  constructor(message: string, data?: Record<string, unknown>) {
    super(message, 400, WINDOW_CLOSED, data);
  }
}

/** Throughput (per number) exceeded: wait, then retry. */
export const THROUGHPUT_CODE = 130429;
/** Pair rate (messages to one user) exceeded: wait, then retry. */
export const PAIR_RATE_CODE = 131056;
/** More than 24 hours since the user's last message. */
export const WINDOW_CODE = 131047;
/** The access token is invalid or expired. */
export const TOKEN_CODE = 190;

/** Waits suggested when Meta gives none: 1 s for throughput, 6 s (one pair slot) for the pair rate, 60 s for app/account call limits. */
export const RATE_LIMIT_WAIT_MS: Readonly<Record<number, number>> = Object.freeze({
  [THROUGHPUT_CODE]: 1_000, [PAIR_RATE_CODE]: 6_000, 4: 60_000, 80007: 60_000,
});

/** Codes whose send may succeed later (Meta's "something went wrong" / "service unavailable" family). */
const TRANSIENT_CODES = new Set([1, 2, 131000, 131016, 131057, 133004]);

/** The Graph error object of an answer body (`{ error: { code, message, error_data, ... } }`). */
export function graphError(body: unknown): (WhatsAppError & { type?: string; error_subcode?: number; fbtrace_id?: string }) | undefined {
  const e = (body as { error?: unknown } | null)?.error;
  return e && typeof e === 'object' ? (e as WhatsAppError) : undefined;
}

/** The Graph error's code, or undefined. */
export function graphErrorCode(err: unknown): number | undefined {
  const code = (err as { data?: { platformCode?: unknown } } | null)?.data?.platformCode;
  return typeof code === 'number' ? code : undefined;
}

/**
 * Reads a non-2xx Graph API answer and returns the error to throw: `WindowClosedError` (131047),
 * `RateLimitError` (429, retryable, `data.retryAfterMs`) for the rate limits, `PlatformError` otherwise
 * (retryable for 5xx and the transient codes). `data.platformCode` is Meta's code, `data.status` the HTTP status.
 */
export async function whatsappApiError(response: Response, what: string): Promise<Error> {
  let text = '';
  try { text = (await response.text()).slice(0, MAX_ERROR_BODY_CHARS); } catch { /* the body is a nice-to-have */ }
  let body: unknown = text;
  try { body = text ? JSON.parse(text) : undefined; } catch { /* not JSON */ }
  const e = graphError(body);
  const code = typeof e?.code === 'number' ? e.code : undefined;
  const details = e?.error_data?.details;
  const reason = [e?.message, details && details !== e?.message ? details : undefined].filter(Boolean).join(': ') || `HTTP ${response.status}`;
  const message = `${what} failed${code !== undefined ? ` with Graph error ${code}` : ''} (HTTP ${response.status}): ${reason}`;
  const platform = { platformCode: code, platformStatus: response.status, body };
  if (code === WINDOW_CODE) return new WindowClosedError(`${message} — send a template, or set settings.windowTemplate`, { platformCode: code });
  if (code !== undefined && code in RATE_LIMIT_WAIT_MS) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after')) ?? RATE_LIMIT_WAIT_MS[code];
    return new RateLimitError(message, { ...platform, retryAfterMs });
  }
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
  // PlatformError is retryable for 408/429/5xx; a transient Graph code under a 4xx is reported as a 503.
  const status = code !== undefined && TRANSIENT_CODES.has(code) && response.status < 500 ? 503 : response.status;
  return new PlatformError(message, { status, ...platform, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
}
