/**
 * A pull consumer that never holds more messages than it can process: it asks the server for
 * exactly its free slots (`maxInFlight` minus in-flight minus already requested), so no message
 * waits in a client buffer while its ack-wait clock runs. Pull requests carry an idle heartbeat;
 * when heartbeats stop (server restart) or the connection reconnects, it asks again.
 */
import { createInbox, type Msg, type NatsConnection, type Subscription } from 'nats';
import { Delivery, parseAckSubject } from './delivery';

export interface PullConsumerOptions {
  nc: NatsConnection;
  stream: string;
  durable: string;
  maxInFlight: number;
  /** How long one pull request stays open on the server. */
  expiresMs: number;
  /** Idle heartbeat asked of the server while a pull request is open. */
  heartbeatMs: number;
  /** Queued (not yet started) messages get `working()` at least this often. */
  keepAliveMs: number;
  /** Processes one message and settles it (ack/nak); must not reject. */
  process: (d: Delivery) => Promise<void>;
  onError?: (err: unknown) => void;
  /** The consumer (or its stream) may be gone on the server: 409 Consumer Deleted, 503 no responders on a pull, or a pull request gone silent. */
  onMissing?: () => void;
}

const NANOS = 1_000_000;

export class PullConsumer {
  private readonly inbox: string;
  private readonly nextSubject: string;
  private sub: Subscription | null = null;
  private requested = 0;
  private inFlight = 0;
  private readonly queue: Delivery[] = [];
  private lastSeen = Date.now();
  private watchdog: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  private readonly threshold: number;

  constructor(private readonly o: PullConsumerOptions) {
    this.inbox = createInbox();
    this.nextSubject = `$JS.API.CONSUMER.MSG.NEXT.${o.stream}.${o.durable}`;
    this.threshold = Math.max(1, Math.ceil(o.maxInFlight / 10));
  }

  /** Messages being processed right now. */
  get active(): number { return this.inFlight; }

  start(): void {
    this.sub = this.o.nc.subscribe(this.inbox, { callback: (err, msg) => this.onMsg(err, msg) });
    this.watchdog = setInterval(() => this.check(), Math.min(this.o.heartbeatMs, this.o.keepAliveMs));
    this.watchdog.unref();
    this.pump();
  }

  /** The connection came back: pull requests open before it dropped are gone. */
  reconnected(): void {
    this.requested = 0;
    this.lastSeen = Date.now();
    this.pump();
  }

  /**
   * Stops pulling, hands queued (not started) messages back with a nak, and waits up to
   * `timeoutMs` for in-flight handlers. Returns the number still running at the deadline
   * (their messages come back after ack wait).
   */
  async stop(timeoutMs: number): Promise<number> {
    this.closed = true;
    if (this.watchdog) clearInterval(this.watchdog);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    for (const d of this.queue.splice(0)) d.nak();
    try {
      this.sub?.unsubscribe();
    } catch {
      // connection already closed
    }
    if (this.inFlight > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, timeoutMs);
        this.idleWaiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
    return this.inFlight;
  }

  private onMsg(err: Error | null, msg: Msg): void {
    if (err) {
      this.o.onError?.(err);
      return;
    }
    this.lastSeen = Date.now();
    const info = msg.reply ? parseAckSubject(msg.reply) : null;
    if (!info) {
      this.onStatus(msg);
      return;
    }
    if (this.requested > 0) this.requested--;
    const d = new Delivery(msg, info);
    d.deferAck = true;
    if (this.closed) {
      d.nak();
      return;
    }
    if (this.inFlight < this.o.maxInFlight) this.run(d);
    else this.queue.push(d);
  }

  private onStatus(msg: Msg): void {
    const code = msg.headers?.code ?? 0;
    if (code === 100) return; // idle heartbeat (or flow control, not used by pull)
    const left = Number(msg.headers?.get('Nats-Pending-Messages'));
    if (Number.isFinite(left) && left > 0) this.requested = Math.max(0, this.requested - left);
    else if (code === 404 || code === 408 || code === 409) this.requested = 0;
    if (code === 409 || code >= 500) {
      // consumer deleted, too many waiting pulls, no responders...: ask again a little later
      this.o.onError?.(new Error(`pull ${this.o.stream}/${this.o.durable}: ${code} ${msg.headers?.description ?? ''}`));
      this.requested = 0;
      const desc = String(msg.headers?.description ?? '');
      if ((code === 409 && /consumer deleted/i.test(desc)) || code === 503) this.o.onMissing?.();
      this.later(1_000);
      return;
    }
    this.pump();
  }

  private run(d: Delivery): void {
    this.inFlight++;
    this.o.process(d).catch((err) => this.o.onError?.(err)).finally(() => {
      this.inFlight--;
      const next = this.queue.shift();
      if (next) this.run(next);
      // the ack and the next pull request travel together when a pull is due
      if (d.ackHeld) {
        const batch = this.due();
        if (batch > 0) {
          if (this.requested === 0) this.lastSeen = Date.now();
          this.requested += batch;
          d.releaseAck({ reply: this.inbox, request: this.request(batch) });
        } else {
          d.releaseAck();
        }
      }
      if (this.inFlight === 0 && this.queue.length === 0 && this.idleWaiters.length) for (const w of this.idleWaiters.splice(0)) w();
      this.pump();
    });
  }

  private check(): void {
    if (this.closed) return;
    // Messages over-delivered (a pull thought lost was not) wait here; keep them from being redelivered.
    for (const d of this.queue) d.working();
    // An open pull request gets a heartbeat every heartbeatMs; silence means the server forgot it.
    if (this.requested > 0 && Date.now() - this.lastSeen > 2 * this.o.heartbeatMs + 500) {
      this.requested = 0;
      // the consumer (or its stream) may be gone without a word: have it checked
      if (!this.o.nc.isClosed()) this.o.onMissing?.();
    }
    this.pump();
  }

  private later(ms: number): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(() => { this.retryTimer = null; this.pump(); }, ms);
    this.retryTimer.unref();
  }

  /** Batch size of the pull request due now (0: none). */
  private due(): number {
    if (this.closed || this.retryTimer || this.o.nc.isClosed()) return 0;
    const free = this.o.maxInFlight - this.inFlight - this.queue.length - this.requested;
    if (free <= 0 || (this.requested > 0 && free < this.threshold)) return 0;
    return free;
  }

  private readonly requests = new Map<number, string>();

  private request(batch: number): string {
    let r = this.requests.get(batch);
    if (!r) {
      r = JSON.stringify({ batch, expires: this.o.expiresMs * NANOS, idle_heartbeat: this.o.heartbeatMs * NANOS });
      this.requests.set(batch, r);
    }
    return r;
  }

  private pump(): void {
    const free = this.due();
    if (free === 0) return;
    try {
      this.o.nc.publish(this.nextSubject, this.request(free), { reply: this.inbox });
      this.requested += free;
      if (this.requested === free) this.lastSeen = Date.now();
    } catch (err) {
      this.o.onError?.(err);
      this.later(1_000);
    }
  }
}
