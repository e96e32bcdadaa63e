/**
 * Channel options and their defaults: stream (retention), consumer (retries, ack wait, dead letters)
 * and publish options are separate types. Every default is a named `DEFAULT_*` constant; the
 * `resolve*` functions merge user options over them and reject conflicts with a message that
 * names the option.
 */
import { ConfigError } from '../errors';
import { assertOption } from '../errors/options';
import { deadLetterChannel, isValidChannelName } from './names';

// ── stream (retention) defaults ───────────────────────────────────────────────
/** Messages older than this are removed from a stream: 7 days. */
export const DEFAULT_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
/** At most this many messages are kept per stream (oldest discarded first): 1,000,000. */
export const DEFAULT_MAX_MSGS = 1_000_000;
/** At most this many bytes are kept per stream (oldest discarded first): 1 GiB. */
export const DEFAULT_MAX_BYTES = 1024 * 1024 * 1024;
/** `Nats-Msg-Id` de-duplication window: 2 minutes. Make it cover your publish-retry span. */
export const DEFAULT_DUPLICATE_WINDOW_MS = 2 * 60 * 1000;
/** Streams are stored on disk by default. */
export const DEFAULT_STORAGE: StreamStorage = 'file';
/** Replicas per stream (use 3 on a production cluster). */
export const DEFAULT_REPLICAS = 1;
/** When a stream is full, the oldest messages are discarded. */
export const DEFAULT_DISCARD: StreamDiscard = 'old';

// ── consumer defaults ─────────────────────────────────────────────────────────
/** Messages a consumer (one group member) processes at the same time. */
export const DEFAULT_MAX_IN_FLIGHT = 1;
/** Retries after the first failed attempt (so 3 → up to 4 handler runs), then the dead letter. */
export const DEFAULT_MAX_RETRIES = 3;
/** How long the server waits for an ack before redelivering: 30 s. */
export const DEFAULT_ACK_WAIT_MS = 30_000;
/** Retry delay before the first retry: 1 s. */
export const DEFAULT_RETRY_INITIAL_DELAY_MS = 1_000;
/** Each further retry waits this many times longer. */
export const DEFAULT_RETRY_MULTIPLIER = 2;
/** Retry delays never exceed 5 minutes. */
export const DEFAULT_RETRY_MAX_DELAY_MS = 5 * 60 * 1000;
/** Up to 20 % is taken off each retry delay at random, so failed messages do not come back in lockstep. */
export const DEFAULT_RETRY_JITTER = 0.2;
/** Extra deliveries allowed, after the last retry, to get a message into the dead-letter stream. */
export const DEFAULT_DEAD_LETTER_ATTEMPTS = 5;
/** Dead lettering is on: a message that fails its last retry is never dropped silently. */
export const DEFAULT_DEAD_LETTERING_ENABLED = true;
/** Unacknowledged messages (in progress or waiting for a retry) a consumer group may have. */
export const DEFAULT_MAX_ACK_PENDING = 10_000;

// ── adapter defaults ──────────────────────────────────────────────────────────
/** A publish rejects with `PublishError` if no PubAck arrives within 5 s. */
export const DEFAULT_PUBLISH_TIMEOUT_MS = 5_000;
/** How long one pull request waits on the server for messages: 30 s. */
export const DEFAULT_PULL_EXPIRES_MS = 30_000;
/** Idle heartbeat asked of the server on a pending pull request: 5 s. */
export const DEFAULT_PULL_HEARTBEAT_MS = 5_000;
/** On stop, in-flight handlers get this long to finish before the consumer closes (unacked messages come back): 30 s. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;
/** Wait between reconnect attempts to NATS: 1 s. Reconnection never gives up. */
export const DEFAULT_RECONNECT_WAIT_MS = 1_000;
/** Handler failures are counted in a JetStream KV bucket shared by every member of a group, so `maxRetries` is exact across nodes. */
export const DEFAULT_FAILURE_COUNTS: FailureCountsMode = 'shared';
/** A failure count not touched for this long is forgotten (the bucket's TTL): 24 h. Keep it above a message's whole retry span. */
export const DEFAULT_FAILURE_COUNT_TTL_MS = 24 * 60 * 60 * 1000;

/** Where handler failures are counted: `shared` (a JetStream KV bucket, exact across nodes) or `node` (in memory, per node). */
export type FailureCountsMode = 'shared' | 'node';

export type StreamStorage = 'file' | 'memory';
export type StreamDiscard = 'old' | 'new';

