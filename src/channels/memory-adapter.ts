/**
 * In-memory adapter for @moleculer/channels with the same API and semantics as the JetStream one,
 * inside one process: publishes resolve with a `PublishAck` (msg-id de-duplication inside the
 * window), streams must exist (provisioned at start-up or by a subscription), each group gets
 * every message (also those published before it subscribed), failed handlers are retried after
 * a growing delay, then dead-lettered with the error. Nothing survives a restart.
 */
import { BadRequestError, PublishError } from '../errors';
import { BaseAdapter } from './base-adapter';
import { ConnectOnce } from './connect-once';
import { resolveChannel, type Chan } from './channel';
import { LocalFailureCounts } from './failure-counts';
import { notPublishedError, ReadyGate } from './ready-gate';
import { channelNames, deadLetterChannel, NAMESPACE, streamNameFor } from './names';
import {
  DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_PUBLISH_TIMEOUT_MS, checkAdapterOptions, resolveStreamOptions,
  type ChannelConsumerOptions, type ChannelPublishOptions, type PublishAck, type ResolvedConsumerOptions,
  type ResolvedStreamOptions, type StreamOptions,
} from './options';
import { Settler, type Settleable } from './settle';

/** Options of {@link MemoryAdapter}. Consumer options here are defaults for every channel. */
export interface MemoryAdapterOptions extends Omit<ChannelConsumerOptions, 'group' | 'context'> {
  /** SDK namespace: its channels exist from the start. Default {@link NAMESPACE}. */
  namespace?: string;
  /** Create the SDK's channels at start-up. Default true. */
  provisionSdkChannels?: boolean;
  /** Further channels to create at start-up, with their retention (`maxAgeMs`, `maxMsgs`, `duplicateWindowMs` apply). */
  streams?: Record<string, StreamOptions>;
  /** Retention of every channel not listed in `streams`. */
  streamDefaults?: StreamOptions;
  /** On stop, how long in-flight handlers may finish. Default {@link DEFAULT_DRAIN_TIMEOUT_MS}. */
  drainTimeoutMs?: number;
  /** Topic prefix added to every channel name. Default ''. */
  prefix?: string;
  serializer?: string;
  /** Clock for de-duplication windows and retention (tests). Default `Date.now`. */
  now?: () => number;
  /** Random source for retry jitter (tests). Default `Math.random`. */
  random?: () => number;
}

interface Stored { seq: number; data: Buffer; headers: Record<string, string>; msgId?: string; at: number }

interface Member { chan: Chan; cfg: ResolvedConsumerOptions; inFlight: number; closed: boolean; idle: Array<() => void> }

interface Group { name: string; nextSeq: number; ready: Array<{ seq: number; deliveryCount: number }>; members: Member[]; rr: number; scheduled: boolean }

interface MemStream {
  name: string;
  channel: string;
  opts: ResolvedStreamOptions;
  lastSeq: number;
  messages: Stored[];
  dedupe: Map<string, { seq: number; at: number }>;
  groups: Map<string, Group>;
}

/** What a handler gets as `raw` from the memory adapter. */
export interface MemoryDelivery {
  stream: string;
  seq: number;
  deliveryCount: number;
  headers: Record<string, string>;
  data: Buffer;
  info: { stream: string; consumer: string; deliveryCount: number; redeliveryCount: number; streamSequence: number };
  working(): void;
}

/** In-process adapter for `@moleculer/channels` (no NATS). Pass an instance as the middleware's `adapter`. */
export class MemoryAdapter extends BaseAdapter {
  readonly namespace: string;
  private readonly cfg: MemoryAdapterOptions;
  private readonly streams = new Map<string, MemStream>();
  private readonly members = new Map<string, { stream: MemStream; group: Group; member: Member }>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopping = false;
  private readonly connectOnce = new ConnectOnce();
  private readonly now: () => number;
  private readonly gate = new ReadyGate();
  private readonly settler: Settler;

  constructor(opts: MemoryAdapterOptions = {}) {
    super({ prefix: opts.prefix ?? '', serializer: opts.serializer ?? 'JSON' });
    this.namespace = opts.namespace ?? NAMESPACE;
    channelNames(this.namespace);
    this.cfg = opts;
    this.now = opts.now ?? Date.now;
    checkAdapterOptions(this.namespace, opts);
    this.settler = new Settler({
      counts: new LocalFailureCounts(),
      deadLetters: {
        publish: (queue, dl) => this.publish(queue, dl.body, { raw: true, headers: dl.headers, msgID: dl.msgID }, true),
        maxPayload: () => undefined,
      },
      deserialize: (data) => this.serializer.deserialize(data as Buffer, 'channel'),
      logger: () => this.logger,
      metric: (name, chan) => this.metricsIncrement(name, chan),
      random: opts.random ?? Math.random,
      now: this.now,
    });
  }

