/** Compile-only: `defineIntegration` infers the webhook payload type from one annotated hook. */
import { defineIntegration, standardWebhooks, type WebhookEvent } from '../../src/index';

interface AcmeBody { id: string; messages: Array<{ id: string; text: string }> }
const spec = { id: 'a', name: 'A', platform: 'a', version: '1', status: 'ACTIVE' as const, capabilities: [] };

defineIntegration({
  name: 'typed',
  spec,
  webhookSignature: standardWebhooks(),
  normalize: (webhook: WebhookEvent<AcmeBody>) => webhook.payload.messages.map((m) => ({
    id: m.id, platform: 'a', conversationId: 'c', from: { id: 'u' }, timestamp: 0, content: { type: 'text' as const, text: m.text },
  })),
  eventId: (webhook) => {
    const id: string = webhook.payload.id;
    // @ts-expect-error — the payload is AcmeBody, which has no `nope`
    return webhook.payload.nope ?? id;
  },
  validateWebhook: (webhook) => webhook.payload.messages.length > 0,
});

defineIntegration({
  name: 'bad',
  spec,
  webhookSignature: standardWebhooks(),
  // @ts-expect-error — normalize must return NormalizedMessage[]
  normalize: () => [{ id: 1 }],
});
