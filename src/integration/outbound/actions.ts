/** The outbound standard actions (`i_sendMessage`, `i_healthCheck`, `i_status`, `i_validateCredentials`) and the mixin that runs their runtime and queue consumer. */
import { Errors, type Context, type Service, type ServiceSchema } from 'moleculer';
import type { ServiceActions } from '../../types/moleculer';
import { runtimeOf } from '../../store';
import type { AppContext, AppMeta, IntegrationConfig, OutboundMessage } from '../../types';
import type { IntegrationServiceConfig } from '../types';
import { runCredentialsCheck, runHealthCheck } from './checks';
import { resolveOutboundOptions } from './options';
import { compileSendParamsCheck, enqueueSend, queueConsumer, type QueuedSend } from './queue';
import { resolveOwnedChannel } from './resolve-channel';
import { createOutboundRuntime, disposeOutboundRuntime, outboundRuntimeOf } from './runtime';
import { sendMessage, type SendOutcome } from './send-message';

/** `i_sendMessage` params. */
export interface SendMessageParams {
  channelId: string;
  message: OutboundMessage;
  /** Same key within its TTL (default 24 h) → one send; later calls get the first result. 1–200 characters. */
  idempotencyKey?: string;
  /**
   * Queue the send on `<ns>.outbound.send` instead of sending now: the params, the channel and the
   * tenant are checked first (same answers as a direct send), then the call answers {@link QueuedSend}.
   */
  queued?: boolean;
}

/** `i_healthCheck` params. */
export interface ChannelParams {
  channelId: string;
}

/** `i_validateCredentials` params: check the stored credentials, or `credentials` laid over them (e.g. before saving new ones). */
export interface ValidateCredentialsParams {
  channelId: string;
  credentials?: Record<string, unknown>;
}

const CHANNEL_ID = { type: 'string', min: 1, max: 200 } as const;
const MESSAGE = {
  type: 'object',
  props: { conversationId: { type: 'string', min: 1 }, content: { type: 'object', props: { type: 'string' } } },
} as const;

/**
 * `i_sendMessage` params: the one validation of a send — direct, queued through the action, and each
 * message the queue consumer takes (compiled with the same validator, {@link compileSendParamsCheck}).
 */
export const SEND_MESSAGE_PARAMS = {
  channelId: CHANNEL_ID,
  message: MESSAGE,
  idempotencyKey: { type: 'string', min: 1, max: 200, optional: true },
  queued: { type: 'boolean', optional: true },
} as const;

type Meta = AppMeta;
const tenantOf = (ctx: Context<unknown, Meta>) => (typeof ctx.meta?.tenantId === 'string' ? ctx.meta.tenantId : undefined);

/**
 * The four outbound actions for `config`. Spread them into the service's actions; the runtime is
 * built on first use (or by {@link outboundMixin}'s `created`). Every action checks the caller's
 * `ctx.meta.tenantId` (when set) against the channel's tenant, and never answers with a secret.
 */
