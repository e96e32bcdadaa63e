/** Options of the JetStream adapter, their checks, and opening/closing its NATS connection. */
import { connect as natsConnect, type ConnectionOptions, type NatsConnection } from 'nats';
import { ConfigError } from '../../errors';
import { assertOption } from '../../errors/options';
import { channelNames, NAMESPACE } from '../names';
import {
  DEFAULT_RECONNECT_WAIT_MS, checkAdapterOptions, type ChannelConsumerOptions, type FailureCountsMode, type StreamOptions,
} from '../options';

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
  /**
   * Where handler failures are counted against `maxRetries`. `'shared'` (default): a JetStream KV
   * bucket `<namespace>_failures` (stream `KV_<namespace>_failures`), one count per stream, seq and
   * group, so `maxRetries: 3` means three failures whichever members ran them. `'node'`: in memory,
   * per node (a message failing on several members may run up to `max_deliver − 1` times).
   */
  failureCounts?: FailureCountsMode;
  /** A failure count not updated for this long is forgotten (the bucket's TTL). Default {@link DEFAULT_FAILURE_COUNT_TTL_MS} (24 h). */
  failureCountTtlMs?: number;
  /** Topic prefix added to every channel name. Default '' (the namespace is already in the names). */
  prefix?: string;
  /** Moleculer serializer name. Default 'JSON'. */
  serializer?: string;
  /** Random source for retry jitter (tests). Default `Math.random`. */
  random?: () => number;
}

/** Checks the options when the adapter is built; resolves the namespace. */
export function checkJetStreamOptions(opts: JetStreamAdapterOptions): string {
  if (!opts || typeof opts !== 'object' || !opts.nats) throw new ConfigError('channels: JetStreamAdapter needs `nats` ({ url } or { connection })');
  const n = opts.nats;
  if (n.connection && (n.url || n.servers)) {
    throw new ConfigError('channels: give either `nats.connection` or `nats.url`/`nats.servers`, not both', { option: 'nats' });
  }
  if (!n.connection && !n.url && !n.servers && !n.connectionOptions?.servers) {
    throw new ConfigError('channels: `nats.url` (or `nats.servers`, or `nats.connection`) is required', { option: 'nats.url' });
  }
  const namespace = opts.namespace ?? NAMESPACE;
  channelNames(namespace);
  if (opts.onStreamConflict !== undefined && opts.onStreamConflict !== 'error' && opts.onStreamConflict !== 'update') {
    throw new ConfigError("channels: `onStreamConflict` must be 'error' or 'update'", { option: 'onStreamConflict' });
  }
  const fc = opts.failureCounts;
  assertOption(fc === undefined || fc === 'shared' || fc === 'node', 'channels', 'failureCounts', "must be 'shared' or 'node'", fc);
  const ttl = opts.failureCountTtlMs;
  assertOption(ttl === undefined || (Number.isInteger(ttl) && ttl >= 1_000), 'channels', 'failureCountTtlMs', 'must be an integer ≥ 1000', ttl);
  checkAdapterOptions(namespace, opts);
  return namespace;
}

function toArray(s: string | string[] | undefined): string[] {
  if (!s) return [];
  return (Array.isArray(s) ? s : s.split(',')).map((x) => x.trim()).filter(Boolean);
}

/** The given connection (not owned), or a new one that reconnects forever (owned: closed on stop). */
export async function openConnection(n: NatsEndpointOptions, name: string): Promise<{ nc: NatsConnection; owned: boolean }> {
  if (n.connection) return { nc: n.connection, owned: false };
  const servers = [...toArray(n.servers), ...toArray(n.url)];
  const nc = await natsConnect({
    maxReconnectAttempts: -1,
    reconnectTimeWait: DEFAULT_RECONNECT_WAIT_MS,
    name,
    ...n.connectionOptions,
    ...(servers.length ? { servers } : {}),
  });
  return { nc, owned: true };
}

/**
 * Drains an owned connection, bounded: drain() waits for the server, and an unresponsive one
 * (paused, half-open TCP) would hang the stop forever, so after `ms` the connection is closed.
 */
export async function closeConnection(nc: NatsConnection, ms: number, warn: (msg: string) => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const drained = nc.drain().then(() => true, (err: unknown) => {
    warn(`channels: error while closing the NATS connection: ${(err as Error)?.message}`);
    return true;
  });
  const done = await Promise.race([drained, new Promise<false>((r) => { timer = setTimeout(() => r(false), ms); })]);
  clearTimeout(timer);
  if (!done) {
    warn(`channels: NATS did not confirm the drain within ${ms} ms; closing the connection`);
    await Promise.race([nc.close().catch(() => undefined), new Promise((r) => setTimeout(r, 1_000).unref())]);
  }
}
