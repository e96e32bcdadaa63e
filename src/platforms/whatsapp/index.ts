/**
 * `whatsapp()`: the WhatsApp Cloud API as a `defineIntegration` config — verified webhooks (app secret,
 * `x-hub-signature-256`), the `hub.challenge` subscription, every message and delivery receipt of a batch,
 * sends through the Graph API, the 24-hour customer-service window as a send policy, and Meta's pacing.
 *
 * ```ts
 * // services/whatsapp.service.ts
 * import { defineIntegration, whatsapp } from '@switchboard/sdk';
 * export default defineIntegration(whatsapp());
 * ```
 *
 * A channel: `platform: 'whatsapp'`, `secrets: [<app secret>]`, `credentials: { accessToken, phoneNumberId }`,
 * `settings: { verifyToken, apiVersion?: 'v21.0', apiBaseUrl?, windowTemplate?: { name, language, components? } }`.
 */
import type { Context, Service } from 'moleculer';
import { channelLookupOf } from '../../integration/channel-lookup';
import { resolveOwnedChannel } from '../../integration/outbound/resolve-channel';
import { metaChallenge } from '../../integration/inbound/verify-webhook';
import type { IntegrationServiceConfig } from '../../integration/types';
import type { RateLimit } from '../../integration/outbound/rate-limit';
import { guardedFetch, metaSignature } from '../../security';
import { acquireStore, releaseStore, runtimeOf, type KeyValueStore } from '../../store';
import type { BaseSpec, IntegrationConfig, NormalizedMessage, OutboundMessage, SendResult, WebhookEvent } from '../../types';
import { graphErrorCode, TOKEN_CODE, WindowClosedError } from './errors';
import { markTokenRejected, whatsappCredentials, whatsappHealth } from './health';
import { normalizeWhatsApp, whatsappEventId, WHATSAPP_PLATFORM } from './normalize';
import { DEFAULT_MAX_MEDIA_BYTES, downloadMedia, mediaInfo, type WhatsAppMediaInfo } from './media';
import { graphMessageBody, postMessage, postReadReceipt, windowTemplateContent, type Fetch } from './send';
import { whatsappApi } from './settings';
import { whatsappStatuses } from './statuses';
import type { WhatsAppWebhookBody } from './types';
import { needsOpenWindow, recordMessages, windowKey, windowState } from './window';

export { normalizeWhatsApp, normalizeMessage, whatsappEventId, changeValues, WHATSAPP_PLATFORM } from './normalize';
export { whatsappContent } from './content';
export { whatsappStatuses, statusError } from './statuses';
export { graphMessageBody, contentBody, postMessage, postReadReceipt, windowTemplateContent, MAX_REPLY_BUTTONS, MAX_LIST_ROWS } from './send';
export type { Fetch } from './send';
export {
  WindowClosedError, WINDOW_CLOSED, whatsappApiError, graphError, graphErrorCode, RATE_LIMIT_WAIT_MS,
  THROUGHPUT_CODE, PAIR_RATE_CODE, WINDOW_CODE, TOKEN_CODE,
} from './errors';
export { whatsappApi, windowTemplateOf, DEFAULT_WHATSAPP_API_BASE_URL, DEFAULT_WHATSAPP_API_VERSION } from './settings';
export type { WhatsAppApi } from './settings';
export { WHATSAPP_WINDOW_MS, windowKey, windowState, recordInbound, recordMessages, needsOpenWindow } from './window';
export type { WindowState } from './window';
export { whatsappHealth, whatsappCredentials, tokenMarkKey, TOKEN_MARK_TTL_MS } from './health';
export { metaTimestampMs } from './timestamps';
export { mediaInfo, downloadMedia, DEFAULT_MAX_MEDIA_BYTES } from './media';
export type { WhatsAppMediaInfo } from './media';
export type * from './types';

/**
 * Per-recipient pair rate: one message every 6 s to one user, bursts of up to 45 borrowed from later
 * (Meta's pair rate limit, error 131056): a token bucket of 45 refilled at 1/6 per second.
 */
export const WHATSAPP_PAIR_RATE_LIMIT: RateLimit = Object.freeze({ capacity: 45, refillPerSecond: 1 / 6 });
/**
 * Meta's pacing as the send rate limit (shared by every node through Redis): 80 messages/s per number
 * (a Cloud API number's default throughput), and {@link WHATSAPP_PAIR_RATE_LIMIT} per user
 * (`perConversation`, honoured where the outbound rate limiter has per-conversation buckets). A channel's
 * `settings.rateLimit` replaces it, e.g. for a number upgraded to 1,000 messages/s.
 */
