/** Keeps long-running deliveries alive: one timer per subscription sends `working()` for every message in progress. */
import type { Delivery } from './delivery';

export class InProgress {
  private readonly since = new Map<Delivery, number>();
  private timer: NodeJS.Timeout | null = null;

  /** `intervalMs` is ackWait / 3: a message gets its first `working()` within 2 × interval (< ack wait) of its start. */
  constructor(private readonly intervalMs: number) {}

  add(d: Delivery): void {
    this.since.set(d, Date.now());
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), this.intervalMs);
      this.timer.unref();
    }
  }

  delete(d: Delivery): void {
    this.since.delete(d);
    if (this.since.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private tick(): void {
    const now = Date.now();
    for (const [d, last] of this.since) {
      if (now - last >= this.intervalMs * 0.9) {
        d.working();
        this.since.set(d, now);
      }
    }
  }
}
