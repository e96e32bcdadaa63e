/**
 * Provisioning on the server: streams (created, or checked against the wanted config), the
 * durable consumer of each group, the failure-count KV bucket, and one retry loop for doing it
 * again after a reconnect or a deletion. Failures are typed `ProvisionError`s.
 */
import { AckPolicy, StorageType, type JetStreamClient, type JetStreamManager, type KV, type StreamInfo } from 'nats';
import type { MoleculerLogger } from '../../types/moleculer';
import { channelNames, deadLetterChannel, streamNameFor } from '../names';
import { DEFAULT_FAILURE_COUNT_TTL_MS, resolveStreamOptions, type ResolvedConsumerOptions } from '../options';
import { isNotFound, isRetryableProvisioning, isStreamNameInUse, isStreamSubjectOverlap, ProvisionError, ProvisionErrorReason } from './errors';
import type { JetStreamAdapterOptions } from './options';
import { NANOS, streamConflicts, wantedConsumer, wantedStream } from './stream-config';

/** What provisioning needs from the adapter. */
export interface ProvisionDeps {
  opts: JetStreamAdapterOptions;
  namespace: string;
  /** The adapter's topic prefix ('' for none). */
  prefix: string;
  addPrefix(topic: string): string;
  /** The open JetStream client and manager; null when not connected. */
  handles(): { js: JetStreamClient; jsm: JetStreamManager } | null;
  logger(): MoleculerLogger | undefined;
}

/** The failure-count bucket of a namespace: `<namespace>_failures` (stream `KV_<namespace>_failures`). */
export function failureBucketName(namespace: string): string {
  return `${streamNameFor(namespace)}_failures`;
}

const wait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Runs `step` until it succeeds; retries while the failure is retryable (see
 * `isRetryableProvisioning`) and `alive()` holds, up to `attempts`, waiting `firstDelayMs` before
 * the first try and 250 ms × n (at most 5 s) before try n + 1. Resolves false when it gave up.
 */
export async function retryProvisioning(
  step: () => Promise<void>,
  o: { alive: () => boolean; onGiveUp: (err: unknown) => void; firstDelayMs?: number; attempts?: number },
): Promise<boolean> {
  const attempts = o.attempts ?? 20;
  let last: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const delay = attempt === 1 ? o.firstDelayMs ?? 0 : Math.min(5_000, 250 * (attempt - 1));
    if (delay > 0) await wait(delay);
    if (!o.alive()) return false;
    try {
      await step();
      return true;
    } catch (err) {
      last = err;
      if (!isRetryableProvisioning(err)) break;
    }
  }
  o.onGiveUp(last);
  return false;
}

/** Streams, consumers and the failure bucket of one adapter. Stream checks are memoized per channel until {@link forget}. */
export class Provisioner {
  private readonly ensured = new Map<string, Promise<string>>();
  private bucket: Promise<KV> | null = null;

  constructor(private readonly deps: ProvisionDeps) {}

  private requireHandles(): { js: JetStreamClient; jsm: JetStreamManager } {
    const h = this.deps.handles();
    if (!h) throw new ProvisionError(ProvisionErrorReason.NotConnected, 'channels: adapter is not connected');
    return h;
  }

  /** The streams of the SDK's channels, the declared ones and the dead-letter channel. */
  async provisionAll(): Promise<void> {
    const o = this.deps.opts;
    const names = new Set<string>();
    if (o.provisionSdkChannels !== false) for (const c of Object.values(channelNames(this.deps.namespace))) names.add(c);
    for (const c of Object.keys(o.streams ?? {})) names.add(c);
    const dl = o.deadLettering;
    if (dl?.enabled !== false) names.add(dl?.queueName ?? deadLetterChannel(this.deps.namespace));
    for (const c of names) await this.ensureStream(this.deps.addPrefix(c));
  }

  /** True when the channel's stream was provisioned by this adapter (and not forgotten since). */
  has(channel: string): boolean {
    return this.ensured.has(channel);
  }

