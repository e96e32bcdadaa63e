/**
 * Failure counts shared by every member of a group, in a JetStream KV bucket: one key per
 * `<stream>.<group>.<seq>`, updated by compare-and-set on the key's revision, so two members that
 * fail the same message count 1 and 2, never 1 and 1. If the bucket cannot be reached, this node's
 * own count is used (and said in the log): processing never waits on it.
 */
import type { KV, KvEntry } from 'nats';
import { failureKey, LocalFailureCounts, type FailureCounts, type FailureRecord, type MessageRef } from '../failure-counts';
import { isWrongLastSequence } from './errors';

/** A stored record: count, the stored-at marker of the message it counts, the last error (compact). */
interface Value { n: number; t: string; e?: Record<string, string> }

/** Longest header value kept in a stored error (the full error travels with the failing delivery). */
const ERROR_VALUE_MAX = 1024;
/** Compare-and-set rounds before falling back to this node's count (each lost round means another member wrote). */
const CAS_ROUNDS = 64;
/** After a lost round, wait up to this long (at random) so contending members do not retry in lockstep. */
const CAS_BACKOFF_MS = 5;

const enc = new TextEncoder();
const dec = new TextDecoder();

function compact(error: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!error) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(error)) out[k] = v.length > ERROR_VALUE_MAX ? v.slice(0, ERROR_VALUE_MAX) : v;
  return out;
}

/** The record in `e` if it is a live one for this very message (not deleted, not an older message with the same seq). */
function decode(e: KvEntry | null, ref: MessageRef): Value | null {
  if (!e || e.operation !== 'PUT') return null;
  try {
    const v = JSON.parse(dec.decode(e.value)) as Value;
    return typeof v?.n === 'number' && v.t === ref.storedAt ? v : null;
  } catch {
    return null;
  }
}

export class SharedFailureCounts implements FailureCounts {
  private readonly local = new LocalFailureCounts();

  /**
   * `bucket()` resolves the bound bucket (provisioned on first use); `reset()` is called when it
   * could not be used, so the next use provisions it again (deleted, or lost with a server);
   * `warn` hears about fallbacks.
   */
  constructor(private readonly o: { bucket: () => Promise<KV>; reset?: () => void; warn: (msg: string) => void }) {}

  private bucket(): Promise<KV> {
    return this.o.bucket();
  }

  async get(ref: MessageRef): Promise<FailureRecord> {
    try {
      const v = decode(await (await this.bucket()).get(failureKey(ref)), ref);
      return v ? { count: v.n, error: v.e } : { count: 0 };
    } catch (err) {
      this.fellBack('read', ref, err);
      return this.local.get(ref);
    }
  }

  async add(ref: MessageRef, error: Record<string, string>): Promise<number> {
    const n = await this.update(ref, (prev) => ({ n: (prev?.n ?? 0) + 1, t: ref.storedAt, e: compact(error) }));
    return n ?? this.local.add(ref, error);
  }

  async exhaust(ref: MessageRef, min: number, error: Record<string, string>): Promise<void> {
    const n = await this.update(ref, (prev) => (prev && prev.n >= min ? null : { n: min, t: ref.storedAt, e: prev?.e ?? compact(error) }));
    if (n === undefined) await this.local.exhaust(ref, min, error);
  }

  async clear(ref: MessageRef): Promise<void> {
    await this.local.clear(ref);
    try {
      await (await this.bucket()).delete(failureKey(ref));
    } catch {
      // left to the bucket's TTL; a settled message is never delivered again, so nothing reads it
    }
  }

  /**
   * Compare-and-set: reads the record, computes the next one (null: nothing to write) and writes it
   * only if nobody wrote in between, else reads again. Resolves with the count now stored, or
   * undefined when the bucket could not be used.
   */
  private async update(ref: MessageRef, next: (prev: Value | null) => Value | null): Promise<number | undefined> {
    const key = failureKey(ref);
    try {
      const kv = await this.bucket();
      for (let round = 0; round < CAS_ROUNDS; round++) {
        const entry = await kv.get(key);
        const prev = decode(entry, ref);
        const v = next(prev);
        if (!v) return prev?.n ?? 0;
        try {
          // over a deleted or stale record too: its revision is what must not have moved
          if (entry) await kv.update(key, enc.encode(JSON.stringify(v)), entry.revision);
          else await kv.create(key, enc.encode(JSON.stringify(v)));
        } catch (err) {
          if (isWrongLastSequence(err)) {
            // another member wrote first: read again
            await new Promise((r) => setTimeout(r, Math.random() * CAS_BACKOFF_MS));
            continue;
          }
          throw err;
        }
        this.local.write(ref, { count: v.n, error: v.e, storedAt: ref.storedAt });
        return v.n;
      }
      throw new Error(`no write won in ${CAS_ROUNDS} rounds`);
    } catch (err) {
      this.fellBack('update', ref, err);
      return undefined;
    }
  }

  private fellBack(what: string, ref: MessageRef, err: unknown): void {
    this.o.reset?.();
    this.o.warn(`channels: failure count of "${ref.stream}" seq ${ref.seq} (group "${ref.group}"): cannot ${what} the shared bucket (${(err as Error)?.message ?? err}); using this node's count`);
  }
}
