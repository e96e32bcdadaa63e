/**
 * JetStream adapter for @moleculer/channels, on the `nats` package: lifecycle and wiring. It keeps
 * the promises the stock NATS adapter breaks: publishes resolve with the PubAck (and reject when
 * not stored), streams are provisioned at start-up with bounded retention, retries wait (backoff +
 * jitter) and `maxRetries` is exact across the members of a group, long handlers are kept in
 * progress, dead letters carry the error and the original is acked only after the dead letter is
 * stored, and the connection reconnects forever. The parts: `provision.ts` (streams, consumers,
 * the failure bucket), `publish.ts`, `pull-consumer.ts`, and the shared policy in `../settle.ts`.
 */
import type { JetStreamClient, JetStreamManager, NatsConnection } from 'nats';
import type { Service } from 'moleculer';
import { BaseAdapter } from '../base-adapter';
import { ConnectOnce } from '../connect-once';
import { resolveChannel, type Chan } from '../channel';
import { LocalFailureCounts } from '../failure-counts';
import { deadLetterChannel, durableNameFor } from '../names';
import {
  DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_FAILURE_COUNTS, DEFAULT_PUBLISH_TIMEOUT_MS, DEFAULT_PULL_EXPIRES_MS, DEFAULT_PULL_HEARTBEAT_MS,
  type ChannelPublishOptions, type PublishAck, type ResolvedConsumerOptions,
} from '../options';
import { notPublishedError, ReadyGate } from '../ready-gate';
import { findMessageInStream } from './find-message';
import { Settler } from '../settle';
import { ProvisionError, ProvisionErrorReason } from './errors';
import { InProgress } from './in-progress';
import { checkJetStreamOptions, closeConnection, openConnection, type JetStreamAdapterOptions } from './options';
import { Provisioner, retryProvisioning } from './provision';
import { Publisher } from './publish';
import { PullConsumer } from './pull-consumer';
import { SharedFailureCounts } from './shared-failure-counts';

export type { JetStreamAdapterOptions, NatsEndpointOptions } from './options';

/** The open connection, JetStream client and manager of an adapter. */
export interface JetStreamHandles {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
}

interface Subscription {
  chan: Chan;
  cfg: ResolvedConsumerOptions;
  consumer: PullConsumer;
}

/** Adapter for `@moleculer/channels` on NATS JetStream. Pass an instance as the middleware's `adapter`. */
export class JetStreamAdapter extends BaseAdapter {
  readonly namespace: string;
  private readonly cfg: JetStreamAdapterOptions;
  private h: JetStreamHandles | null = null;
  private ownsConnection = false;
  private stopping = false;
  private readonly connectOnce = new ConnectOnce();
  private reprovisioning = false;
  private readonly recovering = new Set<string>();
  private readonly subs = new Map<string, Subscription>();
  private readonly gate = new ReadyGate();
  private readonly provisioner: Provisioner;
  private readonly publisher: Publisher;
  private readonly settler: Settler;
  private readonly sharedCounts: boolean;

  constructor(opts: JetStreamAdapterOptions) {
    super({ prefix: opts?.prefix ?? '', serializer: opts?.serializer ?? 'JSON' });
    this.namespace = checkJetStreamOptions(opts);
    this.cfg = opts;
    this.provisioner = new Provisioner({
      opts, namespace: this.namespace, prefix: this.opts.prefix ?? '',
      addPrefix: (t) => this.addPrefixTopic(t), handles: () => this.h, logger: () => this.logger,
    });
    this.publisher = new Publisher({
      handles: () => this.h, stopping: () => this.stopping, gate: this.gate, serializer: () => this.serializer,
      provisioner: this.provisioner, publishTimeoutMs: opts.publishTimeoutMs, logger: () => this.logger,
    });
    this.sharedCounts = (opts.failureCounts ?? DEFAULT_FAILURE_COUNTS) === 'shared';
    this.settler = new Settler({
      counts: this.sharedCounts
        ? new SharedFailureCounts({ bucket: () => this.provisioner.failureBucket(), reset: () => this.provisioner.forgetBucket(), warn: (m) => this.logger?.warn(m) })
        : new LocalFailureCounts(),
      deadLetters: {
        publish: (queue, dl) => this.publisher.publish(queue, Buffer.from(dl.body), { raw: true, headers: dl.headers, msgID: dl.msgID }, true),
        maxPayload: () => this.h?.nc.info?.max_payload ?? 1024 * 1024,
      },
      deserialize: (data) => this.serializer.deserialize(Buffer.from(data.buffer, data.byteOffset, data.byteLength), 'channel'),
      logger: () => this.logger,
      metric: (name, chan) => this.metricsIncrement(name, chan),
      random: opts.random ?? Math.random,
      now: Date.now,
    });
  }

