/** What the adapter wants on the server for a channel: its stream config, its group's consumer config, and how an existing stream differs. */
import { AckPolicy, DeliverPolicy, DiscardPolicy, RetentionPolicy, StorageType, type ConsumerConfig, type StreamConfig } from 'nats';
import { streamNameFor } from '../names';
import { DEFAULT_MAX_ACK_PENDING, resolveStreamOptions, type ResolvedConsumerOptions, type StreamOptions } from '../options';

export const NANOS = 1_000_000;

/** The stream config for `channel` (declared options over `streamDefaults` over the defaults). */
export function wantedStream(channel: string, declared: StreamOptions | undefined, defaults: StreamOptions | undefined): Partial<StreamConfig> & { name: string } {
  const o = resolveStreamOptions(`channels.streams["${channel}"]`, defaults, declared);
  return {
    name: streamNameFor(channel),
    subjects: [channel],
    retention: RetentionPolicy.Limits,
    storage: o.storage === 'memory' ? StorageType.Memory : StorageType.File,
    max_age: o.maxAgeMs * NANOS,
    max_msgs: o.maxMsgs,
    max_bytes: o.maxBytes,
    duplicate_window: o.duplicateWindowMs * NANOS,
    num_replicas: o.replicas,
    discard: o.discard === 'new' ? DiscardPolicy.New : DiscardPolicy.Old,
  };
}

/** A difference between an existing stream and the wanted one; `immutable` ones cannot be updated. */
export interface StreamConflict { text: string; immutable: boolean }

/** How the existing stream `have` differs from `want` for `channel` (empty: it fits). */
export function streamConflicts(have: StreamConfig, want: Partial<StreamConfig>, channel: string): StreamConflict[] {
  const out: StreamConflict[] = [];
  if (!(have.subjects ?? []).includes(channel)) out.push({ text: `subjects ${JSON.stringify(have.subjects)} do not include "${channel}"`, immutable: false });
  const cmp = (field: keyof StreamConfig, immutable: boolean, fmt: (v: unknown) => string = String) => {
    if (have[field] !== want[field]) out.push({ text: `${field} is ${fmt(have[field])}, wanted ${fmt(want[field])}`, immutable });
  };
  const ms = (v: unknown) => `${Number(v) / NANOS} ms`;
  cmp('retention', true);
  cmp('storage', true);
  cmp('max_age', false, ms);
  cmp('max_msgs', false);
  cmp('max_bytes', false);
  cmp('duplicate_window', false, ms);
  cmp('discard', false);
  cmp('num_replicas', false);
  return out;
}

/** The durable pull consumer of a group: explicit acks, from the first stored message, server-side max_deliver. */
export function wantedConsumer(durable: string, cfg: ResolvedConsumerOptions, maxAckPending = DEFAULT_MAX_ACK_PENDING): Partial<ConsumerConfig> {
  return {
    durable_name: durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: cfg.ackWaitMs * NANOS,
    max_deliver: cfg.maxDeliver,
    max_ack_pending: maxAckPending,
  };
}
