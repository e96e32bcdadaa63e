/** The WhatsApp service's own actions beside the standard `i_*` ones: `getMedia` (a received media's bytes), `markRead`, `windowState`. */
import type { Context, Service } from 'moleculer';
import type { ServiceActions } from '../../types/moleculer';
import { integrationRuntimeOf } from '../../integration/runtime';
import { resolveOwnedChannel } from '../../integration/channel/resolve';
import type { IntegrationServiceConfig } from '../../integration/types';
import type { IntegrationConfig } from '../../types';
import { downloadMedia, mediaInfo, type WhatsAppMediaInfo } from './media';
import { postReadReceipt, type Fetch } from './send';
import { serviceStore } from './service-store';
import { whatsappApi } from './settings';
import type { WhatsAppWebhookBody } from './types';
import { windowKey, windowState, type WindowState } from './window';

/** `whatsapp.getMedia` params: a received message's `content.mediaId`; `download: true` also returns the bytes (base64). */
export interface GetMediaParams {
  channelId: string;
  mediaId: string;
  download?: boolean;
}

/** `whatsapp.markRead` params: a received message's id (wamid); `typing: true` also shows "typing…". */
export interface MarkReadParams {
  channelId: string;
  messageId: string;
  typing?: boolean;
}

/** `whatsapp.windowState` params: a user's wa_id (a received message's `conversationId`). */
export interface WindowStateParams {
  channelId: string;
  conversationId: string;
}

type Meta = { tenantId?: unknown };
const CHANNEL_ID = { type: 'string', min: 1, max: 200 } as const;

/** The actions of a WhatsApp service built from `config`; each checks the caller's tenant like `i_sendMessage`. */
export function whatsappActions(
  config: IntegrationServiceConfig<WhatsAppWebhookBody>, fetchFor: (service: Service) => Fetch, maxMediaBytes: number, now: () => number = Date.now,
): ServiceActions {
  async function channelFor(service: Service, ctx: Context<{ channelId: string }, Meta>): Promise<IntegrationConfig> {
    const { lookup } = integrationRuntimeOf(service);
    const tenantId = typeof ctx.meta?.tenantId === 'string' ? ctx.meta.tenantId : undefined;
    return resolveOwnedChannel((id) => lookup(id, ctx), ctx.params.channelId, config.spec.platform, tenantId);
  }
  return {
    /**
     * A received media's details (`url`, valid 5 min with the token; `mimeType`, `sha256`, `size`) and, with
     * `download: true`, its bytes as base64 (`data`), at most `maxMediaBytes` (413 above).
     */
    getMedia: {
      visibility: 'published',
      params: { channelId: CHANNEL_ID, mediaId: { type: 'string', min: 1, max: 200 }, download: { type: 'boolean', optional: true } },
      async handler(this: Service, ctx: Context<GetMediaParams, Meta>): Promise<WhatsAppMediaInfo & { data?: string }> {
        const api = whatsappApi(await channelFor(this, ctx));
        const info = await mediaInfo(fetchFor(this), api, ctx.params.mediaId);
        if (ctx.params.download !== true) return info;
        return { ...info, data: (await downloadMedia(fetchFor(this), api, info, maxMediaBytes)).toString('base64') };
      },
    },
    /** Marks a received message read (blue ticks), with a typing indicator when `typing: true`. */
    markRead: {
      visibility: 'published',
      params: { channelId: CHANNEL_ID, messageId: { type: 'string', min: 1, max: 256 }, typing: { type: 'boolean', optional: true } },
      async handler(this: Service, ctx: Context<MarkReadParams, Meta>): Promise<{ success: true }> {
        await postReadReceipt(fetchFor(this), whatsappApi(await channelFor(this, ctx)), ctx.params.messageId, ctx.params.typing === true);
        return { success: true };
      },
    },
    /** Whether a free-form message to the user can go out now: `{ open, lastInboundAt?, closesAt? }` (ms). */
    windowState: {
      visibility: 'published',
      params: { channelId: CHANNEL_ID, conversationId: { type: 'string', min: 1, max: 200 } },
      async handler(this: Service, ctx: Context<WindowStateParams, Meta>): Promise<WindowState> {
        const channel = await channelFor(this, ctx);
        return windowState(serviceStore(this), windowKey(channel, ctx.params.conversationId), now());
      },
    },
  };
}
