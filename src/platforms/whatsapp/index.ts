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
import type { Service } from 'moleculer';
import { metaChallenge } from '../../integration/inbound/verify-webhook';
import type { IntegrationServiceConfig } from '../../integration/types';
import type { RateLimit } from '../../integration/outbound/rate-limit';
import { metaSignature, type GuardedRequestInit } from '../../security';
import { platformFetch } from '../shared/api';
import type { BaseSpec, IntegrationConfig, NormalizedMessage, WebhookEvent } from '../../types';
import { whatsappActions } from './actions';
import { whatsappCredentials, whatsappHealth } from './health';
import { DEFAULT_MAX_MEDIA_BYTES } from './media';
import { normalizeWhatsApp, whatsappEventId, WHATSAPP_PLATFORM } from './normalize';
import type { Fetch } from './send';
import { sendWithWindow } from './send-policy';
import { releaseServiceStore, serviceStore } from './service-store';
import { whatsappApi } from './settings';
import { whatsappStatuses } from './statuses';
import type { WhatsAppWebhookBody } from './types';
import { recordMessages } from './window';

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
export { whatsappActions } from './actions';
export type { GetMediaParams, MarkReadParams, WindowStateParams } from './actions';
export { sendWithWindow } from './send-policy';
export type { SendDeps } from './send-policy';
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
 * (`perConversation`: a bucket per recipient, taken together with the number's). A channel's
 * `settings.rateLimit` replaces it, e.g. for a number upgraded to 1,000 messages/s.
 */
export const WHATSAPP_RATE_LIMIT: RateLimit = Object.freeze({
  capacity: 80, refillPerSecond: 80, perConversation: WHATSAPP_PAIR_RATE_LIMIT,
});

/**
 * How long a webhook's event id stays marked done: 7 days, Meta's retry horizon ("we will keep trying with
 * decreasing frequency until the request succeeds, for up to 7 days"), so a late retry stores nothing twice.
 */
export const WHATSAPP_DONE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

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

const asList = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/**
 * The WhatsApp integration's config. `defineIntegration(whatsapp())` is a complete service; pass options to
 * override any hook (`normalize`, `sendMessage`, ...), the `name` (default `whatsapp`) or `outbound`/`inbound`
 * options (merged over the shipped ones). Whatever `normalize` is used, the messages it returns open their
 * users' 24-hour windows; the shipped `sendMessage` enforces them.
 */
export function whatsapp(options: WhatsAppOptions = {}): IntegrationServiceConfig<WhatsAppWebhookBody> {
  const { fetch: fetchOption, now = Date.now, enforceWindow = true, maxMediaBytes = DEFAULT_MAX_MEDIA_BYTES, created, stopped, inbound, outbound, actions, ...overrides } = options;
  // settings.apiBaseUrl is the tenant's: every Graph call goes through the platforms' guarded fetch.
  const fetchFor = (service: Service): Fetch => fetchOption ?? ((url, init) => platformFetch(service, url, init as GuardedRequestInit));
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
    async sendMessage(_ctx, message, channel, attempt) {
      return sendWithWindow({ fetch: fetchFor(this), store: serviceStore(this), now: now(), enforceWindow }, message, channel, attempt.signal);
    },
    async checkHealth(_ctx, channel) {
      return whatsappHealth(fetchFor(this), serviceStore(this), channel, whatsappApi(channel));
    },
    async validateCredentials(_ctx, channel) {
      return whatsappCredentials(fetchFor(this), whatsappApi(channel));
    },
    ...overrides,
    async normalize(webhook: WebhookEvent<WhatsAppWebhookBody>, channel: IntegrationConfig): Promise<NormalizedMessage[]> {
      const messages = await parse.call(this, webhook, channel);
      // Before the messages are published: a webhook whose windows could not be recorded is retried (503).
      await recordMessages(serviceStore(this), channel, messages ?? [], now());
      return messages;
    },
    inbound: { doneTtlMs: WHATSAPP_DONE_TTL_MS, ...inbound },
    outbound: { rateLimit: WHATSAPP_RATE_LIMIT, ...outbound },
    created: [function (this: Service) { serviceStore(this); }, ...asList(created)],
    stopped: [...asList(stopped), function (this: Service) { return releaseServiceStore(this); }],
  };
  config.actions = { ...whatsappActions(config, fetchFor, maxMediaBytes, now), ...actions };
  return config;
}
