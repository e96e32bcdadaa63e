/**
 * Step 7b: publish each delivery receipt (`statuses` hook) to `<ns>.processing.message.status`, awaiting the PubAck.
 * JetStream msg id `<integration>:<channelId>:status:<messageId>:<status>`: one event per (message id, status),
 * whichever webhook carried it (the store remembers stored receipts for the done TTL, past the stream's window). A failure is a publish failure (503); the platform's retry resumes (the
 * messages before it are counted as stored, the receipts published again are de-duplicated by their msg ids).
 */
import type { IntegrationMessageStatusPayload } from '../../channels';
import { PublishError } from '../../errors';
import type { KeyValueStore } from '../../store';
import type { DeliveryStatus, IntegrationConfig, NormalizedStatus, WebhookEvent } from '../../types';
import type { PublishContext, PublishProgress } from './publish';
import type { InboundPipeline } from './receive-webhook';

const STATUSES: readonly DeliveryStatus[] = ['sent', 'delivered', 'read', 'failed'];

/** Publishes one receipt and resolves once it is stored (e.g. `broker.sendToChannel`). */
export type StatusPublisher = (channel: string, payload: IntegrationMessageStatusPayload, options: { msgID: string }) => Promise<unknown>;

/** The JetStream msg id of a receipt: the same for every delivery of one (message id, status). */
export function statusMessageId(integration: string, channelId: string, messageId: string, status: DeliveryStatus): string {
  return `${integration}:${channelId}:status:${messageId}:${status}`;
}

/**
 * Remembers the receipts already stored, beyond the stream's duplicate window (a receipt repeated by another
 * webhook hours later): a key per (tenant, channel, message id, status) for `ttlMs`, written after the PubAck.
 */
export interface StatusMemory {
  store: KeyValueStore;
  ttlMs: number;
}

/** The store key remembering one stored receipt. */
export function statusSeenKey(integration: string, tenantId: string, channelId: string, messageId: string, status: DeliveryStatus): string {
  return `status:${integration}:${encodeURIComponent(tenantId)}:${encodeURIComponent(channelId)}:${encodeURIComponent(messageId)}:${status}`;
}

function invalid(index: number, why: string): Error {
  return new TypeError(`statuses returned an invalid status at index ${index}: ${why}`);
}

/** Checks one receipt has what consumers rely on (a malformed one is the integration's bug: 500). */
function checkStatus(status: unknown, index: number): asserts status is NormalizedStatus {
  if (status === null || typeof status !== 'object') throw invalid(index, 'not an object');
  const s = status as Partial<NormalizedStatus>;
  if (typeof s.messageId !== 'string' || s.messageId === '') throw invalid(index, '`messageId` must be a non-empty string');
  if (!STATUSES.includes(s.status as DeliveryStatus)) throw invalid(index, `\`status\` must be one of ${STATUSES.join(', ')}`);
  if (typeof s.timestamp !== 'number' || !Number.isFinite(s.timestamp)) throw invalid(index, '`timestamp` must be ms since the epoch');
}

/** Runs the `statuses` hook (none → no receipts) and checks what it returns. */
export async function readStatuses<T>(
  hook: ((webhook: WebhookEvent<T>, channel: IntegrationConfig) => NormalizedStatus[] | Promise<NormalizedStatus[]>) | undefined,
  webhook: WebhookEvent<T>,
  channel: IntegrationConfig,
): Promise<NormalizedStatus[]> {
  if (!hook) return [];
  const statuses: unknown = await hook(webhook, channel);
  if (statuses === undefined || statuses === null) return [];
  if (!Array.isArray(statuses)) throw new TypeError('statuses must return an array of NormalizedStatus');
  statuses.forEach(checkStatus);
  return statuses as NormalizedStatus[];
}

/**
 * Publishes the receipts in order, each awaited, after the event's `offset` messages (skipping those `memory`
 * says are stored already): receipt `i` is item
 * `offset + i` of the event, so `progress.stored` (which an earlier delivery may have advanced past the
 * messages) says where to resume, and counts each PubAck. The first failure throws `PublishError` (503).
 * Resolves with the event's receipt count.
 */
export async function publishStatuses(
  publish: StatusPublisher, channel: string, statuses: NormalizedStatus[], ctx: PublishContext & { platform: string },
  progress: PublishProgress = { stored: 0 }, offset = 0, memory?: StatusMemory,
): Promise<number> {
  for (let index = Math.max(0, progress.stored - offset); index < statuses.length; index++) {
    const s = statuses[index];
    const msgID = statusMessageId(ctx.integration, ctx.channelId, s.messageId, s.status);
    const seenKey = memory ? statusSeenKey(ctx.integration, ctx.tenantId, ctx.channelId, s.messageId, s.status) : undefined;
    // A store failure here only costs the long-range check: the msg id still de-duplicates within the window.
    if (memory && seenKey && (await memory.store.get(seenKey).catch(() => null)) !== null) {
      progress.stored = offset + index + 1;
      continue;
    }
    const payload: IntegrationMessageStatusPayload = {
      tenantId: ctx.tenantId, channelId: ctx.channelId, integration: ctx.integration, platform: ctx.platform,
      messageId: s.messageId, status: s.status, timestamp: s.timestamp,
      ...(s.error ? { error: s.error } : {}),
      ...(s.conversationId !== undefined ? { conversationId: s.conversationId } : {}),
      eventId: ctx.eventId, receivedAt: ctx.receivedAt,
    };
    try {
      await publish(channel, payload, { msgID });
    } catch (err) {
      if (err instanceof PublishError) throw err;
      throw new PublishError(`status ${index + 1} of ${statuses.length} was not stored; retry the webhook`, { msgID, index }, err);
    }
    if (memory && seenKey) await memory.store.set(seenKey, '1', memory.ttlMs).catch(() => undefined);
    progress.stored = offset + index + 1;
  }
  return statuses.length;
}

/**
 * The step as the pipeline runs it, after the messages: the `statuses` hook's receipts (checked: a malformed one
 * is the integration's bug, 500), published from where an earlier delivery stopped, remembered for the done TTL.
 * Resolves with the webhook's receipt count (0 without a hook).
 */
export async function publishWebhookStatuses(
  p: Pick<InboundPipeline, 'integration' | 'platform' | 'statuses' | 'statusChannel' | 'publishStatus' | 'publish' | 'store' | 'options'>,
  webhook: WebhookEvent<unknown>, channel: IntegrationConfig, event: { eventId: string; receivedAt: number },
  progress: PublishProgress, offset: number,
): Promise<number> {
  const statuses = await readStatuses(p.statuses, webhook, channel);
  if (statuses.length === 0) return 0;
  if (!p.statusChannel) throw new TypeError('the inbound pipeline has a statuses hook but no statusChannel');
  const ctx = { integration: p.integration, platform: p.platform, channelId: channel.id, tenantId: channel.tenantId, ...event };
  return publishStatuses(p.publishStatus ?? (p.publish as unknown as StatusPublisher), p.statusChannel, statuses, ctx, progress, offset, { store: p.store, ttlMs: p.options.doneTtlMs });
}
