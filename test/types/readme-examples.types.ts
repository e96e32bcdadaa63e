/** The README's code examples, compiled by `npm run test:types` so the front door cannot drift from the API. */
import {
  CHANNEL_CONFIG, Datasource, defineIntegration, defineService, ensureOk, hmacSignature, INTEGRATION_CHANNELS, jsonKeyEquals,
  type IntegrationMessageReceivedPayload, type WebhookEvent,
} from '@switchboard/sdk';

// ── Writing a service with defineService ──
class UserDatasource extends Datasource {
  async connect() { /* open a pool */ }
  async find(id: string) { return { id }; }
}

export const users = defineService({
  name: 'users',
  datasources: { user: UserDatasource },
  methods: { tag(id: string) { return `user:${id}`; } },
  memoize: { tag: { ttl: 30 } },
  actions: {
    get: {
      params: { id: 'string', full: { type: 'boolean', optional: true } },
      async handler(ctx) {
        ctx.ensurePermission('users:read');
        const full: boolean | undefined = ctx.params.full;
        void full;
        return this.memoize(`user:${ctx.params.id}`, () => ctx.datasources.user.find(ctx.params.id), { ttl: 60 });
      },
    },
  },
});

// ── Writing an integration with defineIntegration ──
interface AcmeBody { id: string; messages: Array<{ id: string; chat: string; from: string; text: string; ts: number }> }

export const acme = defineIntegration({
  name: 'acme',
  spec: { id: 'acme', name: 'Acme Chat', platform: 'acme', version: '1.0.0', status: 'ACTIVE', capabilities: ['RECEIVE_MESSAGE', 'SEND_MESSAGE'] },
  webhookSignature: hmacSignature({ header: 'x-acme-signature', algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=' }),
  eventId: (webhook: WebhookEvent<AcmeBody>) => webhook.payload.id,
  normalize: (webhook: WebhookEvent<AcmeBody>) => webhook.payload.messages.map((m) => ({
    id: m.id, platform: 'acme', conversationId: m.chat, from: { id: m.from }, timestamp: m.ts,
    content: { type: 'text', text: m.text },
  })),
  async sendMessage(_ctx, message, channel, attempt) {
    const res = await fetch('https://api.acme.example/v1/messages', {
      method: 'POST', signal: attempt.signal,
      headers: { authorization: `Bearer ${channel.credentials.token}`, 'idempotency-key': attempt.idempotencyKey },
      body: JSON.stringify({ chat: message.conversationId, content: message.content }),
    });
    await ensureOk(res);
    return { messageId: ((await res.json()) as { id: string }).id };
  },
});

// ── Consuming messages ──
export const supportBot = defineService({
  name: 'support-bot',
  channels: {
    [INTEGRATION_CHANNELS.MESSAGE_RECEIVED]: {
      ...CHANNEL_CONFIG.DEFAULTS,
      group: 'support-bot',
      filter: jsonKeyEquals('message.content.type', 'text'),
      async handler(ctx) {
        const { message, tenantId } = ctx.params;         // IntegrationMessageReceivedPayload, no cast
        const typed: IntegrationMessageReceivedPayload = ctx.params;
        void typed;
        void message;
        void tenantId;
      },
    },
  },
});
