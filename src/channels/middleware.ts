/** `createChannelsMiddleware`: the @moleculer/channels middleware with Switchboard's adapter (JetStream, or in-memory without NATS). */
import { Middleware } from '@moleculer/channels';
import type { Middleware as MoleculerMiddleware } from 'moleculer';
import { ConfigError } from '../errors';
import { JetStreamAdapter, type JetStreamAdapterOptions, type NatsEndpointOptions } from './jetstream/adapter';
import { MemoryAdapter, type MemoryAdapterOptions } from './memory-adapter';
import { NAMESPACE } from './names';

/**
 * Options of {@link createChannelsMiddleware}. Everything but `nats` is optional; consumer options
 * (`maxInFlight`, `maxRetries`, `retryBackoff`, `ackWaitMs`, `deadLettering`, ...) set defaults for
 * every channel, which a channel definition overrides.
 */
export interface ChannelsMiddlewareOptions extends Omit<JetStreamAdapterOptions, 'nats'>, Omit<MemoryAdapterOptions, keyof JetStreamAdapterOptions> {
  /** SDK namespace of the channel names. Default {@link NAMESPACE} (`switchboard`). */
  namespace?: string;
  /**
   * NATS JetStream to use: a URL (`nats://host:4222`, several comma-separated), or
   * `{ url | servers, connectionOptions }`, or `{ connection }`. Absent or empty URL → the in-memory adapter.
   */
  nats?: string | NatsEndpointOptions | null;
  /** Create a Moleculer `Context` for every channel handler by default. Default false. */
  context?: boolean;
  /** Schema property holding channel definitions. Default `channels`. */
  schemaProperty?: string;
  /** Broker method that publishes. Default `sendToChannel`. */
  sendMethodName?: string;
  /** Broker property holding the adapter. Default `channelAdapter`. */
  adapterPropertyName?: string;
}

/** The middleware plus the adapter it uses (tests and health checks may want the adapter). */
export type ChannelsMiddleware = MoleculerMiddleware & { readonly adapter: JetStreamAdapter | MemoryAdapter };

function natsEndpoint(n: ChannelsMiddlewareOptions['nats']): NatsEndpointOptions | null {
  if (n === undefined || n === null) return null;
  if (typeof n === 'string') return n.trim() ? { url: n.trim() } : null;
  if (typeof n !== 'object') throw new ConfigError('channels: `nats` must be a URL string or an object', { option: 'nats' });
  if (!n.connection && !n.url && !n.servers && !n.connectionOptions?.servers) return null;
  return n;
}

/**
 * The channels middleware for `moleculer.config.ts`. With `nats` it runs on NATS JetStream
 * ({@link JetStreamAdapter}); without it, in memory ({@link MemoryAdapter}), same API.
 *
 * ```ts
 * middlewares: [createChannelsMiddleware({ namespace, nats: process.env.NATS_URL })]
 * ```
 */
export function createChannelsMiddleware(options: ChannelsMiddlewareOptions = {}): ChannelsMiddleware {
  const { nats, context, schemaProperty, sendMethodName, adapterPropertyName, ...adapterOpts } = options;
  const endpoint = natsEndpoint(nats);
  const namespace = adapterOpts.namespace ?? NAMESPACE;
  const adapter = endpoint
    ? new JetStreamAdapter({ ...adapterOpts, namespace, nats: endpoint })
    : new MemoryAdapter({ ...adapterOpts, namespace });
  const mw = Middleware({
    adapter: adapter as never,
    context: context ?? false,
    schemaProperty: schemaProperty ?? 'channels',
    sendMethodName: sendMethodName ?? 'sendToChannel',
    adapterPropertyName: adapterPropertyName ?? 'channelAdapter',
    channelHandlerTrigger: 'emitLocalChannelHandler',
  });
  return Object.assign(mw as unknown as MoleculerMiddleware, {
    adapter,
    // Connect (and provision streams) before services start, so a service's started() can publish.
    // Subscriptions still begin in the middleware's `started` hook, once every service is up.
    starting: () => adapter.connect(),
  });
}
