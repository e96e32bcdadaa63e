/**
 * Step 6b: an earlier delivery's publish got no answer (`maybeStored`) — look its msg id up in the stream
 * from that attempt on, so the platform's retry neither stores the message a second time (however long
 * after the stream's duplicate window it comes) nor loses it when it was in fact never stored.
 */
import { PublishError } from '../../errors';
import type { ClaimProgress } from './claim';
import { messageId } from './publish';

/**
 * Whether a message with `msgID` is stored on `channel` at or after `since` (epoch ms) — the channels
 * adapter's `findMessage`. Rejects when the stream cannot be read (NATS down, paused).
 */
export type MessageFinder = (channel: string, msgID: string, since: number) => Promise<boolean>;

/** How far before the unconfirmed attempt the lookup starts: covers clock skew between this node and NATS. */
export const DEFAULT_UNSURE_LOOKBACK_MS = 60_000;

/**
 * When `progress.unsure` is set, asks `find` whether that message is stored: yes → publishing resumes
 * after it; no → it is published again. Either way `progress.unsure` is cleared. A lookup that fails
 * throws `PublishError` (503) and leaves `progress` as it was, so the claim keeps the unsure mark for
 * the next retry. Without a finder the message is published again (de-duplicated only within the
 * stream's duplicate window).
 */
export async function resolveUnsure(
  find: MessageFinder | undefined, channel: string, ctx: { integration: string; channelId: string; eventId: string },
  progress: ClaimProgress, lookbackMs = DEFAULT_UNSURE_LOOKBACK_MS,
): Promise<void> {
  const unsure = progress.unsure;
  if (!unsure) return;
  const msgID = messageId(ctx.integration, ctx.channelId, ctx.eventId, unsure.index);
  let found = false;
  if (find) {
    try {
      found = await find(channel, msgID, unsure.since - lookbackMs);
    } catch (err) {
      throw new PublishError('an earlier attempt of this webhook may have been stored and the stream cannot be checked now; retry the webhook', { msgID, index: unsure.index }, err);
    }
  }
  progress.stored = found ? unsure.index + 1 : unsure.index;
  progress.unsure = undefined;
}
