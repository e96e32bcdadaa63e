/**
 * JetStream adapter for @moleculer/channels, on the `nats` package. It keeps the promises the
 * stock NATS adapter breaks: publishes resolve with the PubAck (and reject when not stored),
 * streams are provisioned at start-up with bounded retention, retries wait (backoff + jitter)
 * and are capped server-side, long handlers are kept in progress, dead letters carry the error
 * and the original is acked only after the dead letter is stored, and the connection
 * reconnects forever.
 */
import {
  AckPolicy, DeliverPolicy, DiscardPolicy, RetentionPolicy, StorageType,
  connect as natsConnect, headers as natsHeaders,
  type ConnectionOptions, type ConsumerConfig, type JetStreamClient, type JetStreamManager,
  type MsgHdrs, type NatsConnection, type StreamConfig, type StreamInfo,
} from 'nats';
import type { ServiceBroker, LoggerInstance, Service } from 'moleculer';
import { BadRequestError, ConfigError, PayloadTooLargeError, PublishError } from '../errors';
import { retryDelay } from './backoff';
import { BaseAdapter } from './base-adapter';
import { notPublishedError, ReadyGate } from './ready-gate';
import { findMessageInStream } from './find-message';
import type { Delivery } from './delivery';
import { DEAD_LETTER_HEADERS, errorHeaders, fitDeadLetter } from './headers';
import { channelNames, deadLetterChannel, durableNameFor, NAMESPACE, streamNameFor } from './names';
import {
  DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_MAX_ACK_PENDING, DEFAULT_PUBLISH_TIMEOUT_MS, DEFAULT_PULL_EXPIRES_MS,
  DEFAULT_PULL_HEARTBEAT_MS, DEFAULT_RECONNECT_WAIT_MS, checkAdapterOptions, resolveConsumerOptions, resolveStreamOptions,
  type ChannelConsumerOptions, type ChannelPublishOptions, type PublishAck, type ResolvedConsumerOptions,
  type ResolvedStreamOptions, type StreamOptions,
} from './options';
import { InProgress } from './in-progress';
import { PullConsumer } from './pull-consumer';

const NANOS = 1_000_000;

/** How to reach NATS. Give `url`/`servers` (and optional `connectionOptions`), or an open `connection`. */
export interface NatsEndpointOptions {
  /** `nats://host:port`, several separated by commas. */
  url?: string;
  servers?: string | string[];
  /** Passed to `nats.connect`. `maxReconnectAttempts` defaults to -1 (forever). */
  connectionOptions?: ConnectionOptions;
  /** An already open connection (tests, shared clients). The adapter does not close it. */
  connection?: NatsConnection;
}

/** Options of {@link JetStreamAdapter}. Consumer options here are defaults for every channel. */
export interface JetStreamAdapterOptions extends Omit<ChannelConsumerOptions, 'group' | 'context'> {
  /** SDK namespace: its channels' streams are provisioned at start-up. Default {@link NAMESPACE}. */
  namespace?: string;
  nats: NatsEndpointOptions;
  /** Provision the SDK's channels (`INTEGRATION_CHANNELS` under `namespace`) at start-up. Default true. */
  provisionSdkChannels?: boolean;
  /** Further streams to provision at start-up, by channel name, with their retention. */
  streams?: Record<string, StreamOptions>;
  /** Retention for every stream not listed in `streams`. */
  streamDefaults?: StreamOptions;
  /**
   * An existing stream whose config differs from the wanted one: `'error'` (default) fails the
   * start with a `ConfigError` listing the differences; `'update'` applies the wanted limits
   * (storage and retention policy cannot change and always fail).
   */
  onStreamConflict?: 'error' | 'update';
  /** Reject a publish with `PublishError` when no PubAck arrives within this. Default {@link DEFAULT_PUBLISH_TIMEOUT_MS}. */
  publishTimeoutMs?: number;
  /** Server-side cap on unacknowledged messages per group. Default {@link DEFAULT_MAX_ACK_PENDING}. */
  maxAckPending?: number;
  /** Pull request lifetime. Default {@link DEFAULT_PULL_EXPIRES_MS}. */
  pullExpiresMs?: number;
  /** Idle heartbeat of an open pull request. Default {@link DEFAULT_PULL_HEARTBEAT_MS}. */
  pullHeartbeatMs?: number;
  /** On stop, how long in-flight handlers may finish. Default {@link DEFAULT_DRAIN_TIMEOUT_MS}. */
  drainTimeoutMs?: number;
  /** Topic prefix added to every channel name. Default '' (the namespace is already in the names). */
  prefix?: string;
  /** Moleculer serializer name. Default 'JSON'. */
  serializer?: string;
  /** Random source for retry jitter (tests). Default `Math.random`. */
  random?: () => number;
}

