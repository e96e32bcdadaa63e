/**
 * The `generic` integration: any system that can POST JSON signed with Standard Webhooks headers.
 *
 * Inbound (`POST /webhooks/generic/<channelId>`, `webhook-id` / `webhook-timestamp` / `webhook-signature`):
 *
 * ```json
 * { "messages": [{ "id": "m_1", "conversationId": "c_1", "from": { "id": "u_1", "name": "Ann" },
 *                  "text": "hello", "timestamp": 1732250000000 }] }
 * ```
 *
 * Each message needs `id`, `conversationId`, `from.id`, and `text` or a `content` object (any
 * `NormalizedMessage` content); `to`, `timestamp` (ms, default: when received), `replyToId`, `metadata`
 * are optional. The event id is `webhook-id`, which the sender keeps across retries.
 *
 * Outbound (`sendMessage`): `POST settings.outboundUrl` with `{ channelId, message }`, headers
 * `Authorization: Bearer <credentials.token>` and `Idempotency-Key`; the answer's `id` is the message id.
 *
 * Channels come from the channel registry (`SWITCHBOARD_CHANNELS`); with that variable unset and no
 * NATS_URL/REDIS_URL (one-process memory mode), the demo channel below is registered so `npm start` +
 * `npm run send-sample` work at once. Its secret is public, so it is never registered on shared servers.
 */
import { BadRequestError, ConfigError, defineIntegration, standardWebhooks, type AppContext, type IntegrationConfig, type MessageContent, type NormalizedMessage, type OutboundMessage, type WebhookEvent } from '@switchboard/sdk';
import { type SendAttempt } from '@switchboard/sdk/integration';
import { channelRegistry, parseChannelsSource, seedChannels, type ChannelInput } from '@switchboard/sdk/registry';
import { ensureOk } from '@switchboard/sdk/retry';
import { guardedFetch } from '@switchboard/sdk/security';
import { runtimeOf } from '@switchboard/sdk/store';

/** One message of a generic webhook body. */
export interface GenericInboundMessage {
  id: string;
  conversationId: string;
  from: { id: string; name?: string };
  to?: { id: string; name?: string };
  text?: string;
  content?: MessageContent;
  timestamp?: number;
  replyToId?: string;
  metadata?: Record<string, unknown>;
}

/** A generic webhook body. */
export interface GenericWebhookBody {
  messages: GenericInboundMessage[];
}

/** The channel registered when `SWITCHBOARD_CHANNELS` is unset, in memory mode only: for local trials. */
export const GENERIC_DEMO_CHANNEL: ChannelInput = {
  id: 'demo',
  tenantId: 'demo',
  platform: 'generic',
  credentials: { token: 'demo-token' },
  secrets: [`whsec_${Buffer.from('switchboard-demo-secret-change-me').toString('base64')}`],
  settings: { outboundUrl: 'http://127.0.0.1:3999/messages' },
  status: 'active',
};

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

function validMessage(m: unknown): m is GenericInboundMessage {
  if (!m || typeof m !== 'object') return false;
  const x = m as Partial<GenericInboundMessage>;
  const hasContent = typeof x.text === 'string' || (typeof x.content === 'object' && x.content !== null && isString((x.content as { type?: unknown }).type));
  return isString(x.id) && isString(x.conversationId) && isString(x.from?.id) && hasContent
    && (x.timestamp === undefined || (typeof x.timestamp === 'number' && Number.isFinite(x.timestamp)));
}

export default defineIntegration({
  name: 'generic',
  spec: {
    id: 'generic', name: 'Generic webhooks', platform: 'generic', version: '1.0.0', status: 'ACTIVE',
    capabilities: ['RECEIVE_MESSAGE', 'SEND_MESSAGE'],
    description: 'Any JSON source or sink, signed with Standard Webhooks.',
  },
  webhookSignature: standardWebhooks(),

  validateWebhook(webhook: WebhookEvent<GenericWebhookBody>) {
    const { messages } = webhook.payload;
    if (!Array.isArray(messages) || messages.length === 0) throw new BadRequestError('body.messages must be a non-empty array');
    const bad = messages.findIndex((m) => !validMessage(m));
    if (bad >= 0) throw new BadRequestError(`body.messages[${bad}] needs id, conversationId, from.id and text or content`);
    return true;
  },

  normalize(webhook: WebhookEvent<GenericWebhookBody>): NormalizedMessage[] {
    return webhook.payload.messages.map((m) => ({
      id: m.id,
      platform: 'generic',
      conversationId: m.conversationId,
      from: m.from,
      ...(m.to ? { to: m.to } : {}),
      timestamp: m.timestamp ?? webhook.receivedAt,
      content: m.content ?? { type: 'text', text: m.text ?? '' },
      ...(m.replyToId ? { replyToId: m.replyToId } : {}),
      ...(m.metadata ? { metadata: m.metadata } : {}),
    }));
  },

  async sendMessage(_ctx: AppContext, message: OutboundMessage, channel: IntegrationConfig, attempt: SendAttempt) {
    const url = channel.settings.outboundUrl;
    const token = channel.credentials.token;
    if (!isString(url)) throw new ConfigError(`channel ${channel.id}: settings.outboundUrl is not set`, { channelId: channel.id });
    if (!isString(token)) throw new ConfigError(`channel ${channel.id}: credentials.token is not set`, { channelId: channel.id });
    // The URL is the tenant's: internal addresses are refused unless SWITCHBOARD_ALLOW_PRIVATE_URLS=true.
    const response = await guardedFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': attempt.idempotencyKey },
      body: JSON.stringify({ channelId: channel.id, message }),
      signal: attempt.signal,
    }, { allowPrivateNetworks: runtimeOf(this.broker).allowPrivateNetworks, onRefused: (detail) => this.logger.warn(`channel ${channel.id}: outboundUrl refused: ${detail}`) });
    await ensureOk(response, 'generic send');
    const body = (await response.json().catch(() => null)) as { id?: unknown } | null;
    const id = body?.id;
    if (!(isString(id) || typeof id === 'number')) throw new BadRequestError('the outbound endpoint answered without an `id`');
    return { messageId: String(id) };
  },

  async started() {
    const source = process.env.SWITCHBOARD_CHANNELS;
    // The demo channel's secret is public: register it only in one-process memory mode, never on shared NATS/Redis.
    const { natsUrl, redisUrl } = runtimeOf(this.broker);
    const demo = natsUrl || redisUrl ? [] : [GENERIC_DEMO_CHANNEL];
    const channels = source ? parseChannelsSource(source).filter((c) => c.platform === 'generic') : demo;
    await seedChannels(channelRegistry(this.broker), channels);
  },
});
