/** Judges an attempt: delivered (2xx), gone (410: disable the subscription), or failed (retry if the schedule allows). */
import type { AttemptResult } from './attempt';
import { RETRY_AFTER_STATUSES } from './schedule';

export type Verdict =
  | { kind: 'succeeded' }
  | { kind: 'gone'; error: { code: string; message: string } }
  | { kind: 'failed'; error: { code: string; message: string }; retryAfterMs?: number };

export function judgeAttempt(r: AttemptResult): Verdict {
  if (!r.response) return { kind: 'failed', error: r.error ?? { code: 'UNKNOWN', message: 'no answer' } };
  const { status } = r.response;
  if (status >= 200 && status < 300) return { kind: 'succeeded' };
  if (status === 410) return { kind: 'gone', error: { code: 'GONE', message: 'HTTP 410: the subscriber asked to stop deliveries' } };
  if (status >= 300 && status < 400) {
    const location = r.response.headers.location;
    return { kind: 'failed', error: { code: 'REDIRECT', message: `HTTP ${status}: redirects are not followed${location ? ` (to ${location.slice(0, 200)})` : ''}` } };
  }
  const error = { code: 'HTTP_ERROR', message: `HTTP ${status}` };
  return RETRY_AFTER_STATUSES.has(status) && r.retryAfterMs !== undefined ? { kind: 'failed', error, retryAfterMs: r.retryAfterMs } : { kind: 'failed', error };
}