export function createOutboundActions<TPayload, TChannel extends IntegrationConfig>(config: IntegrationServiceConfig<TPayload, TChannel>): ServiceActions {
  // Fail at definition time, naming the option, rather than when a broker creates the service.
  resolveOutboundOptions(`defineIntegration(${JSON.stringify(config.name)})`, config.outbound);
  const lookupFor = (service: Service, ctx: Context) => (channelId: string) => outboundRuntimeOf(service, config).lookup(ctx, channelId);
  return {
    i_sendMessage: {
      visibility: 'published',
      params: SEND_MESSAGE_PARAMS,
      async handler(this: Service, ctx: Context<SendMessageParams, Meta>): Promise<SendOutcome | QueuedSend> {
        if (!config.sendMessage) throw new Errors.MoleculerClientError(`integration ${this.name} does not send messages`, 501, 'NOT_IMPLEMENTED');
        const runtime = outboundRuntimeOf(this, config);
        const tenantId = tenantOf(ctx);
        const request = {
          channelId: ctx.params.channelId, message: ctx.params.message,
          ...(ctx.params.idempotencyKey ? { idempotencyKey: ctx.params.idempotencyKey } : {}),
          ...(tenantId !== undefined ? { tenantId } : {}),
        };
        if (ctx.params.queued === true) return enqueueSend(this, runtime, ctx, request);
        return sendMessage(runtime.pipeline(ctx), request);
      },
    },
    i_healthCheck: {
      visibility: 'published',
      params: { channelId: CHANNEL_ID },
      async handler(this: Service, ctx: Context<ChannelParams, Meta>) {
        const runtime = outboundRuntimeOf(this, config);
        const channel = await resolveOwnedChannel(lookupFor(this, ctx), ctx.params.channelId, config.spec.platform, tenantOf(ctx));
        const hook = config.checkHealth ? () => config.checkHealth!.call(this, ctx as unknown as AppContext, channel as TChannel) : undefined;
        const policy = { allowPrivateNetworks: runtimeOf(this.broker).allowPrivateNetworks, onRefused: (detail: string) => this.logger.warn(`health probe of channel ${channel.id} refused: ${detail}`) };
        return { integration: this.name, ...(await runHealthCheck(channel, runtime.options.checkTimeoutMs, hook, policy)) };
      },
    },
    i_status: {
      visibility: 'published',
      handler(this: Service) {
        const runtime = outboundRuntimeOf(this, config);
        return {
          integration: this.name,
          spec: config.spec,
          version: config.spec.version,
          capabilities: config.spec.capabilities,
          nodeID: this.broker.nodeID,
          startedAt: new Date(runtime.startedAt).toISOString(),
          uptimeSeconds: Math.round((Date.now() - runtime.startedAt) / 1000),
          counters: { ...runtime.counters },
          pendingEvents: runtime.outbox.size,
        };
      },
    },
    i_validateCredentials: {
      visibility: 'published',
      params: { channelId: CHANNEL_ID, credentials: { type: 'object', optional: true } },
      async handler(this: Service, ctx: Context<ValidateCredentialsParams, Meta>) {
        const runtime = outboundRuntimeOf(this, config);
        const stored = await resolveOwnedChannel(lookupFor(this, ctx), ctx.params.channelId, config.spec.platform, tenantOf(ctx));
        const channel: IntegrationConfig = ctx.params.credentials ? { ...stored, credentials: { ...stored.credentials, ...ctx.params.credentials } } : stored;
        const hook = config.validateCredentials ? () => config.validateCredentials!.call(this, ctx as unknown as AppContext, channel as TChannel) : undefined;
        return { integration: this.name, ...(await runCredentialsCheck(channel, runtime.options.checkTimeoutMs, hook)) };
      },
    },
  };
}

/**
 * A mixin that builds the outbound runtime in `created`, subscribes the queued-send consumer on
 * `<ns>.outbound.send` (unless `outbound.queue.enabled` is false or there is no `sendMessage`),
 * and closes the event outbox in `stopped`.
 */
export function outboundMixin<TPayload, TChannel extends IntegrationConfig>(config: IntegrationServiceConfig<TPayload, TChannel>): ServiceSchema {
  return {
    name: `${config.name}-outbound`,
    created(this: Service) {
      const runtime = createOutboundRuntime(this, config);
      if (runtime.options.queue.enabled && config.sendMessage) {
        // Read by the channels middleware right after `created`; a copy, so the schema object stays untouched.
        const schema = this.schema as ServiceSchema & { channels?: Record<string, unknown> };
        const check = compileSendParamsCheck(this.broker, SEND_MESSAGE_PARAMS);
        schema.channels = { ...(schema.channels ?? {}), [runtime.queueChannel]: queueConsumer(this, runtime, check) };
      }
    },
    async stopped(this: Service) {
      await disposeOutboundRuntime(this);
    },
  };
}