/** Retention and de-duplication of one stream (one channel). */
export interface StreamOptions {
  /** Remove messages older than this. Default {@link DEFAULT_MAX_AGE_MS} (7 days). */
  maxAgeMs?: number;
  /** Keep at most this many messages (`-1` = no count limit). Default {@link DEFAULT_MAX_MSGS}. */
  maxMsgs?: number;
  /** Keep at most this many bytes (`-1` = no byte limit). Default {@link DEFAULT_MAX_BYTES} (1 GiB). */
  maxBytes?: number;
  /** `Nats-Msg-Id` de-duplication window; at most `maxAgeMs`. Default {@link DEFAULT_DUPLICATE_WINDOW_MS} (2 min). */
  duplicateWindowMs?: number;
  /** `file` (default) or `memory`. */
  storage?: StreamStorage;
  /** Replicas in a cluster. Default {@link DEFAULT_REPLICAS}. */
  replicas?: number;
  /** What goes when the stream is full: `old` messages (default) or `new` publishes are refused. */
  discard?: StreamDiscard;
}

/** Exponential backoff with jitter between retries of a failed handler. */
export interface RetryBackoffOptions {
  /** Delay before the first retry. Default {@link DEFAULT_RETRY_INITIAL_DELAY_MS} (1 s). */
  initialDelayMs?: number;
  /** Growth per retry. Default {@link DEFAULT_RETRY_MULTIPLIER} (2). */
  multiplier?: number;
  /** Cap on any delay. Default {@link DEFAULT_RETRY_MAX_DELAY_MS} (5 min). */
  maxDelayMs?: number;
  /** Fraction (0–1) taken off each delay at random. Default {@link DEFAULT_RETRY_JITTER} (0.2). */
  jitter?: number;
}

/** Dead-letter settings of a consumer. */
export interface DeadLetteringOptions {
  /** Default {@link DEFAULT_DEAD_LETTERING_ENABLED} (true). When false, a message that fails its last retry is logged and acked. */
  enabled?: boolean;
  /** The dead-letter channel. Default `<ns>.deadletter`. */
  queueName?: string;
}

/** How a consumer takes messages from a channel. These are consumer options only, never publish options. */
export interface ChannelConsumerOptions {
  /** Consumer group: each message is processed by one member of each group. Default: the service's full name. */
  group?: string;
  /** Messages this member processes at once. Default {@link DEFAULT_MAX_IN_FLIGHT}. */
  maxInFlight?: number;
  /** Retries after the first failed attempt (0 = none). Default {@link DEFAULT_MAX_RETRIES}. */
  maxRetries?: number;
  /** Delay between retries. */
  retryBackoff?: RetryBackoffOptions;
  /** Where messages go after the last retry. */
  deadLettering?: DeadLetteringOptions;
  /** Server-side ack wait; a running handler keeps the message with `working()` every `ackWaitMs / 3`. Default {@link DEFAULT_ACK_WAIT_MS}. */
  ackWaitMs?: number;
  /** Extra deliveries to get a message into the dead letter. Server `max_deliver` = 1 + maxRetries + this. Default {@link DEFAULT_DEAD_LETTER_ATTEMPTS}. */
  deadLetterAttempts?: number;
  /** Create a Moleculer `Context` for the handler (`ctx.params` is the payload). Default false. */
  context?: boolean;
  /** Consumer-side filter: a message it rejects is acked and skipped, never retried. */
  filter?: (payload: unknown) => boolean;
}

/** A channel handler definition in a service's `channels:` schema. */
export interface ChannelDefinition<TPayload = unknown> extends ChannelConsumerOptions {
  handler: (payload: TPayload, raw?: unknown) => unknown;
}

/** Options of `broker.sendToChannel(name, payload, opts)`. Publish options only. */
export interface ChannelPublishOptions {
  /** JetStream `Nats-Msg-Id`: a second publish with the same id inside the duplicate window is stored once (`duplicate: true`). */
  msgID?: string;
  /** Extra message headers (string values). */
  headers?: Record<string, string>;
  /** Reject if no PubAck within this many ms. Default: the adapter's `publishTimeoutMs`. */
  timeoutMs?: number;
  /** Moleculer context to carry (request id, meta) to the consumer. */
  ctx?: unknown;
  /** `payload` is already bytes (a Buffer/Uint8Array); do not serialize it. */
  raw?: boolean;
}

/** What a confirmed publish resolves with. */
export interface PublishAck {
  /** The stream that stored the message. */
  stream: string;
  /** Its sequence number in the stream (for a duplicate: the sequence of the first copy). */
  seq: number;
  /** True when a message with the same `msgID` was already stored inside the duplicate window. */
  duplicate: boolean;
}