  /** The open NATS connection (null before connect). */
  get connection(): NatsConnection | null { return this.h?.nc ?? null; }

  /**
   * @internal The open connection, JetStream client and manager (null before connect and after
   * stop), for features built on the adapter's connection (stream lookups and the like).
   */
  get jetStream(): JetStreamHandles | null { return this.h; }

  /** Connects (idempotent: the middleware's `starting` and `started` hooks both call it). */
  connect(): Promise<void> {
    return this.connectOnce.run(() => this.doConnect());
  }

  private async doConnect(): Promise<void> {
    this.stopping = false;
    const { nc, owned } = await openConnection(this.cfg.nats, `switchboard-channels:${this.broker?.nodeID ?? 'node'}`);
    this.ownsConnection = owned;
    try {
      this.watchStatus(nc);
      const jsm = await nc.jetstreamManager();
      this.h = { nc, jsm, js: nc.jetstream({ timeout: this.cfg.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS }) };
      await this.provisionServer();
    } catch (err) {
      // e.g. a conflicting stream: fail the start, and do not leave a connection behind
      this.h = null;
      this.provisioner.forget();
      if (owned) await nc.close().catch(() => undefined);
      throw err;
    }
    this.connected = true;
    this.gate.open();
  }

  /** The adapter's streams and, with shared failure counts, the failure bucket. */
  private async provisionServer(): Promise<void> {
    await this.provisioner.provisionAll();
    if (this.sharedCounts) await this.provisioner.failureBucket();
  }

