/** Step 7: publish each message to `<ns>.processing.message.received`, msg id `<integration>:<channelId>:<eventId>:<index>`, awaiting the PubAck. */
import type { IntegrationMessageReceivedPayload } from '../../channels';
import { PublishError } from '../../errors';
import type { NormalizedMessage } from '../../types';
import type { ClaimProgress } from './claim';

/** The payload stored on `<ns>.processing.message.received`; the inbound pipeline always sets `index`. */
export type MessageReceivedPayload = IntegrationMessageReceivedPayload & { index: number };

/** Publishes one payload and resolves only once it is stored (e.g. `broker.sendToChannel`). */
export type Publisher = (channel: string, payload: MessageReceivedPayload, options: { msgID: string }) => Promise<unknown>;

/** The JetStream msg id of the `index`-th message of an event: stable across the platform's retries. */
export function messageId(integration: string, channelId: string, eventId: string, index: number): string {
  return `${integration}:${channelId}:${eventId}:${index}`;
}

export interface PublishContext {
  integration: string;
  channelId: string;
  tenantId: string;
  eventId: string;
  receivedAt: number;
  /** Clock stamped on an unconfirmed publish, ms. Default `Date.now`. */
  now?: () => number;
}

/** How far an event's publishing got: messages `0..stored-1` are stored; `unsure`: the next one may be too. */
export type PublishProgress = ClaimProgress;

/** True when a failed publish may have been stored all the same (no answer: `PublishError.data.maybeStored`). */
function maybeStored(err: unknown): boolean {
  return (err as { data?: { maybeStored?: unknown } } | null)?.data?.maybeStored === true;
}

/**
 * Publishes the messages in order from `progress.stored` (earlier deliveries stored the ones before),
 * counting each PubAck into `progress`; the first failure stops and throws `PublishError` (503) —
 * `progress.stored` then says what is stored, and `progress.unsure` names the message whose publish
 * got no answer (it may be stored) with the time of the attempt. Resolves with the event's message count.
 */
export async function publishMessages(
  publish: Publisher, channel: string, messages: NormalizedMessage[], ctx: PublishContext, progress: PublishProgress = { stored: 0 },
): Promise<number> {
  for (let index = progress.stored; index < messages.length; index++) {
    const msgID = messageId(ctx.integration, ctx.channelId, ctx.eventId, index);
    const payload: MessageReceivedPayload = {
      tenantId: ctx.tenantId, channelId: ctx.channelId, integration: ctx.integration, platform: messages[index].platform,
      message: messages[index], eventId: ctx.eventId, index, timestamp: messages[index].timestamp, receivedAt: ctx.receivedAt,
    };
    const at = (ctx.now ?? Date.now)();
    try {
      await publish(channel, payload, { msgID });
    } catch (err) {
      progress.unsure = maybeStored(err) ? { index, since: at } : undefined;
      if (err instanceof PublishError) throw err;
      throw new PublishError(`message ${index + 1} of ${messages.length} was not stored; retry the webhook`, { msgID, index }, err);
    }
    progress.stored = index + 1;
    progress.unsure = undefined;
  }
  return messages.length;
}