  /** Connects (idempotent: the middleware's `starting` and `started` hooks both call it). */
  connect(): Promise<void> {
    return this.connectOnce.run(() => this.doConnect());
  }

  private async doConnect(): Promise<void> {
    this.stopping = false;
    const names = new Set<string>();
    if (this.cfg.provisionSdkChannels !== false) for (const c of Object.values(channelNames(this.namespace))) names.add(c);
    for (const c of Object.keys(this.cfg.streams ?? {})) names.add(c);
    if (this.cfg.deadLettering?.enabled !== false) names.add(this.cfg.deadLettering?.queueName ?? deadLetterChannel(this.namespace));
    for (const c of names) this.ensureStream(this.addPrefixTopic(c));
    this.connected = true;
    this.gate.open();
  }

  /** Creates the channel's in-memory stream if missing; returns its name. */
  ensureStream(channel: string): string {
    let s = this.streams.get(channel);
    if (!s) {
      const declared = this.cfg.streams?.[channel];
      s = {
        name: streamNameFor(channel), channel, lastSeq: 0, messages: [], dedupe: new Map(), groups: new Map(),
        opts: resolveStreamOptions(`channels.streams["${channel}"]`, this.cfg.streamDefaults, declared),
      };
      this.streams.set(channel, s);
    }
    return s.name;
  }

  async publish(channelName: string, payload: unknown, opts: ChannelPublishOptions = {}, internal = false): Promise<PublishAck> {
    if (!this.connected && !this.stopping) {
      // published before the middleware connected (e.g. from a service's started()): wait for it
      await this.gate.wait(opts.timeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS);
    }
    if ((this.stopping && !internal) || !this.connected) throw notPublishedError(channelName, opts.msgID, this.stopping);
    const s = this.streams.get(channelName);
    if (!s) throw new PublishError(`channels: "${channelName}" was not stored: no stream stores this subject`, { channel: channelName, msgID: opts.msgID });
    let data: Buffer;
    try {
      data = opts.raw ? Buffer.from(payload as Uint8Array) : Buffer.from(this.serializer.serialize(payload as Record<string, unknown>, 'channel'));
    } catch (err) {
      throw new BadRequestError(`channels: "${channelName}" not published: payload cannot be serialized (${(err as Error)?.message ?? String(err)})`, { channel: channelName, msgID: opts.msgID }, err);
    }
    const now = this.now();
    this.trim(s, now);
    if (opts.msgID) {
      const seen = s.dedupe.get(opts.msgID);
      if (seen && now - seen.at < s.opts.duplicateWindowMs) return { stream: s.name, seq: seen.seq, duplicate: true };
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (v !== undefined && v !== null) headers[k] = String(v);
    if (opts.msgID) headers['Nats-Msg-Id'] = opts.msgID;
    const seq = ++s.lastSeq;
    s.messages.push({ seq, data, headers, msgId: opts.msgID, at: now });
    if (opts.msgID) s.dedupe.set(opts.msgID, { seq, at: now });
    this.trim(s, now);
    for (const g of s.groups.values()) this.schedule(s, g);
    return { stream: s.name, seq, duplicate: false };
  }

  /** Limits retention: drop messages past max age / count, and expired de-duplication entries. */
  private trim(s: MemStream, now: number): void {
    const { maxAgeMs, maxMsgs, duplicateWindowMs } = s.opts;
    let drop = 0;
    while (drop < s.messages.length && maxAgeMs > 0 && now - s.messages[drop]!.at > maxAgeMs) drop++;
    if (maxMsgs > 0) drop = Math.max(drop, s.messages.length - maxMsgs);
    if (drop > 0) s.messages.splice(0, drop);
    for (const [id, e] of s.dedupe) {
      if (now - e.at < duplicateWindowMs) break; // insertion order = time order
      s.dedupe.delete(id);
    }
  }

  async subscribe(chanArg: unknown): Promise<void> {
    const chan = chanArg as Chan;
    const cfg = resolveChannel(chan, this.cfg, this.addPrefixTopic(deadLetterChannel(this.namespace)));
    this.ensureStream(chan.name);
    if (cfg.deadLettering.enabled) this.ensureStream(cfg.deadLettering.queueName);
    const s = this.streams.get(chan.name)!;
    let g = s.groups.get(chan.group);
    if (!g) {
      g = { name: chan.group, nextSeq: s.messages[0]?.seq ?? s.lastSeq + 1, ready: [], members: [], rr: 0, scheduled: false };
      s.groups.set(chan.group, g);
    }
    const member: Member = { chan, cfg, inFlight: 0, closed: false, idle: [] };
    g.members.push(member);
    this.members.set(chan.id, { stream: s, group: g, member });
    this.schedule(s, g);
  }

  private schedule(s: MemStream, g: Group): void {
    if (g.scheduled) return;
    g.scheduled = true;
    setImmediate(() => { g.scheduled = false; this.dispatch(s, g); });
  }

  private dispatch(s: MemStream, g: Group): void {
    for (;;) {
      const open = g.members.filter((m) => !m.closed && m.inFlight < m.cfg.maxInFlight);
      if (open.length === 0) return;
      let item = g.ready.shift();
      if (!item) {
        const first = s.messages[0]?.seq ?? s.lastSeq + 1;
        if (g.nextSeq < first) g.nextSeq = first;
        if (g.nextSeq > s.lastSeq) return;
        item = { seq: g.nextSeq++, deliveryCount: 1 };
      }
      const msg = s.messages.find((m) => m.seq === item!.seq);
      if (!msg) continue; // removed by retention meanwhile
      const member = open[g.rr++ % open.length]!;
      member.inFlight++;
      void this.process(s, g, member, msg, item.deliveryCount).finally(() => {
        member.inFlight--;
        if (member.inFlight === 0) for (const w of member.idle.splice(0)) w();
        this.schedule(s, g);
      });
    }
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => { this.timers.delete(t); fn(); }, ms);
    this.timers.add(t);
  }

