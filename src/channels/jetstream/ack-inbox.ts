/**
 * JetStream publishes awaiting their PubAck through one shared reply subscription per connection: each publish
 * is a core `nc.publish` with a reply subject `<inbox>.<n>`, its ack found by `n`, and every deadline checked by one
 * sweep timer. nats.js's `js.publish` builds an `Error` (stack trace) for async traces, a `NatsError` for its
 * timeout, a timer, and a `Cancelled` error on success — per publish; measured in bench/publish-ack.bench.ts.
 * The failures it rejects with have the shapes `js.publish`'s have (`code: '503'`, `api_error`, `code: 'TIMEOUT'`),
 * so `Publisher.failure` maps both alike.
 */
import { createInbox, NatsError, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from 'nats';

/** How often pending publishes are checked against their deadline, ms. */
export const DEFAULT_ACK_SWEEP_MS = 100;

/** The PubAck as JetStream sends it. */
export interface RawPubAck { stream: string; seq: number; duplicate: boolean; domain?: string }

interface Pending { resolve(ack: RawPubAck): void; reject(err: Error): void; deadline: number }

const NUL = new Uint8Array(0);

/** An error shaped like the one nats.js rejects a request with. */
function natsError(message: string, code: string): Error {
  return new NatsError(message, code);
}

export class AckInbox {
  private readonly prefix: string;
  private readonly sub: Subscription;
  private readonly pending = new Map<string, Pending>();
  private next = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly nc: NatsConnection, private readonly sweepMs = DEFAULT_ACK_SWEEP_MS) {
    this.prefix = `${createInbox((nc as unknown as { options?: { inboxPrefix?: string } }).options?.inboxPrefix)}.`;
    this.sub = nc.subscribe(`${this.prefix}*`, { callback: (err, msg) => this.onReply(err, msg) });
    void this.sub.closed.then(() => this.close(natsError('CONNECTION_CLOSED', 'CONNECTION_CLOSED')));
  }

  /** Publishes `data` to `subject` and resolves with the PubAck; rejects on the server's error, no answer by `timeoutMs`, or a closed connection. */
  publish(subject: string, data: Uint8Array, headers: MsgHdrs | undefined, timeoutMs: number): Promise<RawPubAck> {
    if (this.closed) return Promise.reject(natsError('CONNECTION_CLOSED', 'CONNECTION_CLOSED'));
    const token = (this.next++).toString(36);
    return new Promise<RawPubAck>((resolve, reject) => {
      // throws synchronously on MAX_PAYLOAD_EXCEEDED / a closed connection: nothing pending then
      this.nc.publish(subject, data ?? NUL, headers ? { reply: this.prefix + token, headers } : { reply: this.prefix + token });
      this.pending.set(token, { resolve, reject, deadline: Date.now() + timeoutMs });
      if (!this.timer) {
        this.timer = setInterval(() => this.sweep(), this.sweepMs);
        this.timer.unref();
      }
    });
  }

  /** Publishes awaiting their ack. */
  get size(): number {
    return this.pending.size;
  }

  /** Rejects what is pending with `err` and unsubscribes. */
  close(err: Error = natsError('CONNECTION_CLOSED', 'CONNECTION_CLOSED')): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(err);
    if (!this.sub.isClosed()) this.sub.unsubscribe();
  }

  private onReply(err: Error | null, msg: Msg): void {
    if (err) return this.close(err);
    const token = msg.subject.slice(this.prefix.length);
    const p = this.pending.get(token);
    if (!p) return; // answered after its deadline
    this.pending.delete(token);
    if (msg.data.length === 0 && msg.headers?.code === 503) return p.reject(natsError('503', '503'));
    let body: { stream?: string; seq?: number; duplicate?: boolean; domain?: string; error?: { code?: number; err_code?: number; description?: string } };
    try {
      body = JSON.parse(Buffer.from(msg.data.buffer, msg.data.byteOffset, msg.data.byteLength).toString('utf8'));
    } catch {
      return p.reject(natsError('invalid JetStream ack', 'JETSTREAM_INVALID_ACK'));
    }
    if (body.error) {
      const e = natsError(body.error.description ?? `JetStream error ${body.error.code}`, String(body.error.code ?? '500')) as Error & { api_error?: unknown };
      e.api_error = body.error;
      return p.reject(e);
    }
    if (typeof body.stream !== 'string' || body.stream === '') return p.reject(natsError('invalid JetStream ack', 'JETSTREAM_INVALID_ACK'));
    p.resolve({ stream: body.stream, seq: body.seq ?? 0, duplicate: body.duplicate === true, domain: body.domain });
  }

  private sweep(): void {
    if (this.pending.size === 0) {
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      return;
    }
    const now = Date.now();
    for (const [token, p] of this.pending) {
      if (p.deadline > now) continue;
      this.pending.delete(token);
      p.reject(natsError('TIMEOUT', 'TIMEOUT'));
    }
  }
}

const INBOXES = new WeakMap<NatsConnection, AckInbox>();

/** The connection's shared PubAck inbox (made on first use). */
export function ackInboxOf(nc: NatsConnection): AckInbox {
  let inbox = INBOXES.get(nc);
  if (!inbox) {
    inbox = new AckInbox(nc);
    INBOXES.set(nc, inbox);
  }
  return inbox;
}
