/** Compile-only: `telegram()` hooks are typed with Telegram's update and channel shapes, and defineIntegration takes the result. */
import { defineIntegration, telegram, type NormalizedMessage, type TelegramChannel, type WebhookEvent } from '@switchboard/sdk';
import { type TelegramUpdate } from '@switchboard/sdk/platforms';

export const custom = defineIntegration(telegram({
  name: 'support_bot',
  normalize(webhook: WebhookEvent<TelegramUpdate>, channel: TelegramChannel): NormalizedMessage[] {
    const id: number = webhook.payload.update_id;
    const token: string = channel.credentials.botToken;
    const mode: 'webhook' | 'polling' | undefined = channel.settings.mode;
    void id; void token; void mode;
    return [];
  },
  polling: { timeoutSeconds: 10, leaseTtlMs: 20_000 },
  answerCallbacks: false,
  outbound: { rateLimit: { capacity: 20, refillPerSecond: 20, perConversation: { capacity: 1, refillPerSecond: 1 } } },
}));

// @ts-expect-error polling options are checked
telegram({ polling: { timeoutSeconds: 'long' } });
// @ts-expect-error a per-conversation bucket needs both fields
telegram({ outbound: { rateLimit: { capacity: 1, refillPerSecond: 1, perConversation: { capacity: 1 } } } });
