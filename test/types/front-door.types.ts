/** Compile-only: `eventType` and `answers` handlers see the inferred payload; `bodyFormats` takes only known formats. */
import { defineIntegration, ed25519Signature, jsonKeyEquals, type WebhookEvent } from '../../src/index';

interface Interaction { id: string; type: number; data?: { name: string } }
const spec = { id: 'd', name: 'D', platform: 'd', version: '1', status: 'ACTIVE' as const, capabilities: [] };

defineIntegration({
  name: 'typed-answers',
  spec,
  webhookSignature: ed25519Signature(),
  inbound: { bodyFormats: ['json', 'form'], answerTimeoutMs: 1500 },
  normalize: (webhook: WebhookEvent<Interaction>) => (webhook.payload.type === 2 ? [] : []),
  eventType: (webhook) => (webhook.payload.type === 1 ? 'ping' : 'command'),
  answers: [
    { event: 'ping', handler: () => ({ type: 1 }) },
    {
      event: ['command'], filter: jsonKeyEquals('data.name', 'help'),
      handler: (webhook, stored) => {
        const name: string | undefined = webhook.payload.data?.name;
        const count: number = stored.messages;
        // @ts-expect-error — the payload is Interaction, which has no `nope`
        return { type: 4, data: { content: `${name} ${count} ${webhook.payload.nope}` } };
      },
    },
  ],
});

defineIntegration({
  name: 'bad-format',
  spec,
  webhookSignature: ed25519Signature(),
  // @ts-expect-error — 'xml' is not a body format
  inbound: { bodyFormats: ['xml'] },
  normalize: () => [],
});
