/** One JetStream message as a consumer receives it, with its delivery info and ack/nak/working replies. */
import type { Msg, MsgHdrs } from 'nats';
import type { Settleable } from '../settle';

const enc = new TextEncoder();
const ACK = enc.encode('+ACK');
const NAK = enc.encode('-NAK');
const WPI = enc.encode('+WPI');

/** Delivery info parsed from the `$JS.ACK...` reply subject. */
export interface DeliveryInfo {
  stream: string;
  consumer: string;
  /** 1 on the first delivery, 2 on the first redelivery, ... */
  deliveryCount: number;
  /** Same as `deliveryCount` (the name the stock adapter's `raw.info` used). */
  redeliveryCount: number;
  /** Sequence of the message in its stream. */
  streamSequence: number;
  /** When the message was stored, nanoseconds since the epoch (as a string). */
  timestampNanos: string;
}

/** Parses `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<ts>.<pending>` (and the domain form). */
export function parseAckSubject(reply: string): DeliveryInfo | null {
  const t = reply.split('.');
  if (t[0] !== '$JS' || t[1] !== 'ACK') return null;
  const o = t.length === 9 ? 2 : t.length >= 11 ? 4 : -1;
  if (o < 0) return null;
  const deliveryCount = Number(t[o + 2]);
  const streamSequence = Number(t[o + 3]);
  if (!Number.isInteger(deliveryCount) || !Number.isInteger(streamSequence)) return null;
  return { stream: t[o]!, consumer: t[o + 1]!, deliveryCount, redeliveryCount: deliveryCount, streamSequence, timestampNanos: t[o + 5] ?? '0' };
}

/**
 * A delivered message. Final replies (`ack`, `nak`) are sent once; `working()` may repeat until then.
 * Passed to channel handlers as their second argument (`raw`).
 */
export class Delivery implements Settleable {
  readonly info: DeliveryInfo;
  private done = false;
  /** Set by the pull consumer: `ack()` is held back so it can go out as `+NXT` (ack + next pull) in one message. */
  deferAck = false;
  private heldAck = false;

  constructor(private readonly msg: Msg, info: DeliveryInfo) {
    this.info = info;
  }

  get subject(): string { return this.msg.subject; }
  get data(): Uint8Array { return this.msg.data; }
  get headers(): MsgHdrs | undefined { return this.msg.headers; }
  get seq(): number { return this.info.streamSequence; }
  get deliveryCount(): number { return this.info.deliveryCount; }
  /** The stream the message is stored in. */
  get stream(): string { return this.info.stream; }
  /** When the message was stored (nanoseconds, as the ack subject says): the same for every delivery of it. */
  get storedAt(): string { return this.info.timestampNanos; }

  /** The message's headers, first value of each. */
  *originalHeaders(): Iterable<readonly [string, string]> {
    if (this.msg.headers) for (const [k, v] of this.msg.headers) if (v[0] !== undefined) yield [k, v[0]];
  }
  /** True once an ack or nak was sent. */
  get settled(): boolean { return this.done; }

  ack(): void {
    if (this.deferAck && !this.done) {
      this.heldAck = true;
      this.done = true;
      return;
    }
    this.final(ACK);
  }

  /** True when an ack is held back (see `deferAck`). */
  get ackHeld(): boolean { return this.heldAck; }

  /** Sends the held ack: alone, or with a pull request for the next messages (`+NXT`, answered on `reply`). */
  releaseAck(next?: { reply: string; request: string }): void {
    if (!this.heldAck) return;
    this.heldAck = false;
    if (next) {
      try {
        this.msg.respond(enc.encode(`+NXT ${next.request}`), { reply: next.reply });
      } catch {
        // connection closed: redelivered after ack wait
      }
    } else {
      this.respond(ACK);
    }
  }

  /** Redeliver after `delayMs` (at once when 0 or absent). */
  nak(delayMs?: number): void {
    this.final(delayMs && delayMs > 0 ? enc.encode(`-NAK ${JSON.stringify({ delay: Math.round(delayMs) * 1_000_000 })}`) : NAK);
  }

  /** Resets the server's ack-wait timer: the message is still being processed. */
  working(): void {
    if (!this.done) this.respond(WPI);
  }

  private final(payload: Uint8Array): void {
    if (this.done) return;
    this.done = true;
    this.respond(payload);
  }

  private respond(payload: Uint8Array): void {
    try {
      this.msg.respond(payload);
    } catch {
      // Connection closed: the server redelivers after ack wait.
    }
  }
}
