/**
 * One bot's `getUpdates` loop: hold the lease (else wait and try again), `deleteWebhook` once per
 * lease, long-poll from the committed offset, store each update in order, commit the offset after the
 * last stored one — only while the lease is still ours. A failure stops the batch where it is: the next
 * poll asks again from the committed offset and the claims answer what is already stored.
 */
import type { KeyValueStore } from '../../../store';
import type { TelegramChannel, TelegramUpdate } from '../types';
import { PollLease } from './lease';
import { commitOffset, readOffset } from './offset';
import { isUpdate } from '../normalize';
import type { StoredUpdate } from './store-update';

/** What a poller needs; every edge injectable. */
export interface PollerDeps {
  store: KeyValueStore;
  leaseKey: string;
  offsetKey: string;
  /** Node id, written in the lease. */
  holder: string;
  /** The channel as it is now (null: gone or disabled → the poller stops). */
  channel(): Promise<TelegramChannel | null>;
  /** `getUpdates` with these params; resolves with the updates. */
  getUpdates(channel: TelegramChannel, params: Record<string, unknown>, signal: AbortSignal): Promise<TelegramUpdate[]>;
  /** `deleteWebhook` (polling and a webhook exclude each other at Telegram). */
  deleteWebhook(channel: TelegramChannel, signal: AbortSignal): Promise<void>;
  /** Stores one update (claim, normalize, publish, commit). */
  storeUpdate(channel: TelegramChannel, update: TelegramUpdate): Promise<StoredUpdate>;
  /** After an update is stored (e.g. answer a callback query). Failures are ignored. */
  afterStored?(channel: TelegramChannel, update: TelegramUpdate, stored: StoredUpdate): void;
  log: { info(msg: string): void; warn(msg: string): void };
  options: ResolvedPollingOptions;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Polling options with every default filled in. */
export interface ResolvedPollingOptions {
  timeoutSeconds: number;
  limit: number;
  leaseTtlMs: number;
  leaseRetryMs: number;
  errorBackoffMs: number;
  maxErrorBackoffMs: number;
  allowedUpdates: string[];
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() { clearTimeout(timer); signal.removeEventListener('abort', done); resolve(); }
    signal.addEventListener('abort', done, { once: true });
  });
}

export class TelegramPoller {
  readonly lease: PollLease;
  private readonly stop = new AbortController();
  private loop: Promise<void> | undefined;
  private poll: AbortController | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private webhookDeleted = false;
  private failures = 0;
  /** Updates stored by this poller (duplicates excluded), for status and tests. */
  stored = 0;

  constructor(private readonly d: PollerDeps) {
    this.lease = new PollLease(d.store, d.leaseKey, d.options.leaseTtlMs, d.holder);
  }

  private sleep(ms: number) { return (this.d.sleep ?? abortableSleep)(ms, this.stop.signal); }

  start(): void {
    this.loop ??= this.run().catch((err: unknown) => this.d.log.warn(`telegram poller ${this.d.leaseKey} ended: ${(err as Error).message}`));
  }

  /** Stops polling: aborts the long poll in flight, waits for the loop, gives the lease up. */
  async close(): Promise<void> {
    this.stop.abort();
    this.poll?.abort();
    clearInterval(this.renewTimer);
    await this.loop;
    if (this.lease.isHeld) await this.lease.release();
  }

  private keepRenewing(): void {
    clearInterval(this.renewTimer);
    this.renewTimer = setInterval(() => {
      this.lease.renew().then((held) => { if (!held) this.lost(); }, () => undefined);
    }, Math.max(50, Math.floor(this.d.options.leaseTtlMs / 3)));
    this.renewTimer.unref?.();
  }

  private lost(): void {
    clearInterval(this.renewTimer);
    this.webhookDeleted = false;
    this.poll?.abort();
    this.d.log.warn(`telegram poller: lease ${this.d.leaseKey} lost; another node polls now`);
  }

  private async run(): Promise<void> {
    while (!this.stop.signal.aborted) {
      try {
        if (!(await this.step())) await this.sleep(this.d.options.leaseRetryMs);
        this.failures = 0;
      } catch (err) {
        if (this.stop.signal.aborted) break;
        // Someone set a webhook while this bot polls (409 from getUpdates): the channel says poll, so delete it again.
        if ((err as { data?: { status?: unknown } }).data?.status === 409 && /webhook/i.test((err as Error).message)) this.webhookDeleted = false;
        this.failures++;
        const wait = Math.min(this.d.options.maxErrorBackoffMs, this.d.options.errorBackoffMs * 2 ** Math.min(this.failures - 1, 10));
        this.d.log.warn(`telegram poller ${this.d.leaseKey}: ${(err as Error).message}; polling again in ${wait} ms`);
        await this.sleep(wait);
      }
    }
  }

  /** One round; false when this node does not poll now (no lease, no channel), so the loop waits. */
  private async step(): Promise<boolean> {
    const channel = await this.d.channel();
    if (!channel) {
      if (this.lease.isHeld) { clearInterval(this.renewTimer); await this.lease.release(); }
      return false;
    }
    if (!this.lease.isHeld) {
      if (!(await this.lease.acquire())) return false;
      this.d.log.info(`telegram poller: ${this.d.leaseKey} acquired by ${this.d.holder}`);
      this.keepRenewing();
    }
    this.poll = new AbortController();
    const signal = AbortSignal.any([this.poll.signal, AbortSignal.timeout((this.d.options.timeoutSeconds + 15) * 1000)]);
    if (!this.webhookDeleted) {
      await this.d.deleteWebhook(channel, signal);
      this.webhookDeleted = true;
    }
    const offset = await readOffset(this.d.store, this.d.offsetKey);
    const updates = await this.d.getUpdates(channel, {
      ...(offset !== undefined ? { offset } : {}), timeout: this.d.options.timeoutSeconds, limit: this.d.options.limit,
      allowed_updates: this.d.options.allowedUpdates,
    }, signal);
    let next: number | undefined;
    try {
      for (const update of (Array.isArray(updates) ? updates : []).filter(isUpdate).sort((a, b) => a.update_id - b.update_id)) {
        if (offset !== undefined && update.update_id < offset) continue;
        let stored: StoredUpdate;
        try {
          stored = await this.d.storeUpdate(channel, update);
        } catch (err) {
          // A 400 is the update itself (malformed): skip it, or it would block the bot forever. Anything else
          // (store or NATS down) stops the batch here; the next poll asks again from this update.
          if ((err as { code?: unknown }).code !== 400) throw err;
          this.d.log.warn(`telegram poller ${this.d.leaseKey}: update ${update.update_id} skipped: ${(err as Error).message}`);
          next = update.update_id + 1;
          continue;
        }
        if (!stored.duplicate) this.stored++;
        next = update.update_id + 1;
        try { this.d.afterStored?.(channel, update, stored); } catch { /* best effort */ }
      }
    } finally {
      // Only the holder commits: a node that lost the lease mid-batch leaves the offset to the new holder.
      if (next !== undefined && (await this.lease.renew())) await commitOffset(this.d.store, this.d.offsetKey, next);
      else if (next !== undefined) this.lost();
    }
    return true;
  }
}
