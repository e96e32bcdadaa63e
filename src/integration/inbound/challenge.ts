/** Challenges that arrive as signed POSTs (Slack `url_verification`), answered after the signature check and before any claim. */
import type { WebhookEvent } from '../../types';
import type { WebhookChallengeAnswer } from '../types';

/** Slack's Events API handshake: `{ type: 'url_verification', challenge }` → `{ challenge }`. */
export function slackUrlVerification(webhook: WebhookEvent<unknown>): WebhookChallengeAnswer | undefined {
  const payload = webhook.payload as { type?: unknown; challenge?: unknown } | null;
  if (payload && payload.type === 'url_verification' && typeof payload.challenge === 'string') return { challenge: payload.challenge };
  return undefined;
}