/** A channel as the middleware hands it to the adapter. */
interface Chan extends ChannelConsumerOptions {
  id: string;
  name: string;
  group: string;
  unsubscribing?: boolean;
  handler: (payload: unknown, raw: unknown) => Promise<unknown>;
}

interface Subscription {
  chan: Chan;
  cfg: ResolvedConsumerOptions;
  consumer: PullConsumer;
}

const FAILURES_MAX = 10_000;
/** Bytes kept free under max_payload for what the dead-letter estimate does not count (msg id header, framing). */
const DEAD_LETTER_MARGIN = 512;
/** Publish errors that mean "no stream stores this subject" (503 no responders). */
const NO_STREAM = new WeakSet<Error>();

function isNotFound(err: unknown): boolean {
  const e = err as { code?: string; message?: string; api_error?: { code?: number } };
  return e?.api_error?.code === 404 || e?.code === '404' || /not found/i.test(e?.message ?? '');
}

function toArray(s: string | string[] | undefined): string[] {
  if (!s) return [];
  return (Array.isArray(s) ? s : s.split(',')).map((x) => x.trim()).filter(Boolean);
}

/** Adapter for `@moleculer/channels` on NATS JetStream. Pass an instance as the middleware's `adapter`. */
export class JetStreamAdapter extends BaseAdapter {
  readonly namespace: string;
  private readonly cfg: JetStreamAdapterOptions;
  private nc: NatsConnection | null = null;
  private ownsConnection = false;
  private js: JetStreamClient | null = null;
  private jsm: JetStreamManager | null = null;
  private stopping = false;
  private connecting: Promise<void> | null = null;
  private reprovisioning = false;
  private readonly ensured = new Map<string, Promise<string>>();
  private readonly subs = new Map<string, Subscription>();
  private readonly pendingPublishes = new Set<Promise<unknown>>();
  /** Handler failures per message (`<channel id>|<seq>`) seen on this node, with the last error. */
  private readonly failures = new Map<string, { count: number; err: unknown }>();
  private readonly random: () => number;
  private log!: LoggerInstance;
  private readonly gate = new ReadyGate();

  constructor(opts: JetStreamAdapterOptions) {
    super({ prefix: opts.prefix ?? '', serializer: opts.serializer ?? 'JSON' });
    if (!opts || typeof opts !== 'object' || !opts.nats) throw new ConfigError('channels: JetStreamAdapter needs `nats` ({ url } or { connection })');
    const n = opts.nats;
    if (n.connection && (n.url || n.servers)) {
      throw new ConfigError('channels: give either `nats.connection` or `nats.url`/`nats.servers`, not both', { option: 'nats' });
    }
    if (!n.connection && !n.url && !n.servers && !n.connectionOptions?.servers) {
      throw new ConfigError('channels: `nats.url` (or `nats.servers`, or `nats.connection`) is required', { option: 'nats.url' });
    }
    this.namespace = opts.namespace ?? NAMESPACE;
    channelNames(this.namespace);
    if (opts.onStreamConflict !== undefined && opts.onStreamConflict !== 'error' && opts.onStreamConflict !== 'update') {
      throw new ConfigError("channels: `onStreamConflict` must be 'error' or 'update'", { option: 'onStreamConflict' });
    }
    this.cfg = opts;
    this.random = opts.random ?? Math.random;
    checkAdapterOptions(this.namespace, opts);
  }

  override init(broker: ServiceBroker, logger: LoggerInstance): void {
    super.init(broker, logger);
    this.log = logger;
  }

  /** The open NATS connection (null before connect). */
  get connection(): NatsConnection | null { return this.nc; }

  /** Connects (idempotent: the middleware's `starting` and `started` hooks both call it). */
  connect(): Promise<void> {
    if (!this.connecting) {
      this.connecting = this.doConnect();
      this.connecting.catch(() => { this.connecting = null; });
    }
    return this.connecting;
  }

