/** Slack Web API answers → errors the retry loop understands: 429 and `ratelimited` wait, the rest by kind. */
import { PlatformError } from '../../errors';
import { parseRetryAfter } from '../../retry';

/** `ok:false` errors that will not change on a retry (the message, channel or app is wrong). */
export const SLACK_PERMANENT_ERRORS = new Set([
  'channel_not_found', 'not_in_channel', 'is_archived', 'msg_too_long', 'no_text', 'invalid_blocks', 'invalid_arguments',
  'message_not_found', 'cant_update_message', 'cant_delete_message', 'already_reacted', 'invalid_name', 'too_many_reactions',
  'restricted_action', 'missing_scope', 'not_allowed_token_type', 'team_access_not_granted', 'channel_is_archived',
]);

/** `ok:false` errors that mean the token no longer works: the channel is unhealthy until its credentials change. */
export const SLACK_AUTH_ERRORS = new Set(['invalid_auth', 'not_authed', 'token_revoked', 'token_expired', 'account_inactive']);

/** `ok:false` errors that are Slack's own trouble: retried like a 5xx. */
const SLACK_TRANSIENT_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/** Slack's default wait when a `ratelimited` answer has no `Retry-After`: 1 s (tier limits are per minute). */
export const DEFAULT_SLACK_RETRY_AFTER_MS = 1_000;

/**
 * Throws for an `ok:false` answer: `ratelimited` → 429 with the `Retry-After` wait (retried), Slack's own
 * errors → 503 (retried), the rest → 400/401 (not retried), `data.platformCode` the Slack error string.
 */
export function throwSlackError(method: string, body: { error?: unknown }, headers: Headers): never {
  const code = typeof body.error === 'string' ? body.error : 'unknown_error';
  if (code === 'ratelimited' || code === 'rate_limited') {
    const retryAfterMs = parseRetryAfter(headers.get('retry-after')) ?? DEFAULT_SLACK_RETRY_AFTER_MS;
    throw new PlatformError(`slack ${method}: rate limited`, { status: 429, retryAfterMs, platformCode: code });
  }
  const status = SLACK_TRANSIENT_ERRORS.has(code) ? 503 : SLACK_AUTH_ERRORS.has(code) ? 401 : 400;
  throw new PlatformError(`slack ${method} failed: ${code}`, { status, platformCode: code });
}
