/** Loads a WhatsApp fixture (Meta's documented payloads, source URL in each file) as raw bytes and as a WebhookEvent. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WebhookEvent } from '../../../src/types';
import type { WhatsAppWebhookBody } from '../../../src/platforms/whatsapp';

export const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'whatsapp');

export interface Fixture { source: string; description: string; payload: WhatsAppWebhookBody }

export function fixture(name: string): Fixture {
  return JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Fixture;
}

/** The fixture's payload as the bytes Meta would POST. */
export function fixtureBody(name: string): string {
  return JSON.stringify(fixture(name).payload);
}

export function webhookOf(payload: WhatsAppWebhookBody, overrides: Partial<WebhookEvent<WhatsAppWebhookBody>> = {}): WebhookEvent<WhatsAppWebhookBody> {
  const rawBody = Buffer.from(JSON.stringify(payload));
  return { integration: 'whatsapp', channelId: 'wa1', tenantId: 't1', headers: {}, query: {}, rawBody, payload, receivedAt: 1_750_000_000_000, ...overrides };
}
