/** Re-drive: queued sends dead-lettered after their retries are published back to `<ns>.outbound.send` (once each), then removed from the dead-letter stream. */
import { connect, type NatsConnection } from 'nats';
import { channelNames, deadLetterChannel } from '../../channels/names';
import { DEAD_LETTER_HEADERS, parseDeadLetterError, type DeadLetterError } from '../../channels/headers';
import type { OutboundSendPayload } from '../../channels/payloads';

export interface RedriveOptions {
  /** A NATS URL (a connection is opened and closed), or a connection to use. */
  nats: string | NatsConnection;
  /** SDK namespace. Default `switchboard`. */
  namespace?: string;
  /** Only dead letters that came from this channel. Default `<ns>.outbound.send`. */
  channel?: string;
  /** Only those the filter accepts (e.g. one channel id, or one error type). Default: all. */
  filter?: (payload: OutboundSendPayload, error: DeadLetterError) => boolean;
  /** At most this many are re-driven in one call. Default 1000. */
  limit?: number;
}

export interface RedriveResult {
  /** Published back to their channel (PubAck received) and removed from the dead letter. */
  redriven: number;
  /** Left in the dead letter (another channel, or rejected by the filter). */
  skipped: number;
}

/**
 * Moves dead-lettered queued sends back to their queue. Each is republished with the msg id
 * `redrive:<stream>:<seq>` (so running this twice after a crash stores it once) and deleted from
 * the dead-letter stream only after its PubAck. The re-driven message goes through the whole send
 * pipeline again — with its idempotency key, if it had one.
 */
export async function redriveDeadLetters(options: RedriveOptions): Promise<RedriveResult> {
  const namespace = options.namespace ?? 'switchboard';
  const channel = options.channel ?? channelNames(namespace).OUTBOUND_SEND;
  const limit = options.limit ?? 1000;
  const nc = typeof options.nats === 'string' ? await connect({ servers: options.nats }) : options.nats;
  const result: RedriveResult = { redriven: 0, skipped: 0 };
  try {
    const jsm = await nc.jetstreamManager();
    const js = nc.jetstream();
    const stream = await jsm.streams.find(deadLetterChannel(namespace));
    const info = await jsm.streams.info(stream);
    if (info.state.messages === 0) return result;
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && result.redriven < limit; seq++) {
      let stored;
      try {
        stored = await jsm.streams.getMessage(stream, { seq });
      } catch {
        continue; // deleted
      }
      const headers: Record<string, string> = {};
      if (stored.header) for (const [k, v] of stored.header) headers[k.toLowerCase()] = v[0] ?? '';
      if (headers[DEAD_LETTER_HEADERS.ORIGINAL_CHANNEL] !== channel) { result.skipped++; continue; }
      let payload: OutboundSendPayload;
      try {
        payload = JSON.parse(Buffer.from(stored.data).toString('utf8')) as OutboundSendPayload;
      } catch {
        result.skipped++;
        continue;
      }
      if (options.filter && !options.filter(payload, parseDeadLetterError(headers))) { result.skipped++; continue; }
      await js.publish(channel, stored.data, { msgID: `redrive:${stream}:${seq}` });
      await jsm.streams.deleteMessage(stream, seq, false);
      result.redriven++;
    }
    return result;
  } finally {
    if (typeof options.nats === 'string') await nc.close();
  }
}
