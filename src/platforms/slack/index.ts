/**
 * Slack: `slack(options?)` → a config for `defineIntegration`. Events API (messages, mentions, edits, deletes,
 * files, threads, reactions), slash commands and block actions in; `chat.postMessage` / `chat.update` /
 * `chat.delete` / `reactions.add` out. Channel: `secrets: [signing secret]`, `credentials: { botToken }`.
 */
import type { Service } from 'moleculer';
import type { IntegrationServiceConfig } from '../../integration/types';
import { slackSignature } from '../../security';
import type { AppContext, IntegrationConfig, OutboundMessage, WebhookEvent } from '../../types';
import type { SendAttempt } from '../../integration/outbound/send-message';
import { callSlack } from './api';
import { SLACK_AUTH_ERRORS } from './errors';
import { normalizeSlack, slackEventId, slackEventType } from './normalize';
import { sentMessageId, slackCall } from './send';
import type { SlackPayload } from './types';

export type SlackIntegrationConfig = IntegrationServiceConfig<SlackPayload>;
/** Anything of the integration's config; what is given replaces the Slack default (e.g. `name`, `normalize`). */
export type SlackOptions = Partial<SlackIntegrationConfig>;

/** `auth.test` with the channel's token: valid and healthy when Slack knows the token. */
async function authTest(service: Service, channel: IntegrationConfig) {
  const started = Date.now();
  try {
    const answer = await callSlack(service, channel, 'auth.test', {});
    return { ok: true as const, latencyMs: Date.now() - started, team: answer.team, user: answer.user };
  } catch (err) {
    const code = (err as { data?: { platformCode?: string } }).data?.platformCode;
    return { ok: false as const, latencyMs: Date.now() - started, code, message: (err as Error).message };
  }
}

/** The Slack integration's config; `options` override any field (`inbound` is merged field by field). */
export function slack(options: SlackOptions = {}): SlackIntegrationConfig {
  return {
    name: 'slack',
    spec: {
      id: 'slack', name: 'Slack', platform: 'slack', version: '1.0.0', status: 'ACTIVE',
      capabilities: ['RECEIVE_MESSAGE', 'SEND_MESSAGE', 'WEBHOOK_VERIFICATION', 'REACTIONS', 'INTERACTIVE'],
      description: 'Slack Events API, slash commands and interactivity in; the Web API out.',
    },
    webhookSignature: slackSignature(),
    eventType: (webhook: WebhookEvent<SlackPayload>) => slackEventType(webhook.payload),
    // Slack shows a command's answer body to the user: acknowledge commands and interactions with an empty
    // 200 once stored, and reply with i_sendMessage (or the message's metadata.responseUrl).
    answers: [{ event: ['slash_command', 'block_actions'], handler: () => '' }],
    eventId: (webhook: WebhookEvent<SlackPayload>) => slackEventId(webhook.payload),
    normalize: (webhook: WebhookEvent<SlackPayload>) => normalizeSlack(webhook.payload, webhook.receivedAt),
    async sendMessage(this: Service, _ctx: AppContext, message: OutboundMessage, channel: IntegrationConfig, attempt: SendAttempt) {
      const call = slackCall(message);
      const answer = await callSlack(this, channel, call.method, call.body, attempt.signal);
      return { messageId: sentMessageId(call, answer) };
    },
    async checkHealth(this: Service, _ctx: AppContext, channel: IntegrationConfig) {
      const r = await authTest(this, channel);
      if (r.ok) return { healthy: true, message: 'auth.test ok', latencyMs: r.latencyMs };
      const auth = r.code !== undefined && SLACK_AUTH_ERRORS.has(r.code);
      return { healthy: false, message: auth ? `the bot token is not accepted (${r.code}): replace credentials.botToken` : r.message, latencyMs: r.latencyMs, details: { platformCode: r.code } };
    },
    async validateCredentials(this: Service, _ctx: AppContext, channel: IntegrationConfig) {
      const r = await authTest(this, channel);
      return r.ok ? { valid: true, message: 'auth.test ok' } : { valid: false, message: r.code ? `auth.test: ${r.code}` : r.message };
    },
    ...options,
    // Nested options merge over the platform's own, so `{ inbound: { channelCacheTtlMs: 0 } }` keeps them.
    inbound: { ...{ bodyFormats: ['json', 'form'] }, ...options.inbound },
  } as SlackIntegrationConfig;
}

export { normalizeSlack, slackEventId, slackEventType, interactionOf, tsToMs } from './normalize';
export { slackCall, sentMessageId, type SlackCall } from './send';
export { SLACK_API_BASE, callSlack } from './api';
export { SLACK_PERMANENT_ERRORS, SLACK_AUTH_ERRORS, throwSlackError } from './errors';
export type * from './types';