export const WHATSAPP_RATE_LIMIT: RateLimit & { perConversation?: RateLimit | false } = Object.freeze({
  capacity: 80, refillPerSecond: 80, perConversation: WHATSAPP_PAIR_RATE_LIMIT,
});

/** `i_status`'s description of the integration. */
export const WHATSAPP_SPEC: BaseSpec = Object.freeze({
  id: 'whatsapp', name: 'WhatsApp Cloud API', platform: WHATSAPP_PLATFORM, version: '1.0.0', status: 'ACTIVE',
  capabilities: ['RECEIVE_MESSAGE', 'SEND_MESSAGE', 'SEND_MEDIA', 'WEBHOOK_VERIFICATION', 'REACTIONS', 'INTERACTIVE', 'TEMPLATES', 'DELIVERY_STATUS'],
  description: 'WhatsApp Cloud API (Graph API): messages, media, templates, interactive, reactions, delivery receipts, the 24-hour window.',
}) as BaseSpec;

/** Options of `whatsapp()`: any hook or option of `IntegrationServiceConfig` overrides the shipped one, plus the edges below. */
export type WhatsAppOptions = Partial<IntegrationServiceConfig<WhatsAppWebhookBody>> & {
  /** The HTTP client for the Graph API. Default: `fetch` refusing internal addresses unless `SWITCHBOARD_ALLOW_PRIVATE_URLS=true`. */
  fetch?: Fetch;
  /** Clock for the 24-hour window, ms. Default `Date.now`. */
  now?: () => number;
  /**
   * Check the 24-hour window before a free-form send (no API call when closed). Default true. `false`: every
   * send goes to Meta, whose 131047 answer is still mapped to `WINDOW_CLOSED` (and `windowTemplate` is not used).
   */
  enforceWindow?: boolean;
  /** Largest media the `getMedia` action downloads, in bytes. Default {@link DEFAULT_MAX_MEDIA_BYTES} (16 MiB). */
  maxMediaBytes?: number;
};

/** `whatsapp.markRead` params: a received message's id (wamid); `typing: true` also shows "typing…". */
export interface MarkReadParams {
  channelId: string;
  messageId: string;
  typing?: boolean;
}

/** `whatsapp.getMedia` params: a received message's `content.mediaId`; `download: true` also returns the bytes (base64). */
export interface GetMediaParams {
  channelId: string;
  mediaId: string;
  download?: boolean;
}

const STORE = Symbol('switchboard.whatsapp.store');
type WithStore = Service & { [STORE]?: KeyValueStore };

function storeOf(service: Service): KeyValueStore {
  const store = (service as WithStore)[STORE];
  if (store) return store;
  // Hooks called before `created` (tests calling them directly): take one now, released in `stopped`.
  return ((service as WithStore)[STORE] = acquireStore(service.broker));
}

const asList = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/**
 * The WhatsApp integration's config. `defineIntegration(whatsapp())` is a complete service; pass options to
 * override any hook (`normalize`, `sendMessage`, ...), the `name` (default `whatsapp`) or `outbound`/`inbound`
 * options (merged over the shipped ones). Whatever `normalize` is used, the messages it returns open their
 * users' 24-hour windows; the shipped `sendMessage` enforces them.
 */