  private watchStatus(nc: NatsConnection): void {
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'reconnect') {
          this.logger?.info(`channels: NATS reconnected (${String(s.data)})`);
          for (const sub of this.subs.values()) sub.consumer.reconnected();
          void this.reprovision();
        } else if (s.type === 'disconnect') {
          this.logger?.warn(`channels: NATS disconnected (${String(s.data)}); reconnecting`);
        }
      }
    })().catch(() => undefined);
  }

  private alive(): boolean {
    return !this.stopping && !!this.h && !this.h.nc.isClosed();
  }

  /**
   * After a reconnect the server may have lost streams or consumers (a new server, memory storage):
   * check and re-create them, retrying while JetStream is still starting.
   */
  private async reprovision(): Promise<void> {
    if (this.reprovisioning || this.stopping) return;
    this.reprovisioning = true;
    try {
      await retryProvisioning(async () => {
        this.provisioner.forget();
        await this.provisionServer();
        for (const sub of Array.from(this.subs.values())) {
          await this.ensureSubscription(sub.chan, sub.cfg);
          sub.consumer.reconnected();
        }
      }, { alive: () => this.alive(), onGiveUp: (err) => this.logger?.error('channels: after reconnect:', (err as Error)?.message ?? err) });
    } finally {
      this.reprovisioning = false;
    }
  }

  /** The channel's stream, its dead-letter stream and the group's consumer; resolves with the stream and durable names. */
  private async ensureSubscription(chan: Chan, cfg: ResolvedConsumerOptions): Promise<{ stream: string; durable: string }> {
    const stream = await this.provisioner.ensureStream(chan.name);
    if (cfg.deadLettering.enabled) await this.provisioner.ensureStream(cfg.deadLettering.queueName);
    const durable = durableNameFor(chan.group);
    await this.provisioner.ensureConsumer(stream, durable, cfg);
    return { stream, durable };
  }

  /** Creates the channel's stream, or checks an existing one; resolves with the stream name. Idempotent, memoized. */
  ensureStream(channel: string): Promise<string> {
    return this.provisioner.ensureStream(channel);
  }

  async subscribe(chanArg: unknown, _svc?: Service): Promise<void> {
    const chan = chanArg as Chan;
    const h = this.h;
    if (!h) throw new ProvisionError(ProvisionErrorReason.NotConnected, 'channels: subscribe before connect');
    const cfg = resolveChannel(chan, this.cfg, this.addPrefixTopic(deadLetterChannel(this.namespace)));
    const { stream, durable } = await this.ensureSubscription(chan, cfg);
    const inProgress = new InProgress(cfg.workingIntervalMs);
    const consumer = new PullConsumer({
      nc: h.nc,
      stream,
      durable,
      maxInFlight: cfg.maxInFlight,
      expiresMs: this.cfg.pullExpiresMs ?? DEFAULT_PULL_EXPIRES_MS,
      heartbeatMs: this.cfg.pullHeartbeatMs ?? DEFAULT_PULL_HEARTBEAT_MS,
      keepAliveMs: cfg.workingIntervalMs,
      process: async (d) => {
        inProgress.add(d);
        try {
          await this.settler.process(chan, cfg, d, d);
        } finally {
          inProgress.delete(d);
        }
      },
      onError: (err) => this.logger?.warn(`channels: consumer "${durable}" on "${stream}":`, (err as Error)?.message ?? err),
      onMissing: () => { void this.recoverConsumer(chan.id); },
    });
    this.subs.set(chan.id, { chan, cfg, consumer });
    consumer.start();
    this.logger?.debug(`channels: subscribed "${chan.name}" as group "${chan.group}"`);
  }

  /**
   * The server lost a subscription's consumer or stream while connected (deleted by an operator,
   * a stream reset): re-create them, with backoff, and pull again.
   */
  private async recoverConsumer(chanId: string): Promise<void> {
    if (this.recovering.has(chanId)) return;
    this.recovering.add(chanId);
    try {
      await retryProvisioning(async () => {
        const sub = this.subs.get(chanId);
        if (!sub) return;
        this.provisioner.forget(sub.chan.name);
        const stream = await this.provisioner.ensureStream(sub.chan.name);
        await this.provisioner.dropStaleConsumer(stream, durableNameFor(sub.chan.group));
        await this.ensureSubscription(sub.chan, sub.cfg);
        this.logger?.info(`channels: consumer "${durableNameFor(sub.chan.group)}" of "${sub.chan.name}" checked (re-created if it was missing)`);
        sub.consumer.reconnected();
      }, {
        // a deletion in progress on the server settles first
        firstDelayMs: 250,
        alive: () => this.subs.has(chanId) && this.alive(),
        onGiveUp: (err) => this.logger?.error('channels: cannot re-create a consumer:', (err as Error)?.message ?? err),
      });
    } finally {
      this.recovering.delete(chanId);
    }
  }

  async unsubscribe(chanArg: unknown): Promise<void> {
    const chan = chanArg as Chan;
    const sub = this.subs.get(chan.id);
    if (!sub) return;
    chan.unsubscribing = true;
    this.subs.delete(chan.id);
    const left = await sub.consumer.stop(this.cfg.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS);
    if (left > 0) this.logger?.warn(`channels: ${left} handler(s) of "${chan.name}" still running at stop; their messages will be redelivered`);
  }

  async disconnect(): Promise<void> {
    this.stopping = true;
    for (const sub of Array.from(this.subs.values())) await this.unsubscribe(sub.chan);
    await Promise.allSettled(Array.from(this.publisher.pending));
    const nc = this.h?.nc;
    this.h = null;
    this.provisioner.forget();
    this.connected = false;
    this.gate.close();
    this.connectOnce.reset();
    if (nc && this.ownsConnection) await closeConnection(nc, this.cfg.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS, (m) => this.logger?.warn(m));
  }

  /**
   * Publishes and resolves with the PubAck. Rejects with `PublishError` when the message was not
   * stored (`data.maybeStored: false`) or not confirmed (`data.maybeStored: true`: retry with the
   * same msgID); with `PayloadTooLargeError` / `BadRequestError` when it can never be published.
   */
  publish(channelName: string, payload: unknown, opts: ChannelPublishOptions = {}, internal = false): Promise<PublishAck> {
    return this.publisher.publish(channelName, payload, opts, internal);
  }

  /** Whether a message with `msgID` is stored on `channelName` at or after `since` (epoch ms): see `find-message.ts`. */
  async findMessage(channelName: string, msgID: string, since: number): Promise<boolean> {
    if (!this.h || this.stopping) throw notPublishedError(channelName, msgID, this.stopping);
    return findMessageInStream(this.h.jsm, this.h.js, channelName, msgID, since, { timeoutMs: this.cfg.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS });
  }

  parseMessageHeaders(raw: unknown): Record<string, string> | null {
    const hs = (raw as { headers?: Iterable<[string, string[]]> } | null)?.headers;
    if (!hs) return null;
    const out: Record<string, string> = {};
    for (const [k, v] of hs) if (v[0] !== undefined) out[k] = v[0];
    return out;
  }
}