  private async doConnect(): Promise<void> {
    this.stopping = false;
    const n = this.cfg.nats;
    if (n.connection) {
      this.nc = n.connection;
      this.ownsConnection = false;
    } else {
      const servers = [...toArray(n.servers), ...toArray(n.url)];
      this.nc = await natsConnect({
        maxReconnectAttempts: -1,
        reconnectTimeWait: DEFAULT_RECONNECT_WAIT_MS,
        name: `switchboard-channels:${this.broker?.nodeID ?? 'node'}`,
        ...n.connectionOptions,
        ...(servers.length ? { servers } : {}),
      });
      this.ownsConnection = true;
    }
    const nc = this.nc;
    try {
      this.watchStatus(nc);
      this.jsm = await nc.jetstreamManager();
      this.js = nc.jetstream({ timeout: this.cfg.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS });
      await this.provision();
    } catch (err) {
      // e.g. a conflicting stream: fail the start, and do not leave a connection behind
      this.nc = null;
      this.js = null;
      this.jsm = null;
      this.ensured.clear();
      if (this.ownsConnection) await nc.close().catch(() => undefined);
      throw err;
    }
    this.connected = true;
    this.gate.open();
  }

  /** Streams of the SDK's channels, the declared ones and the dead-letter channel, created or checked. */
  private async provision(): Promise<void> {
    const names = new Set<string>();
    if (this.cfg.provisionSdkChannels !== false) for (const c of Object.values(channelNames(this.namespace))) names.add(c);
    for (const c of Object.keys(this.cfg.streams ?? {})) names.add(c);
    const dl = this.cfg.deadLettering;
    if (dl?.enabled !== false) names.add(dl?.queueName ?? deadLetterChannel(this.namespace));
    for (const c of names) await this.ensureStream(this.addPrefixTopic(c));
  }