/** Preset consumer options. Spread them into a channel definition: `{ ...CHANNEL_CONFIG.DEFAULTS, handler }`. */
export const CHANNEL_CONFIG = Object.freeze({
  /** Balanced: 10 at a time, 3 retries from 1 s, then dead letter. */
  DEFAULTS: Object.freeze({
    maxInFlight: 10,
    maxRetries: 3,
    retryBackoff: Object.freeze({ initialDelayMs: 1_000, multiplier: 2, maxDelayMs: 60_000, jitter: 0.2 }),
    deadLettering: Object.freeze({ enabled: true }),
  }),
  /** Latency-sensitive: 50 at a time, 5 quick retries from 250 ms, then dead letter. */
  HIGH_PRIORITY: Object.freeze({
    maxInFlight: 50,
    maxRetries: 5,
    retryBackoff: Object.freeze({ initialDelayMs: 250, multiplier: 2, maxDelayMs: 10_000, jitter: 0.2 }),
    deadLettering: Object.freeze({ enabled: true }),
  }),
}) satisfies Record<string, ChannelConsumerOptions>;

// ── resolution ────────────────────────────────────────────────────────────────

export type ResolvedStreamOptions = Required<StreamOptions>;
export type ResolvedBackoff = Required<RetryBackoffOptions>;

export interface ResolvedConsumerOptions {
  maxInFlight: number;
  maxRetries: number;
  retryBackoff: ResolvedBackoff;
  deadLettering: { enabled: boolean; queueName: string };
  ackWaitMs: number;
  /** `working()` interval while a handler runs: ackWaitMs / 3. */
  workingIntervalMs: number;
  deadLetterAttempts: number;
  /** Server `max_deliver`: 1 + maxRetries + deadLetterAttempts. */
  maxDeliver: number;
  filter?: (payload: unknown) => boolean;
}

const check = (cond: boolean, option: string, message: string, value: unknown) => assertOption(cond, 'channels', option, message, value);

const isInt = (v: number, min: number) => Number.isInteger(v) && v >= min;

/** Merges stream options over the defaults; rejects invalid values and a duplicate window longer than max age. */
export function resolveStreamOptions(where: string, ...layers: Array<StreamOptions | undefined>): ResolvedStreamOptions {
  const o: ResolvedStreamOptions = {
    maxAgeMs: DEFAULT_MAX_AGE_MS, maxMsgs: DEFAULT_MAX_MSGS, maxBytes: DEFAULT_MAX_BYTES,
    duplicateWindowMs: DEFAULT_DUPLICATE_WINDOW_MS, storage: DEFAULT_STORAGE, replicas: DEFAULT_REPLICAS, discard: DEFAULT_DISCARD,
  };
  for (const l of layers) if (l) for (const [k, v] of Object.entries(l)) if (v !== undefined) (o as unknown as Record<string, unknown>)[k] = v;
  check(isInt(o.maxAgeMs, 0), `${where}.maxAgeMs`, 'must be an integer ≥ 0 (0 = no age limit)', o.maxAgeMs);
  check(isInt(o.maxMsgs, -1) && o.maxMsgs !== 0, `${where}.maxMsgs`, 'must be a positive integer or -1', o.maxMsgs);
  check(isInt(o.maxBytes, -1) && o.maxBytes !== 0, `${where}.maxBytes`, 'must be a positive integer or -1', o.maxBytes);
  check(isInt(o.duplicateWindowMs, 1), `${where}.duplicateWindowMs`, 'must be an integer ≥ 1', o.duplicateWindowMs);
  check(o.maxAgeMs === 0 || o.duplicateWindowMs <= o.maxAgeMs, `${where}.duplicateWindowMs`, `must not exceed maxAgeMs (${o.maxAgeMs})`, o.duplicateWindowMs);
  check(o.storage === 'file' || o.storage === 'memory', `${where}.storage`, "must be 'file' or 'memory'", o.storage);
  check(o.discard === 'old' || o.discard === 'new', `${where}.discard`, "must be 'old' or 'new'", o.discard);
  check(isInt(o.replicas, 1), `${where}.replicas`, 'must be an integer ≥ 1', o.replicas);
  return o;
}