  /** Forgets what was checked (one channel, or everything): the next ensure asks the server again. */
  forget(channel?: string): void {
    if (channel === undefined) {
      this.ensured.clear();
      this.bucket = null;
    } else {
      this.ensured.delete(channel);
    }
  }

  /** Forgets the failure bucket only: the next use checks (and re-creates) it. */
  forgetBucket(): void {
    this.bucket = null;
  }

  /** Creates the channel's stream, or checks an existing one; resolves with the stream name. Idempotent, memoized. */
  ensureStream(channel: string): Promise<string> {
    let p = this.ensured.get(channel);
    if (!p) {
      p = this.doEnsureStream(channel);
      this.ensured.set(channel, p);
      p.catch(() => { if (this.ensured.get(channel) === p) this.ensured.delete(channel); });
    }
    return p;
  }

  private async doEnsureStream(channel: string): Promise<string> {
    const { jsm } = this.requireHandles();
    const o = this.deps.opts;
    const prefix = this.deps.prefix;
    const declared = o.streams?.[channel] ?? (prefix ? o.streams?.[channel.slice(prefix.length + 1)] : undefined);
    const want = wantedStream(channel, declared, o.streamDefaults);
    const name = want.name;
    let info = await this.streamInfo(jsm, name);
    if (!info) {
      try {
        await jsm.streams.add(want);
        this.deps.logger()?.info(`channels: created stream "${name}" for "${channel}"`);
        return name;
      } catch (err) {
        const notCreated = (message: string) => new ProvisionError(ProvisionErrorReason.StreamNotCreated, message, { stream: name, channel }, err);
        // A create racing another node's create of the same stream fails with "name in use" or "subjects overlap".
        const raced = isStreamNameInUse(err) || isStreamSubjectOverlap(err);
        if (!raced) throw notCreated(`channels: cannot create stream "${name}" for "${channel}": ${(err as Error).message}`);
        info = await this.streamInfo(jsm, name); // created meanwhile by another node, with another config
        if (!info && isStreamSubjectOverlap(err)) throw notCreated(`channels: cannot create stream "${name}" for "${channel}": ${(err as Error).message}`);
        if (!info) throw notCreated(`channels: stream "${name}" was created and deleted meanwhile`);
      }
    }
    const conflicts = streamConflicts(info.config, want, channel);
    if (conflicts.length === 0) return name;
    const immutable = conflicts.filter((c) => c.immutable);
    if (o.onStreamConflict === 'update' && immutable.length === 0) {
      const subjects = Array.from(new Set([...(info.config.subjects ?? []), channel]));
      await jsm.streams.update(name, { ...info.config, ...want, subjects });
      this.deps.logger()?.warn(`channels: updated stream "${name}": ${conflicts.map((c) => c.text).join('; ')}`);
      return name;
    }
    throw new ProvisionError(
      ProvisionErrorReason.StreamConflict,
      `channels: stream "${name}" for channel "${channel}" exists with a conflicting config: ${conflicts.map((c) => c.text).join('; ')}. ` +
        (immutable.length ? 'Delete or migrate the stream.' : "Align the options, or set `onStreamConflict: 'update'` to apply them."),
      { stream: name, channel, conflicts: conflicts.map((c) => c.text) },
    );
  }

  /** The stream's info, or null when it does not exist. */
  private async streamInfo(jsm: JetStreamManager, name: string): Promise<StreamInfo | null> {
    try {
      return await jsm.streams.info(name);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw new ProvisionError(ProvisionErrorReason.StreamUnreadable, `channels: cannot read stream "${name}": ${(err as Error).message}`, { stream: name }, err);
    }
  }

