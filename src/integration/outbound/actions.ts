/** The outbound standard actions (`i_sendMessage`, `i_healthCheck`, `i_status`, `i_validateCredentials`) over the integration runtime. */
import { Errors, type Context, type Service } from 'moleculer';
import type { ServiceActions } from '../../types/moleculer';
import { runtimeOf } from '../../store';
import type { AppContext, AppMeta, IntegrationConfig, OutboundMessage } from '../../types';
import type { IntegrationServiceConfig } from '../types';
import { runCredentialsCheck, runHealthCheck } from './checks';
import { resolveOutboundOptions } from './options';
import { enqueueSend, type QueuedSend } from './queue';
import { resolveOwnedChannel } from '../channel/resolve';
import { integrationRuntimeOf } from '../runtime';
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
 * The four outbound actions for `config`. Spread them into the service's actions; they use the
 * service's integration runtime, built by the runtime mixin's `created` (`outboundMixin`). Every action checks the caller's
 * `ctx.meta.tenantId` (when set) against the channel's tenant, and never answers with a secret.
 */
export function createOutboundActions<TPayload, TChannel extends IntegrationConfig>(config: IntegrationServiceConfig<TPayload, TChannel>): ServiceActions {
  // Fail at definition time, naming the option, rather than when a broker creates the service.
  resolveOutboundOptions(`defineIntegration(${JSON.stringify(config.name)})`, config.outbound);
  const lookupFor = (service: Service, ctx: Context) => (channelId: string) => integrationRuntimeOf(service).outbound.lookup(ctx, channelId);
  return {
    i_sendMessage: {
      visibility: 'published',
      params: SEND_MESSAGE_PARAMS,
      async handler(this: Service, ctx: Context<SendMessageParams, Meta>): Promise<SendOutcome | QueuedSend> {
        if (!config.sendMessage) throw new Errors.MoleculerClientError(`integration ${this.name} does not send messages`, 501, 'NOT_IMPLEMENTED');
        const runtime = integrationRuntimeOf(this).outbound;
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
        const runtime = integrationRuntimeOf(this).outbound;
        const channel = await resolveOwnedChannel(lookupFor(this, ctx), ctx.params.channelId, config.spec.platform, tenantOf(ctx));
        const hook = config.checkHealth ? () => config.checkHealth!.call(this, ctx as unknown as AppContext, channel as TChannel) : undefined;
        const policy = { allowPrivateNetworks: runtimeOf(this.broker).allowPrivateNetworks, onRefused: (detail: string) => this.logger.warn(`health probe of channel ${channel.id} refused: ${detail}`) };
        return { integration: this.name, ...(await runHealthCheck(channel, runtime.options.checkTimeoutMs, hook, policy)) };
      },
    },
    i_status: {
      visibility: 'published',
      handler(this: Service) {
        const runtime = integrationRuntimeOf(this).outbound;
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
        const runtime = integrationRuntimeOf(this).outbound;
        const stored = await resolveOwnedChannel(lookupFor(this, ctx), ctx.params.channelId, config.spec.platform, tenantOf(ctx));
        const channel: IntegrationConfig = ctx.params.credentials ? { ...stored, credentials: { ...stored.credentials, ...ctx.params.credentials } } : stored;
        const hook = config.validateCredentials ? () => config.validateCredentials!.call(this, ctx as unknown as AppContext, channel as TChannel) : undefined;
        return { integration: this.name, ...(await runCredentialsCheck(channel, runtime.options.checkTimeoutMs, hook)) };
      },
    },
  };
}