  private watchStatus(nc: NatsConnection): void {
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'reconnect') {
          this.log?.info(`channels: NATS reconnected (${String(s.data)})`);
          for (const sub of this.subs.values()) sub.consumer.reconnected();
          void this.reprovision();
        } else if (s.type === 'disconnect') {
          this.log?.warn(`channels: NATS disconnected (${String(s.data)}); reconnecting`);
        }
      }
    })().catch(() => undefined);
  }

  /**
   * After a reconnect the server may have lost streams or consumers (a new server, memory storage):
   * check and re-create them, retrying while JetStream is still starting.
   */
  private async reprovision(): Promise<void> {
    if (this.reprovisioning || this.stopping) return;
    this.reprovisioning = true;
    try {
      for (let attempt = 1; attempt <= 20 && !this.stopping && this.nc && !this.nc.isClosed(); attempt++) {
        try {
          this.ensured.clear();
          await this.provision();
          for (const sub of Array.from(this.subs.values())) {
            const stream = await this.ensureStream(sub.chan.name);
            if (sub.cfg.deadLettering.enabled) await this.ensureStream(sub.cfg.deadLettering.queueName);
            await this.ensureConsumer(stream, durableNameFor(sub.chan.group), sub.cfg);
            sub.consumer.reconnected();
          }
          return;
        } catch (err) {
          if (err instanceof ConfigError && !/cannot (read|create) stream/.test(err.message)) {
            this.log?.error('channels: after reconnect:', err.message);
            return;
          }
          await new Promise((r) => setTimeout(r, Math.min(5_000, 250 * attempt)));
        }
      }
    } finally {
      this.reprovisioning = false;
    }
  }

  private wantedStream(channel: string): { cfg: Partial<StreamConfig>; opts: ResolvedStreamOptions } {
    const declared = this.cfg.streams?.[channel] ?? (this.opts.prefix ? this.cfg.streams?.[channel.slice(this.opts.prefix.length + 1)] : undefined);
    const o = resolveStreamOptions(`channels.streams["${channel}"]`, this.cfg.streamDefaults, declared);
    return {
      opts: o,
      cfg: {
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
      },
    };
  }

  /** Creates the channel's stream, or checks an existing one; resolves with the stream name. Idempotent, memoized. */
  ensureStream(channel: string): Promise<string> {
    let p = this.ensured.get(channel);
    if (!p) {
      p = this.doEnsureStream(channel);
      this.ensured.set(channel, p);
      p.catch(() => this.ensured.delete(channel));
    }
    return p;
  }

  private async doEnsureStream(channel: string): Promise<string> {
    const jsm = this.requireJsm();
    const { cfg } = this.wantedStream(channel);
    const name = cfg.name!;
    let info: StreamInfo | null = null;
    try {
      info = await jsm.streams.info(name);
    } catch (err) {
      if (!isNotFound(err)) throw new ConfigError(`channels: cannot read stream "${name}": ${(err as Error).message}`, { stream: name }, err);
    }
    if (!info) {
      try {
        await jsm.streams.add(cfg);
        this.log?.info(`channels: created stream "${name}" for "${channel}"`);
        return name;
      } catch (err) {
        const msg = (err as Error).message ?? '';
        if (!/already in use/i.test(msg)) {
          throw new ConfigError(`channels: cannot create stream "${name}" for "${channel}": ${msg}`, { stream: name, channel }, err);
        }
        info = await jsm.streams.info(name); // created meanwhile by another node
      }
    }
    const conflicts = this.streamConflicts(info.config, cfg, channel);
    if (conflicts.length === 0) return name;
    const immutable = conflicts.filter((c) => c.immutable);
    if (this.cfg.onStreamConflict === 'update' && immutable.length === 0) {
      const subjects = Array.from(new Set([...(info.config.subjects ?? []), channel]));
      await jsm.streams.update(name, { ...info.config, ...cfg, subjects });
      this.log?.warn(`channels: updated stream "${name}": ${conflicts.map((c) => c.text).join('; ')}`);
      return name;
    }
    throw new ConfigError(
      `channels: stream "${name}" for channel "${channel}" exists with a conflicting config: ${conflicts.map((c) => c.text).join('; ')}. ` +
        (immutable.length ? 'Delete or migrate the stream.' : "Align the options, or set `onStreamConflict: 'update'` to apply them."),
      { stream: name, channel, conflicts: conflicts.map((c) => c.text) },
    );
  }

  private streamConflicts(have: StreamConfig, want: Partial<StreamConfig>, channel: string): Array<{ text: string; immutable: boolean }> {
    const out: Array<{ text: string; immutable: boolean }> = [];
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

  private requireJsm(): JetStreamManager {
    if (!this.jsm) throw new PublishError('channels: adapter is not connected');
    return this.jsm;
  }

  private async ensureConsumer(stream: string, durable: string, cfg: ResolvedConsumerOptions): Promise<void> {
    const jsm = this.requireJsm();
    const want: Partial<ConsumerConfig> = {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: cfg.ackWaitMs * NANOS,
      max_deliver: cfg.maxDeliver,
      max_ack_pending: this.cfg.maxAckPending ?? DEFAULT_MAX_ACK_PENDING,
    };
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
      throw new ConfigError(
        `channels: consumer "${durable}" on stream "${stream}" is a push consumer (made by another adapter). Delete it or use another group.`,
        { stream, durable },
      );
    }
    if (c.ack_policy !== AckPolicy.Explicit) {
      throw new ConfigError(`channels: consumer "${durable}" on stream "${stream}" has ack_policy ${c.ack_policy}, wanted explicit`, { stream, durable });
    }
    if (c.ack_wait !== want.ack_wait || c.max_deliver !== want.max_deliver || c.max_ack_pending !== want.max_ack_pending) {
      await jsm.consumers.update(stream, durable, { ack_wait: want.ack_wait, max_deliver: want.max_deliver, max_ack_pending: want.max_ack_pending });
      this.log?.info(`channels: updated consumer "${durable}" on "${stream}" (ack_wait, max_deliver, max_ack_pending)`);
    }
  }

  async subscribe(chanArg: unknown, _svc?: Service): Promise<void> {
    const chan = chanArg as Chan;
    if (!this.nc) throw new ConfigError('channels: subscribe before connect');
    const cfg = resolveConsumerOptions(`channels["${chan.name}"]`, chan, this.cfg, this.addPrefixTopic(deadLetterChannel(this.namespace)));
    // keep the middleware's view consistent with what applies
    chan.maxInFlight = cfg.maxInFlight;
    chan.maxRetries = cfg.maxRetries;
    chan.deadLettering = { ...cfg.deadLettering };
    const stream = await this.ensureStream(chan.name);
    if (cfg.deadLettering.enabled) await this.ensureStream(cfg.deadLettering.queueName);
    const durable = durableNameFor(chan.group);
    await this.ensureConsumer(stream, durable, cfg);
    const inProgress = new InProgress(cfg.workingIntervalMs);
    const consumer = new PullConsumer({
      nc: this.nc,
      stream,
      durable,
      maxInFlight: cfg.maxInFlight,
      expiresMs: this.cfg.pullExpiresMs ?? DEFAULT_PULL_EXPIRES_MS,
      heartbeatMs: this.cfg.pullHeartbeatMs ?? DEFAULT_PULL_HEARTBEAT_MS,
      keepAliveMs: cfg.workingIntervalMs,
      process: (d) => this.process(chan, cfg, inProgress, d),
      onError: (err) => this.log?.warn(`channels: consumer "${durable}" on "${stream}":`, (err as Error)?.message ?? err),
      onMissing: () => { void this.recoverConsumer(chan.id); },
    });
    this.subs.set(chan.id, { chan, cfg, consumer });
    consumer.start();
    this.log?.debug(`channels: subscribed "${chan.name}" as group "${chan.group}"`);
  }

  private readonly recovering = new Set<string>();

  /**
   * The server lost a subscription's consumer or stream while connected (deleted by an operator,
   * a stream reset): re-create them, with backoff, and pull again.
   */
  private async recoverConsumer(chanId: string): Promise<void> {
    if (this.recovering.has(chanId)) return;
    this.recovering.add(chanId);
    try {
      for (let attempt = 1; attempt <= 20; attempt++) {
        // a deletion in progress on the server settles first
        await new Promise((r) => setTimeout(r, attempt === 1 ? 250 : Math.min(5_000, 250 * attempt)));
        const sub = this.subs.get(chanId);
        if (!sub || this.stopping || !this.nc || this.nc.isClosed()) return;
        try {
          this.ensured.delete(sub.chan.name);
          const stream = await this.ensureStream(sub.chan.name);
          if (sub.cfg.deadLettering.enabled) await this.ensureStream(sub.cfg.deadLettering.queueName);
          const durable = durableNameFor(sub.chan.group);
          const jsm = this.requireJsm();
          // a consumer older than its stream belongs to a deleted one: replace it
          const [si, ci] = await Promise.all([jsm.streams.info(stream), jsm.consumers.info(stream, durable).catch(() => null)]);
          if (ci && Date.parse(ci.created) < Date.parse(si.created)) await jsm.consumers.delete(stream, durable).catch(() => undefined);
          await this.ensureConsumer(stream, durable, sub.cfg);
          this.log?.info(`channels: consumer "${durableNameFor(sub.chan.group)}" of "${sub.chan.name}" checked (re-created if it was missing)`);
          sub.consumer.reconnected();
          return;
        } catch (err) {
          if (err instanceof ConfigError && !/cannot (read|create) stream/.test(err.message)) {
            this.log?.error(`channels: cannot re-create the consumer of "${sub.chan.name}":`, err.message);
            return;
          }
        }
      }
    } finally {
      this.recovering.delete(chanId);
    }
  }

  /** Runs the handler for one delivery and settles it: ack, nak with a delay, or dead letter. Never rejects. */
  private async process(chan: Chan, cfg: ResolvedConsumerOptions, inProgress: InProgress, d: Delivery): Promise<void> {
    const key = `${chan.id}|${d.seq}`;
    let payload: unknown;
    try {
      payload = this.serializer.deserialize(Buffer.from(d.data.buffer, d.data.byteOffset, d.data.byteLength), 'channel');
    } catch (err) {
      // cannot be parsed: retrying will not help
      await this.giveUp(chan, cfg, d, err, key);
      return;
    }
    const failure = this.failures.get(key);
    const failed = failure?.count ?? 0;
    if (failed >= 1 + cfg.maxRetries) {
      // Handler attempts are used up here; an earlier dead-letter publish failed: try it again.
      await this.giveUp(chan, cfg, d, failure!.err, key);
      return;
    }
    if (d.deliveryCount >= cfg.maxDeliver) {
      // The last delivery the server allows is kept for the dead letter: a message that kills the
      // process (or never gets acked) would otherwise stay in the stream unacked for good.
      const err = failure?.err ?? new Error(`delivered ${d.deliveryCount} times without an ack (crash loop?); max_deliver ${cfg.maxDeliver} reached`);
      await this.giveUp(chan, cfg, d, err, key);
      return;
    }
    inProgress.add(d);
    try {
      if (cfg.filter && !cfg.filter(payload)) {
        d.ack(); // not for this consumer: skipped, never retried
        return;
      }
      await chan.handler(payload, d);
      d.ack();
      this.failures.delete(key);
    } catch (err) {
      this.metricsIncrement('moleculer.channels.messages.errors.total', chan);
      // Only handler failures count against maxRetries; redeliveries for other reasons (a crashed
      // process, an ack lost with the connection, a stop) raise deliveryCount but are not failures.
      const failures = failed + 1;
      if (failures <= cfg.maxRetries) {
        this.metricsIncrement('moleculer.channels.messages.retries.total', chan);
        const delay = retryDelay(failures, cfg.retryBackoff, this.random);
        this.remember(key, failures, err);
        this.log?.debug(`channels: "${chan.name}" seq ${d.seq} failed (failure ${failures}, delivery ${d.deliveryCount}); retry in ${delay} ms`);
        d.nak(delay);
      } else {
        await this.giveUp(chan, cfg, d, err, key);
      }
    } finally {
      inProgress.delete(d);
    }
  }

  /** Records this node's handler failures of one message (bounded; the oldest entries are dropped). */
  private remember(key: string, count: number, err: unknown): void {
    this.failures.delete(key);
    this.failures.set(key, { count, err });
    if (this.failures.size > FAILURES_MAX) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
  }

  /** Last retry failed: dead-letter then ack; if the dead-letter publish fails, nak so the message comes back. */
  private async giveUp(chan: Chan, cfg: ResolvedConsumerOptions, d: Delivery, err: unknown, key: string): Promise<void> {
    if (!cfg.deadLettering.enabled) {
      this.log?.error(`channels: "${chan.name}" seq ${d.seq} failed after ${cfg.maxRetries} retries; dead lettering is off, message dropped:`, err);
      d.ack();
      this.failures.delete(key);
      return;
    }
    let headers: Record<string, string>;
    try {
      headers = this.deadLetterHeaders(chan, d, err);
    } catch (hErr) {
      // The error (or an original header) cannot be turned into headers: a failed publish would
      // retry this forever, so the dead letter goes out with the basic fields only.
      this.log?.warn(`channels: "${chan.name}" seq ${d.seq}: dead-letter headers could not be built; sending the basic ones:`, (hErr as Error)?.message);
      headers = this.basicDeadLetterHeaders(chan, d);
    }
    try {
      await this.publishDeadLetter(chan, cfg, d, headers);
      this.metricsIncrement('moleculer.channels.messages.deadLettering.total', chan);
      this.log?.warn(`channels: "${chan.name}" seq ${d.seq} moved to "${cfg.deadLettering.queueName}" after ${d.deliveryCount} deliveries`);
      d.ack();
      this.failures.delete(key);
    } catch (pubErr) {
      // the handler is not run again for this message here: only the dead letter is retried
      this.remember(key, Math.max(1 + cfg.maxRetries, this.failures.get(key)?.count ?? 0), err);
      const attempt = Math.max(1, d.deliveryCount - cfg.maxRetries);
      if (d.deliveryCount >= cfg.maxDeliver) {
        this.log?.error(`channels: "${chan.name}" seq ${d.seq}: dead-letter publish failed on the last allowed delivery (max_deliver ${cfg.maxDeliver}); the message stays in the stream unacked`, pubErr);
      } else {
        this.log?.warn(`channels: "${chan.name}" seq ${d.seq}: dead-letter publish failed; not acked, it will come back`, (pubErr as Error).message);
      }
      d.nak(retryDelay(attempt, cfg.retryBackoff, this.random));
    }
  }

  /** Where the message came from; always buildable. */
  private basicDeadLetterHeaders(chan: Chan, d: Delivery): Record<string, string> {
    return {
      [DEAD_LETTER_HEADERS.ORIGINAL_CHANNEL]: chan.name,
      [DEAD_LETTER_HEADERS.ORIGINAL_GROUP]: chan.group,
      [DEAD_LETTER_HEADERS.ORIGINAL_STREAM]: d.info.stream,
      [DEAD_LETTER_HEADERS.ORIGINAL_SEQ]: String(d.seq),
      [DEAD_LETTER_HEADERS.DELIVERY_COUNT]: String(d.deliveryCount),
      [DEAD_LETTER_HEADERS.ERROR_NAME]: 'Error',
      [DEAD_LETTER_HEADERS.ERROR_MESSAGE]: 'the error could not be encoded as headers',
      [DEAD_LETTER_HEADERS.ERROR_TIMESTAMP]: String(Date.now()),
    };
  }

  /** The original headers (its msg id moved to `x-original-msg-id`), where it came from, and the error. */
  private deadLetterHeaders(chan: Chan, d: Delivery, err: unknown): Record<string, string> {
    const h: Record<string, string> = {};
    let originalMsgId: string | undefined;
    if (d.headers) {
      for (const [k, values] of d.headers) {
        if (k.toLowerCase() === 'nats-msg-id') originalMsgId = values[0];
        else if (values[0] !== undefined) h[k] = values[0];
      }
    }
    h[DEAD_LETTER_HEADERS.ORIGINAL_CHANNEL] = chan.name;
    h[DEAD_LETTER_HEADERS.ORIGINAL_GROUP] = chan.group;
    h[DEAD_LETTER_HEADERS.ORIGINAL_STREAM] = d.info.stream;
    h[DEAD_LETTER_HEADERS.ORIGINAL_SEQ] = String(d.seq);
    h[DEAD_LETTER_HEADERS.DELIVERY_COUNT] = String(d.deliveryCount);
    if (originalMsgId !== undefined) h[DEAD_LETTER_HEADERS.ORIGINAL_MSG_ID] = originalMsgId;
    Object.assign(h, errorHeaders(err));
    return h;
  }

  private async publishDeadLetter(chan: Chan, cfg: ResolvedConsumerOptions, d: Delivery, headers: Record<string, string>): Promise<PublishAck> {
    // Unique per original message and group: a repeated dead-letter publish (lost ack) is stored once.
    const msgID = `dl:${d.info.stream}:${d.seq}:${chan.group}`;
    // The original data plus the error headers can exceed max_payload; that would never change on a
    // retry, so the dead letter is shrunk to fit (see fitDeadLetter).
    const maxPayload = this.nc?.info?.max_payload ?? 1024 * 1024;
    const budget = maxPayload - DEAD_LETTER_MARGIN - msgID.length;
    const basic = this.basicDeadLetterHeaders(chan, d);
    let fitted = fitDeadLetter(headers, d.data, budget, basic);
    if (fitted.body !== d.data || fitted.headers !== headers) {
      this.log?.warn(`channels: "${chan.name}" seq ${d.seq}: the dead letter was over max_payload (${maxPayload} bytes); ` +
        (fitted.body.byteLength === 0 && d.data.byteLength > 0
          ? `sent without its body: read it at stream "${d.info.stream}" seq ${d.seq}`
          : `headers cut: ${fitted.headers[DEAD_LETTER_HEADERS.TRUNCATED] ?? ''}`));
    }
    const send = (f: { headers: Record<string, string>; body: Uint8Array }) =>
      this.publish(cfg.deadLettering.queueName, Buffer.from(f.body), { raw: true, headers: f.headers, msgID }, true);
    try {
      return await send(fitted);
    } catch (err) {
      if (!(err instanceof PayloadTooLargeError)) throw err;
      // still too big (the estimate missed): not retryable as is; the smallest form instead
      fitted = fitDeadLetter(headers, d.data, 0, basic);
      this.log?.warn(`channels: "${chan.name}" seq ${d.seq}: the dead letter was over max_payload; sent without its body: read it at stream "${d.info.stream}" seq ${d.seq}`);
      return send(fitted);
    }
  }

  async unsubscribe(chanArg: unknown): Promise<void> {
    const chan = chanArg as Chan;
    const sub = this.subs.get(chan.id);
    if (!sub) return;
    chan.unsubscribing = true;
    this.subs.delete(chan.id);
    const left = await sub.consumer.stop(this.cfg.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS);
    if (left > 0) this.log?.warn(`channels: ${left} handler(s) of "${chan.name}" still running at stop; their messages will be redelivered`);
  }

  async disconnect(): Promise<void> {
    this.stopping = true;
    for (const sub of Array.from(this.subs.values())) await this.unsubscribe(sub.chan);
    await Promise.allSettled(Array.from(this.pendingPublishes));
    const nc = this.nc;
    this.nc = null;
    this.js = null;
    this.jsm = null;
    this.ensured.clear();
    this.connected = false;
    this.gate.close();
    this.connecting = null;
    if (nc && this.ownsConnection) {
      // drain() waits for the server; an unresponsive one (paused, half-open TCP) would hang the stop forever
      const ms = this.cfg.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
      let timer: NodeJS.Timeout | undefined;
      const drained = nc.drain().then(() => true, (err: unknown) => {
        this.log?.warn('channels: error while closing the NATS connection:', (err as Error)?.message);
        return true;
      });
      const done = await Promise.race([drained, new Promise<false>((r) => { timer = setTimeout(() => r(false), ms); })]);
      clearTimeout(timer);
      if (!done) {
        this.log?.warn(`channels: NATS did not confirm the drain within ${ms} ms; closing the connection`);
        await Promise.race([nc.close().catch(() => undefined), new Promise((r) => setTimeout(r, 1_000).unref())]);
      }
    }
  }

  /**
   * Publishes and resolves with the PubAck. Rejects with `PublishError` when the message was not
   * stored (no stream for the subject, the adapter is stopping; `data.maybeStored: false`) or not
   * confirmed (timeout, connection lost: `data.maybeStored: true`, retry with the same msgID);
   * with `PayloadTooLargeError` / `BadRequestError` when it can never be published.
   */
  async publish(channelName: string, payload: unknown, opts: ChannelPublishOptions = {}, internal = false): Promise<PublishAck> {
    try {
      return await this.publishOnce(channelName, payload, opts, internal);
    } catch (err) {
      // 503 (no stream stores the subject) for a stream this adapter provisioned: it was deleted at
      // runtime. Nothing was stored; re-create it and publish once more.
      if (!(err instanceof PublishError) || !NO_STREAM.has(err) || !this.ensured.has(channelName)) throw err;
      this.ensured.delete(channelName);
      try {
        await this.ensureStream(channelName);
      } catch {
        throw err;
      }
      this.log?.warn(`channels: stream of "${channelName}" was missing on the server; re-created`);
      return this.publishOnce(channelName, payload, opts, internal);
    }
  }

  private async publishOnce(channelName: string, payload: unknown, opts: ChannelPublishOptions, internal: boolean): Promise<PublishAck> {
    if (!this.js && !this.stopping) {
      // published before the middleware connected (e.g. from a service's started()): wait for it
      await this.gate.wait(opts.timeoutMs ?? this.cfg.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS);
    }
    if ((this.stopping && !internal) || !this.js) {
      throw notPublishedError(channelName, opts.msgID, this.stopping);
    }
    let data: Uint8Array;
    try {
      data = opts.raw ? (payload as Uint8Array) : this.serializer.serialize(payload as Record<string, unknown>, 'channel');
    } catch (err) {
      // permanent: the same payload will never serialize, retrying cannot help (400, not retryable)
      throw new BadRequestError(
        `channels: "${channelName}" not published: payload cannot be serialized (${(err as Error)?.message ?? String(err)})`,
        { channel: channelName, msgID: opts.msgID }, err,
      );
    }
    let h: MsgHdrs | undefined;
    if (opts.headers) {
      h = natsHeaders();
      for (const [k, v] of Object.entries(opts.headers)) if (v !== undefined && v !== null) h.set(k, String(v));
    }
    const js = this.js;
    const p = (async () => js.publish(channelName, data, {
      ...(h ? { headers: h } : {}),
      ...(opts.msgID ? { msgID: opts.msgID } : {}),
      timeout: opts.timeoutMs ?? this.cfg.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS,
    }))();
    this.pendingPublishes.add(p);
    try {
      const ack = await p;
      return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
    } catch (err) {
      const e = err as Error & { code?: string };
      if (e?.code === 'MAX_PAYLOAD_EXCEEDED') {
        // permanent: the server refuses messages this big, retrying cannot help (413, not retryable)
        const maxPayload = this.nc?.info?.max_payload;
        throw new PayloadTooLargeError(
          `channels: "${channelName}" not published: the message (${data.byteLength} bytes of payload, plus headers) is over the server's max_payload${maxPayload ? ` (${maxPayload} bytes)` : ''}`,
          { channel: channelName, msgID: opts.msgID, size: data.byteLength, maxPayload },
        );
      }
      if (e?.code === '503' || (e as { api_error?: unknown })?.api_error) {
        // the server answered: nothing was stored
        const why = e.code === '503' ? 'no stream stores this subject (or NATS has no JetStream)' : e.message;
        const pe = new PublishError(`channels: "${channelName}" was not stored: ${why}`, { channel: channelName, msgID: opts.msgID, maybeStored: false, cause: e.message }, err);
        if (e.code === '503') NO_STREAM.add(pe);
        throw pe;
      }
      // No answer (timeout, connection lost while waiting): the server may have stored it and the
      // PubAck was lost. Only a retry with the same msgID is sure to store it once.
      throw new PublishError(
        `channels: "${channelName}" publish not confirmed (it may have been stored): ${e?.message ?? String(err)}. ` +
          (opts.msgID ? 'Retry with the same msgID.' : 'Without a msgID, a retry may store it twice.'),
        { channel: channelName, msgID: opts.msgID, maybeStored: true, cause: e?.message },
        err,
      );
    } finally {
      this.pendingPublishes.delete(p);
    }
  }

  /** Whether a message with `msgID` is stored on `channelName` at or after `since` (epoch ms): see `find-message.ts`. */
  async findMessage(channelName: string, msgID: string, since: number): Promise<boolean> {
    if (!this.js || this.stopping) throw notPublishedError(channelName, msgID, this.stopping);
    return findMessageInStream(this.requireJsm(), this.js, channelName, msgID, since, { timeoutMs: this.cfg.publishTimeoutMs });
  }

  parseMessageHeaders(raw: unknown): Record<string, string> | null {
    const hs = (raw as { headers?: Iterable<[string, string[]]> } | null)?.headers;
    if (!hs) return null;
    const out: Record<string, string> = {};
    for (const [k, v] of hs) if (v[0] !== undefined) out[k] = v[0];
    return out;
  }
}