  /** Creates the group's durable pull consumer, or checks and updates an existing one. */
  async ensureConsumer(stream: string, durable: string, cfg: ResolvedConsumerOptions): Promise<void> {
    const { jsm } = this.requireHandles();
    const want = wantedConsumer(durable, cfg, this.deps.opts.maxAckPending);
    let existing;
    try {
      existing = await jsm.consumers.info(stream, durable);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (!existing) {
      await jsm.consumers.add(stream, want);
      return;
    }
    const c = existing.config;
    if (c.deliver_subject) {
      throw new ProvisionError(ProvisionErrorReason.ConsumerConflict,
        `channels: consumer "${durable}" on stream "${stream}" is a push consumer (made by another adapter). Delete it or use another group.`, { stream, durable });
    }
    if (c.ack_policy !== AckPolicy.Explicit) {
      throw new ProvisionError(ProvisionErrorReason.ConsumerConflict,
        `channels: consumer "${durable}" on stream "${stream}" has ack_policy ${c.ack_policy}, wanted explicit`, { stream, durable });
    }
    if (c.ack_wait !== want.ack_wait || c.max_deliver !== want.max_deliver || c.max_ack_pending !== want.max_ack_pending) {
      await jsm.consumers.update(stream, durable, { ack_wait: want.ack_wait, max_deliver: want.max_deliver, max_ack_pending: want.max_ack_pending });
      this.deps.logger()?.info(`channels: updated consumer "${durable}" on "${stream}" (ack_wait, max_deliver, max_ack_pending)`);
    }
  }

  /** A consumer older than its stream belongs to a deleted one (a stream re-created under it): delete it so it is made again. */
  async dropStaleConsumer(stream: string, durable: string): Promise<void> {
    const { jsm } = this.requireHandles();
    const [si, ci] = await Promise.all([jsm.streams.info(stream), jsm.consumers.info(stream, durable).catch(() => null)]);
    if (ci && Date.parse(ci.created) < Date.parse(si.created)) await jsm.consumers.delete(stream, durable).catch(() => undefined);
  }

  /** The failure-count bucket, created (or its TTL brought in line) and bound. Memoized until {@link forget}. */
  failureBucket(): Promise<KV> {
    if (!this.bucket) {
      const p = this.doFailureBucket();
      this.bucket = p;
      p.catch(() => { if (this.bucket === p) this.bucket = null; });
    }
    return this.bucket;
  }

  private async doFailureBucket(): Promise<KV> {
    const { js, jsm } = this.requireHandles();
    const o = this.deps.opts;
    const bucket = failureBucketName(this.deps.namespace);
    const stream = `KV_${bucket}`;
    const ttlMs = o.failureCountTtlMs ?? DEFAULT_FAILURE_COUNT_TTL_MS;
    const info = await this.streamInfo(jsm, stream);
    if (!info) {
      const storage = resolveStreamOptions('channels.streamDefaults', o.streamDefaults);
      try {
        const kv = await js.views.kv(bucket, {
          history: 1, ttl: ttlMs, replicas: storage.replicas,
          storage: storage.storage === 'memory' ? StorageType.Memory : StorageType.File,
          description: 'Switchboard channels: handler failures per stream, seq and group (maxRetries across nodes)',
        });
        this.deps.logger()?.info(`channels: created failure-count bucket "${bucket}"`);
        return kv;
      } catch (err) {
        const notCreated = () => new ProvisionError(ProvisionErrorReason.StreamNotCreated, `channels: cannot create the failure-count bucket "${bucket}": ${(err as Error).message} (or set \`failureCounts: 'node'\` to count failures per node, without a bucket)`, { stream, bucket }, err);
        // A create racing another node's create of the same bucket fails with "name in use" or "subjects overlap".
        if (!isStreamNameInUse(err) && !isStreamSubjectOverlap(err)) throw notCreated();
        // created meanwhile by another node: bind to it below (an overlap with some other stream is still a failure)
        if (!(await this.streamInfo(jsm, stream))) throw notCreated();
      }
    } else if (info.config.max_age !== ttlMs * NANOS) {
      await jsm.streams.update(stream, { ...info.config, max_age: ttlMs * NANOS });
      this.deps.logger()?.info(`channels: failure-count bucket "${bucket}": TTL set to ${ttlMs} ms`);
    }
    const direct = info?.config.allow_direct ?? (await this.streamInfo(jsm, stream))?.config.allow_direct ?? false;
    return js.views.kv(bucket, { bindOnly: true, allow_direct: direct });
  }
}
