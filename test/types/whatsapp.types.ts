/** Compile-only: `whatsapp()` is what `defineIntegration` takes; overrides are typed with Meta's payload; unknown options are errors. */
import { defineIntegration, whatsapp, type NormalizedMessage, type WhatsAppChannel } from '../../src/index';

export const shipped = defineIntegration(whatsapp());

export const custom = defineIntegration(whatsapp({
  name: 'whatsapp-eu',
  enforceWindow: true,
  outbound: { maxRateLimitWaitMs: 10_000 },
  normalize(webhook): NormalizedMessage[] {
    const first = webhook.payload.entry?.[0]?.changes?.[0]?.value?.messages?.[0];
    const wamid: string | undefined = first?.id;
    void wamid;
    return [];
  },
}));

export const channel: WhatsAppChannel = {
  id: 'wa-main', tenantId: 't', platform: 'whatsapp', secrets: ['app-secret'], status: 'active',
  credentials: { accessToken: 'EAAG...', phoneNumberId: '106540352242922' },
  settings: { verifyToken: 'vt', apiVersion: 'v21.0', windowTemplate: { name: 'reopen', language: 'en_US' } },
};

// @ts-expect-error not an option of whatsapp()
whatsapp({ windowTemplate: 'x' });
