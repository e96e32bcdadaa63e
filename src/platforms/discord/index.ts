/**
 * Discord: `discord(options?)` → a config for `defineIntegration`. The interactions endpoint (Ed25519 over
 * timestamp + body with the application's public key): PINGs answered, application commands and message
 * components stored, then answered "deferred" (type 5) so Discord's 3-second deadline is met; the reply is
 * sent with `i_sendMessage` (it completes the deferred response with the interaction token), or as a channel
 * message with the bot token. Channel: `secrets: [public key hex]`, `credentials: { botToken, applicationId }`.
 * Ordinary channel messages arrive over Discord's websocket Gateway, not webhooks: out of scope here.
 */
import type { Service } from 'moleculer';
import type { IntegrationServiceConfig } from '../../integration/types';
import type { SendAttempt } from '../../integration/outbound/send-message';
import { ed25519Signature } from '../../security';
import type { AppContext, IntegrationConfig, OutboundMessage, WebhookEvent } from '../../types';
import { credential } from '../shared/api';
import { callDiscord } from './api';
import { discordEventType, normalizeDiscord } from './normalize';
import { discordCall, discordMessageId } from './send';
import { INTERACTION_TYPE, RESPONSE_TYPE, type DiscordInteraction } from './types';

export type DiscordIntegrationConfig = IntegrationServiceConfig<DiscordInteraction>;
/** Anything of the integration's config; what is given replaces the Discord default. */
export type DiscordOptions = Partial<DiscordIntegrationConfig>;

/** `GET /users/@me` with the bot token: valid and healthy when Discord knows it. */
async function whoAmI(service: Service, channel: IntegrationConfig) {
  const started = Date.now();
  try {
    const me = await callDiscord(service, channel, 'GET', '/users/@me', { auth: `Bot ${credential(channel, 'botToken')}` });
    return { ok: true as const, latencyMs: Date.now() - started, username: me?.username };
  } catch (err) {
    return { ok: false as const, latencyMs: Date.now() - started, status: (err as { data?: { status?: number } }).data?.status, message: (err as Error).message };
  }
}

/** The Discord integration's config; `options` override any field (`inbound` is merged field by field). */
export function discord(options: DiscordOptions = {}): DiscordIntegrationConfig {
  return {
    name: 'discord',
    spec: {
      id: 'discord', name: 'Discord', platform: 'discord', version: '1.0.0', status: 'ACTIVE',
      capabilities: ['RECEIVE_MESSAGE', 'SEND_MESSAGE', 'WEBHOOK_VERIFICATION', 'REACTIONS', 'INTERACTIVE'],
      description: 'Discord interactions (slash commands, components) in; interaction responses and channel messages out.',
    },
    webhookSignature: ed25519Signature({ signatureHeader: 'x-signature-ed25519', timestampHeader: 'x-signature-timestamp' }),
    eventId: (webhook: WebhookEvent<DiscordInteraction>) => webhook.payload.id,
    // A PING is Discord checking the endpoint (after the signature): PONG, nothing stored.
    webhookChallenge: (webhook: WebhookEvent<DiscordInteraction>) => (webhook.payload?.type === INTERACTION_TYPE.PING ? { type: RESPONSE_TYPE.PONG } : undefined),
    normalize: (webhook: WebhookEvent<DiscordInteraction>) => normalizeDiscord(webhook.payload, webhook.receivedAt),
    eventType: (webhook: WebhookEvent<DiscordInteraction>) => discordEventType(webhook.payload),
    // Stored first, then answered inside Discord's 3 s: "thinking…" for a command (completed by i_sendMessage),
    // a silent acknowledgement for a component.
    answers: [
      { event: 'application_command', handler: () => ({ type: RESPONSE_TYPE.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE }) },
      { event: 'message_component', handler: () => ({ type: RESPONSE_TYPE.DEFERRED_UPDATE_MESSAGE }) },
    ],
    async sendMessage(this: Service, _ctx: AppContext, message: OutboundMessage, channel: IntegrationConfig, attempt: SendAttempt) {
      const call = discordCall(message);
      const answer = await callDiscord(this, channel, call.method, call.path, {
        ...(call.body ? { body: call.body } : {}), ...(call.bot ? { auth: `Bot ${credential(channel, 'botToken')}` } : {}), signal: attempt.signal,
      });
      return { messageId: discordMessageId(call, answer, message) };
    },
    async checkHealth(this: Service, _ctx: AppContext, channel: IntegrationConfig) {
      const r = await whoAmI(this, channel);
      if (r.ok) return { healthy: true, message: 'bot token accepted', latencyMs: r.latencyMs };
      return { healthy: false, message: r.status === 401 ? 'the bot token is not accepted (401): replace credentials.botToken' : r.message, latencyMs: r.latencyMs, details: { status: r.status } };
    },
    async validateCredentials(this: Service, _ctx: AppContext, channel: IntegrationConfig) {
      const r = await whoAmI(this, channel);
      return r.ok ? { valid: true, message: 'bot token accepted' } : { valid: false, message: r.message };
    },
    ...options,
    // Nested options merge over the platform's own, so `{ inbound: { channelCacheTtlMs: 0 } }` keeps them.
    inbound: { ...{ answerTimeoutMs: 1_500 }, ...options.inbound },
  } as DiscordIntegrationConfig;
}

export { normalizeDiscord, discordEventType, snowflakeTime } from './normalize';
export { discordCall, discordMessageId, type DiscordCall } from './send';
export { DISCORD_API_BASE, callDiscord, discordRetryAfterMs } from './api';
export { INTERACTION_TYPE, RESPONSE_TYPE } from './types';
export type { DiscordInteraction, DiscordUser, DiscordCommandOption } from './types';
