/**
 * Looks a msg id up in a channel's JetStream stream from a point in time on — for a publish that got no
 * answer (`PublishError.data.maybeStored`), long after the stream's duplicate window has forgotten it.
 * A short-lived ephemeral consumer (headers only, no acks, filtered on the subject, starting at that
 * time) scans the `Nats-Msg-Id` headers; it is deleted afterwards. Meant for that rare path only: its
 * cost is one scan of the subject's messages since the time given.
 */
import { AckPolicy, DeliverPolicy, type JetStreamClient, type JetStreamManager } from 'nats';

/** Messages asked for per pull while scanning. */
export const DEFAULT_FIND_BATCH = 512;
/** How long one pull may wait for its messages before the lookup fails. */
export const DEFAULT_FIND_TIMEOUT_MS = 5_000;

export interface FindMessageOptions {
  /** Default {@link DEFAULT_FIND_BATCH}. */
  batch?: number;
  /** Default {@link DEFAULT_FIND_TIMEOUT_MS}. */
  timeoutMs?: number;
}

const NANOS = 1_000_000;

/**
 * Resolves true when a message on `subject` with header `Nats-Msg-Id: msgID` is in its stream, stored at
 * or after `since` (epoch ms, NATS's clock); false when the scan reaches the messages stored before the
 * lookup began without it. Rejects when the stream cannot be read completely (NATS down or paused, a
 * pull that stays empty while messages are still pending) — never answers false from a partial scan.
 */
export async function findMessageInStream(
  jsm: JetStreamManager, js: JetStreamClient, subject: string, msgID: string, since: number, opts: FindMessageOptions = {},
): Promise<boolean> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_FIND_TIMEOUT_MS;
  const batch = opts.batch ?? DEFAULT_FIND_BATCH;
  const stream = await jsm.streams.find(subject);
  const info = await jsm.consumers.add(stream, {
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.StartTime,
    opt_start_time: new Date(Math.max(0, since)).toISOString(),
    filter_subject: subject,
    headers_only: true,
    mem_storage: true,
    inactive_threshold: Math.max(timeoutMs * 2, 10_000) * NANOS,
  });
  try {
    let remaining = info.num_pending;
    if (remaining === 0) return false;
    const consumer = await js.consumers.get(stream, info.name);
    while (remaining > 0) {
      let seen = 0;
      const msgs = await consumer.fetch({ max_messages: Math.min(batch, remaining), expires: timeoutMs });
      for await (const m of msgs) {
        seen++;
        if (m.headers?.get('Nats-Msg-Id') === msgID) return true;
      }
      remaining -= seen;
      if (seen === 0) {
        // nothing came: either the rest was removed meanwhile (retention), or the server is not answering
        const now = await consumer.info();
        if (now.num_pending === 0) return false;
        throw new Error(`stream ${stream}: lookup of ${msgID} got no messages while ${now.num_pending} are pending`);
      }
    }
    return false;
  } finally {
    await jsm.consumers.delete(stream, info.name).catch(() => undefined);
  }
}
