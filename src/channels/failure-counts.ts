/**
 * Handler failures of a message in a group, the number `maxRetries` is measured against. The
 * JetStream adapter keeps them in a JetStream KV bucket shared by every member of the group
 * (`jetstream/shared-failure-counts.ts`); this file holds the contract and the in-process copy
 * used by the memory adapter (and by JetStream with `failureCounts: 'node'`).
 */

/** One message in one group: where it is stored and when (a re-created stream reuses sequences). */
export interface MessageRef {
  stream: string;
  group: string;
  seq: number;
  /** When the message was stored (any stable string); a record with another value belongs to an older message. */
  storedAt: string;
}

/** What is known about a message's handler failures in one group. */
export interface FailureRecord {
  /** Handler failures so far. At `1 + maxRetries` the handler does not run again; only the dead letter is tried. */
  count: number;
  /** The error of the last failure, as dead-letter `x-error-*` headers. */
  error?: Record<string, string>;
}

/** Where failures are counted. No method rejects: a shared copy that cannot be reached falls back to this node's count. */
export interface FailureCounts {
  /** Failures recorded for the message (`count: 0` when none). */
  get(ref: MessageRef): Promise<FailureRecord>;
  /** Records one more failure with its error and resolves with the new count (atomic across members when shared). */
  add(ref: MessageRef, error: Record<string, string>): Promise<number>;
  /** Raises the count to at least `min` so the handler is not run again (a dead letter to retry), keeping `error`. */
  exhaust(ref: MessageRef, min: number, error: Record<string, string>): Promise<void>;
  /** Forgets the message: it was settled for good. */
  clear(ref: MessageRef): Promise<void>;
}

/** How many messages the in-process copy remembers; the oldest are dropped first. */
export const LOCAL_FAILURES_MAX = 10_000;

/** The record key of a message in a group: `<stream>.<group>.<seq>` (also a valid KV key for stream/group names). */
export function failureKey(ref: MessageRef): string {
  return `${ref.stream}.${ref.group}.${ref.seq}`;
}

interface Entry extends FailureRecord { storedAt: string }

/** Failures counted in this process (bounded to {@link LOCAL_FAILURES_MAX} messages). */
export class LocalFailureCounts implements FailureCounts {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly max = LOCAL_FAILURES_MAX) {}

  async get(ref: MessageRef): Promise<FailureRecord> {
    return this.read(ref) ?? { count: 0 };
  }

  async add(ref: MessageRef, error: Record<string, string>): Promise<number> {
    const count = (this.read(ref)?.count ?? 0) + 1;
    this.write(ref, { count, error, storedAt: ref.storedAt });
    return count;
  }

  async exhaust(ref: MessageRef, min: number, error: Record<string, string>): Promise<void> {
    const e = this.read(ref);
    this.write(ref, { count: Math.max(min, e?.count ?? 0), error: e?.error ?? error, storedAt: ref.storedAt });
  }

  async clear(ref: MessageRef): Promise<void> {
    this.entries.delete(failureKey(ref));
  }

  /** Synchronous read (the memory adapter and the shared copy's fallback use it). */
  read(ref: MessageRef): FailureRecord | undefined {
    const e = this.entries.get(failureKey(ref));
    return e && e.storedAt === ref.storedAt ? { count: e.count, error: e.error } : undefined;
  }

  /** Records a known state (the shared copy mirrors what it wrote, for when the bucket cannot be reached). */
  write(ref: MessageRef, e: Entry): void {
    const key = failureKey(ref);
    this.entries.delete(key); // re-inserted last: insertion order is age order
    this.entries.set(key, e);
    if (this.entries.size > this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}
