/**
 * The polling lease: one holder per bot across the cluster (a store key set only when absent, renewed
 * by its holder, released on stop). A holder that dies stops renewing; the key expires and another
 * node takes it over.
 */
import { randomUUID } from 'node:crypto';
import type { KeyValueStore } from '../../../store';

/**
 * The lease key of a bot, by its numeric id: one poller per bot in the namespace, whatever channel or
 * service names it (Telegram itself answers a second concurrent getUpdates with 409).
 */
export function pollLeaseKey(botId: string): string {
  return `telegram:poll:${botId}:lease`;
}

export class PollLease {
  /** The value this holder writes: its node and a random part, so a restarted node is a new holder. */
  readonly token: string;
  private held = false;

  constructor(private readonly store: KeyValueStore, readonly key: string, private readonly ttlMs: number, holder: string) {
    this.token = `${holder}:${randomUUID()}`;
  }

  get isHeld(): boolean { return this.held; }

  /** Takes the lease if nobody holds it (or renews it if this holder does); true when held after. */
  async acquire(): Promise<boolean> {
    this.held = (await this.store.setIfAbsent(this.key, this.token, this.ttlMs)) || (await this.store.replaceIfEquals(this.key, this.token, this.token, this.ttlMs));
    return this.held;
  }

  /** Extends the lease while this holder still has it; false (and not held) once it was lost. */
  async renew(): Promise<boolean> {
    this.held = await this.store.replaceIfEquals(this.key, this.token, this.token, this.ttlMs);
    return this.held;
  }

  /** Gives the lease up (only if still ours), so another node takes over at once. Never throws. */
  async release(): Promise<void> {
    this.held = false;
    await this.store.deleteIfEquals(this.key, this.token).catch(() => false);
  }

  /** Who holds the lease now (the token), or null. */
  holder(): Promise<string | null> {
    return this.store.get(this.key);
  }
}
