/**
 * One polled update through the inbound steps, without the HTTP ones: claim (the update id, the same key
 * a webhook delivery of it would use), normalize, publish (from where an earlier try stopped), commit.
 * No verify step: the update came from the Bot API over the bot's own token, not from a caller.
 */
import { claimEvent, claimKey, releaseClaim } from '../../../integration/inbound/claim';
import { commitEvent } from '../../../integration/inbound/commit';
import { normalizeWebhook } from '../../../integration/inbound/normalize';
import { publishMessages } from '../../../integration/inbound/publish';
import type { InboundPipeline } from '../../../integration/inbound/receive-webhook';
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
  const key = claimKey(p.integration, channel.tenantId, channel.id, eventId);
  const claimed = await claimEvent(p.store, key, p.options.claimTtlMs);
  if (claimed.state === 'done') return { eventId, messages: 0, duplicate: true };
  const progress = { stored: claimed.claim.from };
  let count: number;
  try {
    const messages = await normalizeWebhook(p.normalize, webhook, channel, p.platform, p.options.maxMessagesPerWebhook);
    count = await publishMessages(p.publish, p.receivedChannel, messages, {
      integration: p.integration, channelId: channel.id, tenantId: channel.tenantId, eventId, receivedAt,
    }, progress);
  } catch (err) {
    await releaseClaim(p.store, claimed.claim, progress.stored, p.options.doneTtlMs);
    throw err;
  }
  if (!(await commitEvent(p.store, claimed.claim, p.options.doneTtlMs))) p.onCommitFailed?.(key);
  return { eventId, messages: count, duplicate: false };
}
