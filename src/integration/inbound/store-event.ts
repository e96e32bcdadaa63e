/**
 * The tail every inbound path shares once it has a trusted event and its id — the webhook route
 * (`receiveWebhook`) and Telegram's polling (`storeUpdate`): claim the event id, then (resuming where an earlier
 * delivery stopped) resolve an unconfirmed publish, normalize, publish the messages and the delivery receipts;
 * release the claim with the progress kept when a step fails, mark it done when all are stored.
 */
import type { IntegrationConfig, WebhookEvent } from '../../types';
import { claimEvent, claimKey, releaseClaim, type HeldClaim } from './claim';
import { commitEvent } from './commit';
import { normalizeWebhook } from './normalize';
import { publishMessages, type PublishProgress } from './publish';
import { publishWebhookStatuses } from './publish-statuses';
import type { InboundPipeline } from './receive-webhook';
import { resolveUnsure } from './resolve-unsure';

/** What became of the event: stored now (`messages` published by this delivery), or already stored before. */
export type StoredEvent = { duplicate: false; messages: number } | { duplicate: true; messages: 0 };

/** Normalizes and publishes from `progress` on; returns how many messages this delivery published. */
async function publishEvent(p: InboundPipeline, webhook: WebhookEvent<unknown>, channel: IntegrationConfig, eventId: string, progress: PublishProgress): Promise<number> {
  const event = { integration: p.integration, channelId: channel.id, tenantId: channel.tenantId, eventId, receivedAt: webhook.receivedAt };
  await resolveUnsure(p.findMessage, p.receivedChannel, event, progress);
  const messages = await normalizeWebhook(p.normalize, webhook, channel, p.platform, p.options.maxMessagesPerWebhook);
  const count = await publishMessages(p.publish, p.receivedChannel, messages, { ...event, now: p.now }, progress);
  // the delivery receipts (statuses hook), after the messages
  await publishWebhookStatuses(p, webhook, channel, { eventId, receivedAt: webhook.receivedAt }, progress, messages.length);
  return count;
}

/** Publishes under the held claim; a failure releases it (progress kept for the retry) and is rethrown. */
async function publishClaimed(p: InboundPipeline, webhook: WebhookEvent<unknown>, channel: IntegrationConfig, eventId: string, claim: HeldClaim): Promise<number> {
  // an earlier delivery may have stored some already, and left one unconfirmed
  const progress: PublishProgress = { stored: claim.from, unsure: claim.unsure };
  try {
    return await publishEvent(p, webhook, channel, eventId, progress);
  } catch (err) {
    await releaseClaim(p.store, claim, progress, p.options.doneTtlMs);
    throw err;
  }
}

/** Claims, publishes and commits one event (see the file comment). */
export async function storeEvent(p: InboundPipeline, webhook: WebhookEvent<unknown>, channel: IntegrationConfig, eventId: string): Promise<StoredEvent> {
  const key = claimKey(p.integration, channel.tenantId, channel.id, eventId);
  const claimed = await claimEvent(p.store, key, p.options.claimTtlMs);
  if (claimed.state === 'done') return { duplicate: true, messages: 0 };
  const messages = await publishClaimed(p, webhook, channel, eventId, claimed.claim);
  if (!(await commitEvent(p.store, claimed.claim, p.options.doneTtlMs))) p.onCommitFailed?.(key);
  return { duplicate: false, messages };
}
