/** Step: publish `message.sent` / `message.failed`, awaiting the PubAck; what cannot be stored now goes to an outbox retried in the background. */
import { executeWithRetry } from '../../retry';

/** Publishes and resolves once stored (e.g. `broker.sendToChannel`, which resolves with the PubAck). */
export type EventPublisher = (channel: string, payload: unknown, options: { msgID: string }) => Promise<unknown>;

export interface OutboxLogger {
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  info(...args: unknown[]): void;
}

interface Pending { channel: string; payload: unknown; msgID: string; since: number }

/**
 * Events that could not be published: retried every `intervalMs` (same msg id, so JetStream
 * de-duplicates a publish whose PubAck was lost) until stored. Never dropped silently: on `close`
 * whatever is left is logged at error level with its payload.
 */
export class EventOutbox {
  private readonly pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | undefined;
  private flushing = false;

  constructor(private readonly publish: EventPublisher, private readonly logger: OutboxLogger, private readonly intervalMs: number) {}

  get size(): number { return this.pending.size; }

  add(channel: string, payload: unknown, msgID: string): void {
    this.pending.set(msgID, { channel, payload, msgID, since: Date.now() });
    if (!this.timer) {
      this.timer = setInterval(() => void this.flush(), this.intervalMs);
      this.timer.unref();
    }
  }

  /** Tries every pending event once; returns how many are still pending. */
  async flush(): Promise<number> {
    if (this.flushing) return this.pending.size;
    this.flushing = true;
    try {
      for (const item of [...this.pending.values()]) {
        try {
          await this.publish(item.channel, item.payload, { msgID: item.msgID });
          this.pending.delete(item.msgID);
          this.logger.info(`outbound: event ${item.msgID} stored on ${item.channel} after ${Date.now() - item.since} ms in the outbox`);
        } catch {
          // still down: next round
        }
      }
    } finally {
      this.flushing = false;
    }
    if (this.pending.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    return this.pending.size;
  }

  /** One last flush; anything still pending is logged with its payload, so an operator can replay it. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    await this.flush();
    for (const item of this.pending.values()) {
      this.logger.error(`outbound: event ${item.msgID} for ${item.channel} was never stored (service stopping); payload:`, JSON.stringify(item.payload));
    }
    this.pending.clear();
  }
}

/**
 * Publishes an event, retrying a failed publish `attempts` times (same msg id). If it still fails,
 * logs and hands it to the outbox; resolves true when stored now, false when left to the outbox.
 */
export async function publishEvent(
  publish: EventPublisher, outbox: EventOutbox, logger: OutboxLogger,
  channel: string, payload: unknown, msgID: string, attempts: number,
): Promise<boolean> {
  try {
    // The common case, without the retry machinery's timer and AbortController.
    await publish(channel, payload, { msgID });
    return true;
  } catch (first) {
    if (attempts <= 1) {
      logger.warn(`outbound: event ${msgID} not stored on ${channel} (${(first as Error).message}); kept in the outbox and retried`);
      outbox.add(channel, payload, msgID);
      return false;
    }
  }
  try {
    await executeWithRetry(() => publish(channel, payload, { msgID }), {
      maxAttempts: attempts - 1, initialDelayMs: 100, maxDelayMs: 2_000, idempotent: true,
      classify: () => 'retryable',
    });
    return true;
  } catch (err) {
    logger.warn(`outbound: event ${msgID} not stored on ${channel} (${(err as Error).message}); kept in the outbox and retried`);
    outbox.add(channel, payload, msgID);
    return false;
  }
}
