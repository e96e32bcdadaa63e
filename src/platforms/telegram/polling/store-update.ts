/**
 * One polled update through the inbound steps, without the HTTP ones: `storeEvent` — claim (the update id, the
 * same key a webhook delivery of it would use), normalize, publish (from where an earlier try stopped), commit.
 * No verify step: the update came from the Bot API over the bot's own token, not from a caller.
 */
import type { InboundPipeline } from '../../../integration/inbound/receive-webhook';
import { storeEvent } from '../../../integration/inbound/store-event';
import type { IntegrationConfig, WebhookEvent } from '../../../types';
import type { TelegramUpdate } from '../types';

export interface StoredUpdate {
  eventId: string;
  /** Messages the update carried (0 for update kinds without one). */
  messages: number;
  /** Already stored by an earlier poll or a webhook delivery. */
  duplicate: boolean;
}

/** Stores one update; throws (claim released, partial progress kept) when a step fails, so the offset is not committed past it. */
export async function storeUpdate(p: InboundPipeline, channel: IntegrationConfig, update: TelegramUpdate, receivedAt: number): Promise<StoredUpdate> {
  const eventId = String(update.update_id);
  const rawBody = Buffer.from(JSON.stringify(update), 'utf8');
  const webhook: WebhookEvent<unknown> = {
    integration: p.integration, channelId: channel.id, tenantId: channel.tenantId, headers: {}, query: {}, rawBody, payload: update, receivedAt,
  };
  const stored = await storeEvent(p, webhook, channel, eventId);
  return { eventId, messages: stored.messages, duplicate: stored.duplicate };
}