/** Merges retry backoff options over the defaults; rejects a cap below the first delay. */
export function resolveBackoff(where: string, ...layers: Array<RetryBackoffOptions | undefined>): ResolvedBackoff {
  const o: ResolvedBackoff = {
    initialDelayMs: DEFAULT_RETRY_INITIAL_DELAY_MS, multiplier: DEFAULT_RETRY_MULTIPLIER,
    maxDelayMs: DEFAULT_RETRY_MAX_DELAY_MS, jitter: DEFAULT_RETRY_JITTER,
  };
  for (const l of layers) if (l) for (const [k, v] of Object.entries(l)) if (v !== undefined) (o as unknown as Record<string, unknown>)[k] = v;
  check(Number.isFinite(o.initialDelayMs) && o.initialDelayMs >= 0, `${where}.initialDelayMs`, 'must be ≥ 0', o.initialDelayMs);
  check(Number.isFinite(o.multiplier) && o.multiplier >= 1, `${where}.multiplier`, 'must be ≥ 1', o.multiplier);
  check(Number.isFinite(o.maxDelayMs) && o.maxDelayMs >= o.initialDelayMs, `${where}.maxDelayMs`, `must be ≥ initialDelayMs (${o.initialDelayMs})`, o.maxDelayMs);
  check(Number.isFinite(o.jitter) && o.jitter >= 0 && o.jitter <= 1, `${where}.jitter`, 'must be between 0 and 1', o.jitter);
  return o;
}

/** Merges a channel definition's consumer options over the adapter's, then over the defaults. */
export function resolveConsumerOptions(
  where: string,
  chan: ChannelConsumerOptions,
  adapter: ChannelConsumerOptions,
  defaultDeadLetterQueue: string,
): ResolvedConsumerOptions {
  const pick = <K extends keyof ChannelConsumerOptions>(k: K, d: NonNullable<ChannelConsumerOptions[K]>) =>
    (chan[k] ?? adapter[k] ?? d) as NonNullable<ChannelConsumerOptions[K]>;
  const maxInFlight = pick('maxInFlight', DEFAULT_MAX_IN_FLIGHT);
  const maxRetries = pick('maxRetries', DEFAULT_MAX_RETRIES);
  const ackWaitMs = pick('ackWaitMs', DEFAULT_ACK_WAIT_MS);
  const deadLetterAttempts = pick('deadLetterAttempts', DEFAULT_DEAD_LETTER_ATTEMPTS);
  check(isInt(maxInFlight, 1), `${where}.maxInFlight`, 'must be an integer ≥ 1', maxInFlight);
  check(isInt(maxRetries, 0), `${where}.maxRetries`, 'must be an integer ≥ 0 (it counts retries, not attempts)', maxRetries);
  check(isInt(ackWaitMs, 100), `${where}.ackWaitMs`, 'must be an integer ≥ 100', ackWaitMs);
  check(isInt(deadLetterAttempts, 1), `${where}.deadLetterAttempts`, 'must be an integer ≥ 1', deadLetterAttempts);
  const dl = { ...adapter.deadLettering, ...chan.deadLettering };
  const filter = chan.filter ?? adapter.filter;
  if (filter !== undefined) check(typeof filter === 'function', `${where}.filter`, 'must be a function (payload) => boolean', typeof filter);
  return {
    maxInFlight,
    maxRetries,
    retryBackoff: resolveBackoff(`${where}.retryBackoff`, adapter.retryBackoff, chan.retryBackoff),
    deadLettering: { enabled: dl.enabled ?? DEFAULT_DEAD_LETTERING_ENABLED, queueName: dl.queueName ?? defaultDeadLetterQueue },
    ackWaitMs,
    workingIntervalMs: Math.max(50, Math.floor(ackWaitMs / 3)),
    deadLetterAttempts,
    maxDeliver: 1 + maxRetries + deadLetterAttempts,
    filter,
  };
}

/** What both adapters take beyond consumer defaults: stream defaults and declared streams. */
export interface AdapterStreamsOptions extends Omit<ChannelConsumerOptions, 'group' | 'context'> {
  streamDefaults?: StreamOptions;
  streams?: Record<string, StreamOptions>;
}

/** Checks an adapter's options when it is built, not at the first subscribe: consumer defaults, stream defaults, each declared stream. */
export function checkAdapterOptions(namespace: string, opts: AdapterStreamsOptions): void {
  resolveConsumerOptions('channels', {}, opts, deadLetterChannel(namespace));
  resolveStreamOptions('channels.streamDefaults', opts.streamDefaults);
  for (const [name, s] of Object.entries(opts.streams ?? {})) {
    if (!isValidChannelName(name)) throw new ConfigError(`channels: stream channel name "${name}" is not a valid subject`, { option: 'streams' });
    resolveStreamOptions(`channels.streams["${name}"]`, opts.streamDefaults, s);
  }
}
