/** `i_verifyWebhook`: answers a GET subscription challenge (Meta `hub.mode` / `hub.verify_token` / `hub.challenge` by default). */
import { BadRequestError, ForbiddenError } from '../../errors';
import { constantTimeEqual } from '../../security';
import type { IntegrationConfig } from '../../types';
import type { WebhookChallengeAnswer, WebhookChallengeRequest } from '../types';

/** Reads the channel's verify token: `settings.verifyToken`, else `credentials.verifyToken`. */
function verifyTokenOf(channel: IntegrationConfig): string | undefined {
  const token = channel.settings?.verifyToken ?? channel.credentials?.verifyToken;
  return typeof token === 'string' && token.length > 0 ? token : undefined;
}

/**
 * Meta's challenge: `hub.mode=subscribe` and a `hub.verify_token` equal to the channel's verify token
 * → the `hub.challenge` as text. No challenge in the query → 400; wrong or unset token → 403.
 */
export function metaChallenge(request: WebhookChallengeRequest, channel: IntegrationConfig): WebhookChallengeAnswer {
  const mode = request.query['hub.mode'];
  const challenge = request.query['hub.challenge'];
  const sent = request.query['hub.verify_token'];
  if (mode !== 'subscribe' || typeof challenge !== 'string' || challenge === '' || typeof sent !== 'string') {
    throw new BadRequestError('no subscription challenge in the query (hub.mode=subscribe, hub.verify_token, hub.challenge)');
  }
  const expected = verifyTokenOf(channel);
  if (!expected || !constantTimeEqual(Buffer.from(sent, 'utf8'), Buffer.from(expected, 'utf8'))) {
    throw new ForbiddenError('hub.verify_token does not match the channel');
  }
  return challenge;
}
