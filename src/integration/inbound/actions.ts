/** The inbound standard actions, `i_receiveWebhook` and `i_verifyWebhook`, over the pipeline steps. */
import type { Context, Service } from 'moleculer';
import type { ServiceActions } from '../../types/moleculer';
import type { AppContext, IntegrationConfig } from '../../types';
import type { IntegrationServiceConfig } from '../types';
import type { ResolvedInboundOptions } from '../options';
import type { InboundPipeline, ReceiveWebhookResult } from './receive-webhook';
import { decodeRequest, stringMap, type InboundRequest, type ReceiveWebhookParams } from './request';
import { resolveChannel } from '../channel/resolve';
import { metaChallenge } from './verify-webhook';

/** The per-service pieces the actions need, built in `created`/`started` (see `define-integration.ts`). */
export interface InboundRuntime {
  /** The pipeline for one call (`ctx` reaches `getChannelConfig`). */
  pipeline(ctx: Context): InboundPipeline;
  /** Runs the pipeline for one request (and records it when the webhook VCR is on). */
  receive(ctx: Context, request: InboundRequest): Promise<ReceiveWebhookResult>;
  options: ResolvedInboundOptions;
}

/** `i_verifyWebhook` params, as the gateway sends them. */
export interface VerifyWebhookParams {
  channelId: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
}

const CHANNEL_ID = { type: 'string', min: 1, max: 200 } as const;

/** Builds both actions; `runtimeOf` finds the service's runtime. */
export function inboundActions<TPayload, TChannel extends IntegrationConfig>(
  config: IntegrationServiceConfig<TPayload, TChannel>,
  runtimeOf: (service: Service) => InboundRuntime,
): ServiceActions {
  return {
    i_receiveWebhook: {
      visibility: 'published',
      params: {
        channelId: CHANNEL_ID, body: 'string', headers: { type: 'object', optional: true }, query: { type: 'object', optional: true }, receivedAt: { type: 'number', optional: true },
        path: { type: 'string', optional: true }, remoteAddress: { type: 'string', optional: true },
      },
      async handler(this: Service, ctx: Context<ReceiveWebhookParams>) {
        const runtime = runtimeOf(this);
        return runtime.receive(ctx, decodeRequest(ctx.params, runtime.options.maxBodyBytes));
      },
    },
    i_verifyWebhook: {
      visibility: 'published',
      params: { channelId: CHANNEL_ID, query: { type: 'object', optional: true }, headers: { type: 'object', optional: true } },
      async handler(this: Service, ctx: Context<VerifyWebhookParams>) {
        const pipeline = runtimeOf(this).pipeline(ctx);
        const channel = await resolveChannel((id) => pipeline.lookupChannel(id), ctx.params.channelId, pipeline.platform);
        const request = { channelId: channel.id, query: stringMap(ctx.params.query), headers: stringMap(ctx.params.headers, true) };
        if (config.verifyWebhook) return config.verifyWebhook.call(this, ctx as unknown as AppContext, request, channel as TChannel);
        return metaChallenge(request, channel);
      },
    },
  };
}