  private redeliver(s: MemStream, g: Group, seq: number, deliveryCount: number, delayMs: number): void {
    this.later(delayMs, () => { g.ready.push({ seq, deliveryCount }); this.schedule(s, g); });
  }

  /** One delivery to a group member, settled by the shared policy; a nak is a timed redelivery (none past max_deliver, as on the server). */
  private async process(s: MemStream, g: Group, m: Member, msg: Stored, deliveryCount: number): Promise<void> {
    const raw: MemoryDelivery = {
      stream: s.name, seq: msg.seq, deliveryCount, headers: { ...msg.headers }, data: msg.data,
      info: { stream: s.name, consumer: g.name, deliveryCount, redeliveryCount: deliveryCount, streamSequence: msg.seq },
      working: () => undefined,
    };
    const d: Settleable = {
      stream: s.name, seq: msg.seq, deliveryCount, storedAt: String(msg.at), data: msg.data,
      originalHeaders: () => Object.entries(msg.headers),
      ack: () => undefined,
      nak: (delayMs) => { if (deliveryCount < m.cfg.maxDeliver) this.redeliver(s, g, msg.seq, deliveryCount + 1, delayMs); },
    };
    await this.settler.process(m.chan, m.cfg, d, raw);
  }

  async unsubscribe(chanArg: unknown): Promise<void> {
    const chan = chanArg as Chan;
    const entry = this.members.get(chan.id);
    if (!entry) return;
    this.members.delete(chan.id);
    chan.unsubscribing = true;
    const { group, member } = entry;
    member.closed = true;
    group.members = group.members.filter((x) => x !== member);
    if (member.inFlight > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.cfg.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS);
        member.idle.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }

  async disconnect(): Promise<void> {
    this.stopping = true;
    for (const { member } of Array.from(this.members.values())) await this.unsubscribe(member.chan);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.connected = false;
    this.gate.close();
    this.connectOnce.reset();
  }

  /** Whether a message with `msgID` is stored on `channelName` at or after `since` (epoch ms), as the JetStream lookup answers. */
  async findMessage(channelName: string, msgID: string, since: number): Promise<boolean> {
    if (!this.connected || this.stopping) throw notPublishedError(channelName, msgID, this.stopping);
    const s = this.streams.get(channelName);
    if (!s) throw new PublishError(`channels: "${channelName}" cannot be searched: no stream stores this subject`, { channel: channelName, msgID });
    this.trim(s, this.now());
    return s.messages.some((m) => m.msgId === msgID && m.at >= since);
  }

  parseMessageHeaders(raw: unknown): Record<string, string> | null {
    return (raw as MemoryDelivery | null)?.headers ?? null;
  }

  /** Messages currently stored in a channel (tests, inspection). */
  stored(channel: string): Array<{ seq: number; headers: Record<string, string>; payload: unknown }> {
    const s = this.streams.get(channel);
    if (!s) return [];
    return s.messages.map((m) => ({ seq: m.seq, headers: { ...m.headers }, payload: this.serializer.deserialize(m.data, 'channel') }));
  }
}