export function whatsapp(options: WhatsAppOptions = {}): IntegrationServiceConfig<WhatsAppWebhookBody> {
  const { fetch: fetchOption, now = Date.now, enforceWindow = true, maxMediaBytes = DEFAULT_MAX_MEDIA_BYTES, created, stopped, outbound, actions, ...overrides } = options;
  const fetchFor = (service: Service): Fetch => fetchOption
    ?? ((url, init) => guardedFetch(url, init, { allowPrivateNetworks: runtimeOf(service.broker).allowPrivateNetworks }));
  const parse = overrides.normalize ?? ((webhook: WebhookEvent<WhatsAppWebhookBody>) => normalizeWhatsApp(webhook));

  const config: IntegrationServiceConfig<WhatsAppWebhookBody> = {
    name: 'whatsapp',
    spec: WHATSAPP_SPEC,
    webhookSignature: metaSignature(),
    webhookChallenge: false,
    eventId: whatsappEventId,
    statuses: whatsappStatuses,
    verifyWebhook(_ctx, request, channel) {
      return metaChallenge(request, channel);
    },
    async sendMessage(_ctx, message: OutboundMessage, channel: IntegrationConfig, attempt): Promise<SendResult> {
      const api = whatsappApi(channel);
      let content = message.content;
      let viaTemplate = false;
      if (enforceWindow && needsOpenWindow(content)) {
        const window = await windowState(storeOf(this), windowKey(channel, message.conversationId), now());
        if (!window.open) {
          if (!api.windowTemplate) {
            throw new WindowClosedError(
              `no message from ${message.conversationId} in the last 24 hours: WhatsApp takes only templates outside the customer-service window (set settings.windowTemplate to send one instead)`,
              { channelId: channel.id, conversationId: message.conversationId },
            );
          }
          content = windowTemplateContent(api.windowTemplate);
          viaTemplate = true;
        }
      }
      try {
        const result = await postMessage(fetchFor(this), api, graphMessageBody(message, content), attempt.signal);
        return viaTemplate ? { ...result, metadata: { ...result.metadata, sentAs: 'windowTemplate', template: api.windowTemplate!.name } } : result;
      } catch (err) {
        if (graphErrorCode(err) === TOKEN_CODE) await markTokenRejected(storeOf(this), channel, api, (err as Error).message);
        throw err;
      }
    },
    async checkHealth(_ctx, channel) {
      return whatsappHealth(fetchFor(this), storeOf(this), channel, whatsappApi(channel));
    },
    async validateCredentials(_ctx, channel) {
      return whatsappCredentials(fetchFor(this), whatsappApi(channel));
    },
    ...overrides,
    async normalize(webhook: WebhookEvent<WhatsAppWebhookBody>, channel: IntegrationConfig): Promise<NormalizedMessage[]> {
      const messages = await parse.call(this, webhook, channel);
      // Before the messages are published: a webhook whose windows could not be recorded is retried (503).
      await recordMessages(storeOf(this), channel, messages ?? [], now());
      return messages;
    },
    outbound: { rateLimit: WHATSAPP_RATE_LIMIT, ...outbound },
    actions: {
      /**
       * A received media's details (`url`, valid 5 min with the token; `mimeType`, `sha256`, `size`) and, with
       * `download: true`, its bytes as base64 (`data`), at most `maxMediaBytes` (413 above). Checks the caller's
       * tenant like `i_sendMessage`.
       */
      getMedia: {
        visibility: 'published',
        params: { channelId: { type: 'string', min: 1, max: 200 }, mediaId: { type: 'string', min: 1, max: 200 }, download: { type: 'boolean', optional: true } },
        async handler(this: Service, ctx: Context<GetMediaParams, { tenantId?: unknown }>): Promise<WhatsAppMediaInfo & { data?: string }> {
          const lookup = channelLookupOf(this, config);
          const tenantId = typeof ctx.meta?.tenantId === 'string' ? ctx.meta.tenantId : undefined;
          const channel = await resolveOwnedChannel((id) => lookup(id, ctx), ctx.params.channelId, config.spec.platform, tenantId);
          const api = whatsappApi(channel);
          const info = await mediaInfo(fetchFor(this), api, ctx.params.mediaId);
          if (ctx.params.download !== true) return info;
          return { ...info, data: (await downloadMedia(fetchFor(this), api, info, maxMediaBytes)).toString('base64') };
        },
      },
      /** Marks a received message read (and shows a typing indicator with `typing: true`); tenant-checked. */
      markRead: {
        visibility: 'published',
        params: { channelId: { type: 'string', min: 1, max: 200 }, messageId: { type: 'string', min: 1, max: 256 }, typing: { type: 'boolean', optional: true } },
        async handler(this: Service, ctx: Context<MarkReadParams, { tenantId?: unknown }>): Promise<{ success: true }> {
          const lookup = channelLookupOf(this, config);
          const tenantId = typeof ctx.meta?.tenantId === 'string' ? ctx.meta.tenantId : undefined;
          const channel = await resolveOwnedChannel((id) => lookup(id, ctx), ctx.params.channelId, config.spec.platform, tenantId);
          await postReadReceipt(fetchFor(this), whatsappApi(channel), ctx.params.messageId, ctx.params.typing === true);
          return { success: true };
        },
      },
      ...actions,
    },
    created: [function (this: Service) { storeOf(this); }, ...asList(created)],
    stopped: [...asList(stopped), async function (this: Service) {
      if ((this as WithStore)[STORE]) {
        delete (this as WithStore)[STORE];
        await releaseStore(this.broker);
      }
    }],
  };
  return config;
}
