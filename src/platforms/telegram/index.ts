/**
 * `telegram(options?)`: the Telegram Bot API integration, ready for `defineIntegration`.
 *
 * ```ts
 * // services/telegram.service.ts
 * import { defineIntegration, telegram } from '@switchboard/sdk';
 * export default defineIntegration(telegram());
 * ```
 *
 * A channel: `platform: 'telegram'`, `credentials: { botToken }`, `secrets: [<secret token>]` (Telegram's
 * alphabet `A-Za-z0-9_-`), `settings: { mode?: 'webhook' | 'polling', apiBaseUrl?, parseMode? }`.
 */
import type { Context, Service, ServiceSchema } from 'moleculer';
import { BadRequestError, ConflictError } from '../../errors';
import { resolveOwnedChannel } from '../../integration/channel/resolve';
import { inboundRuntimeOf } from '../../integration/runtime';
import type { RateLimit, TokenBucketLimit } from '../../integration/outbound/rate-limit';
import type { IntegrationServiceConfig } from '../../integration/types';
import { CHANNEL_CHANGED_EVENT } from '../../registry/types';
import { telegramSecretToken } from '../../security';
import { runtimeOf } from '../../store';
import type { WebhookEvent } from '../../types';
import type { BotApiCallOptions } from './api';
import { answerCallbackQuery, answerStoredCallback } from './callbacks';
import { telegramCredentials, telegramHealth } from './health';
import { isUpdate, normalizeUpdate } from './normalize';
import { PollingManager, type TelegramPollingOptions } from './polling/manager';
import { sendTelegramMessage } from './send';
import type { TelegramChannel, TelegramUpdate } from './types';
import { deleteTelegramWebhook, setTelegramWebhook } from './webhook';

/** What `telegram()` takes: any `defineIntegration` field (it replaces the default), plus Telegram's own. */
export interface TelegramOptions extends Partial<IntegrationServiceConfig<TelegramUpdate, TelegramChannel>> {
  /**
   * Answer each stored button press with an empty `answerCallbackQuery` (stops the spinner in the
   * user's app). Turn off to answer yourself (`<name>.answerCallbackQuery` with a text). Default true.
   */
  answerCallbacks?: boolean;
  /** Polling of the channels with `settings.mode: 'polling'`. */
  polling?: TelegramPollingOptions;
}

/**
 * A Telegram send waits up to 30 s for its chat's pacing (the SDK default is 5 s): a burst of up to ~30
 * messages to one chat goes out at 1/s instead of the later ones failing with `RateLimitError`.
 */
export const DEFAULT_TELEGRAM_MAX_RATE_LIMIT_WAIT_MS = 30_000;

/** Telegram groups, supergroups and channels (negative chat ids): 20 messages a minute, after a burst of 3. */
export const TELEGRAM_GROUP_RATE_LIMIT = Object.freeze({ capacity: 3, refillPerSecond: 20 / 60 });

/**
 * The per-chat bucket Telegram's limits call for: a group (a negative chat id) gets
 * {@link TELEGRAM_GROUP_RATE_LIMIT} (never looser than the configured per-chat bucket); a private chat
 * the configured one. A limit without `perConversation` has none for either.
 */
export function telegramConversationRateLimit(conversationId: string, limit: RateLimit): TokenBucketLimit | false | undefined {
  const per = limit.perConversation;
  if (!per || !conversationId.startsWith('-')) return undefined;
  return { capacity: Math.min(per.capacity, TELEGRAM_GROUP_RATE_LIMIT.capacity), refillPerSecond: Math.min(per.refillPerSecond, TELEGRAM_GROUP_RATE_LIMIT.refillPerSecond) };
}

const MANAGER = Symbol('switchboard.telegram.polling');
type WithManager = Service & { [MANAGER]?: PollingManager };

function callOptions(service: Service, signal?: AbortSignal): BotApiCallOptions {
  return { allowPrivateNetworks: runtimeOf(service.broker).allowPrivateNetworks, ...(signal ? { signal } : {}) };
}

/** The channel an action is about: active, Telegram, the caller's tenant's (404/403 otherwise). */
async function channelFor(service: Service, ctx: Context, channelId: string, platform: string): Promise<TelegramChannel> {
  const pipeline = inboundRuntimeOf(service).pipeline(ctx);
  const tenantId = (ctx.meta as { tenantId?: string } | undefined)?.tenantId;
  return await resolveOwnedChannel((id) => pipeline.lookupChannel(id), channelId, platform, tenantId) as TelegramChannel;
}

const asList = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** The Telegram integration's config; pass it to `defineIntegration`. */
export function telegram(options: TelegramOptions = {}): IntegrationServiceConfig<TelegramUpdate, TelegramChannel> {
  const { answerCallbacks = true, polling, ...overrides } = options;
  const platform = overrides.spec?.platform ?? 'telegram';

  // A duplicate was answered when it was first stored.
  const afterStored = (service: Service) => (channel: TelegramChannel, update: TelegramUpdate, stored?: { duplicate: boolean }) => {
    if (answerCallbacks && !stored?.duplicate) answerStoredCallback(channel, update, callOptions(service), (err) => service.logger.warn(`telegram: answerCallbackQuery failed: ${err.message}`));
  };

  const base: IntegrationServiceConfig<TelegramUpdate, TelegramChannel> = {
    name: 'telegram',
    spec: {
      id: 'telegram', name: 'Telegram', platform: 'telegram', version: '1.0.0', status: 'ACTIVE',
      capabilities: ['RECEIVE_MESSAGE', 'SEND_MESSAGE', 'SEND_MEDIA', 'WEBHOOK_VERIFICATION', 'INTERACTIVE', 'REACTIONS', 'TYPING', 'POLLING'],
      description: 'Telegram Bot API: webhooks (secret token) or getUpdates polling; sendMessage, media, buttons, chat actions.',
    },
    webhookSignature: telegramSecretToken(),
    outbound: { maxRateLimitWaitMs: DEFAULT_TELEGRAM_MAX_RATE_LIMIT_WAIT_MS, conversationRateLimit: telegramConversationRateLimit },
    // Telegram has no subscription challenge; a body shaped like Slack's must not be answered as one.
    webhookChallenge: false,
    validateWebhook(webhook: WebhookEvent<TelegramUpdate>) {
      if (!isUpdate(webhook.payload)) throw new BadRequestError('not a Telegram update: the body needs an integer `update_id`', { field: 'update_id' });
      return true;
    },
    eventId: (webhook: WebhookEvent<TelegramUpdate>) => webhook.payload.update_id,
    normalize: (webhook: WebhookEvent<TelegramUpdate>) => normalizeUpdate(webhook.payload, webhook.receivedAt),
    sendMessage(_ctx, message, channel, attempt) {
      return sendTelegramMessage(message, channel, callOptions(this, attempt.signal));
    },
    checkHealth(_ctx, channel) { return telegramHealth(channel, callOptions(this)); },
    validateCredentials(_ctx, channel) { return telegramCredentials(channel, callOptions(this)); },
    actions: {
      /** Registers the gateway URL with the channel's secret token: `{ channelId, url? | publicUrl?, dropPendingUpdates? }` → `{ url }`. */
      setWebhook: {
        params: { channelId: 'string', url: { type: 'url', optional: true }, publicUrl: { type: 'url', optional: true }, dropPendingUpdates: { type: 'boolean', optional: true } },
        async handler(this: Service, ctx: Context<{ channelId: string; url?: string; publicUrl?: string; dropPendingUpdates?: boolean }>) {
          const channel = await channelFor(this, ctx, ctx.params.channelId, platform);
          if (channel.settings?.mode === 'polling') {
            throw new ConflictError(`channel ${channel.id} is in polling mode (settings.mode: 'polling'); set it to 'webhook' first`, { channelId: channel.id });
          }
          return setTelegramWebhook(channel, { ...ctx.params, integration: this.name }, callOptions(this));
        },
      },
      /** Removes the bot's webhook: `{ channelId, dropPendingUpdates? }`. */
      deleteWebhook: {
        params: { channelId: 'string', dropPendingUpdates: { type: 'boolean', optional: true } },
        async handler(this: Service, ctx: Context<{ channelId: string; dropPendingUpdates?: boolean }>) {
          const channel = await channelFor(this, ctx, ctx.params.channelId, platform);
          await deleteTelegramWebhook(channel, ctx.params, callOptions(this));
          return { deleted: true };
        },
      },
      /** Which bots this node polls: `[{ botKey, channelId, holding, stored }]` (`holding`: this node has the lease and polls). */
      pollingStatus: {
        handler(this: Service) {
          return { nodeID: this.broker.nodeID, pollers: (this as WithManager)[MANAGER]?.running ?? [] };
        },
      },
      /** Answers a button press yourself (with `answerCallbacks: false`): `{ channelId, callbackQueryId, text?, showAlert?, url? }`. */
      answerCallbackQuery: {
        params: { channelId: 'string', callbackQueryId: 'string', text: { type: 'string', optional: true, max: 200 }, showAlert: { type: 'boolean', optional: true }, url: { type: 'string', optional: true } },
        async handler(this: Service, ctx: Context<{ channelId: string; callbackQueryId: string; text?: string; showAlert?: boolean; url?: string }>) {
          const channel = await channelFor(this, ctx, ctx.params.channelId, platform);
          await answerCallbackQuery(channel, ctx.params.callbackQueryId, ctx.params, callOptions(this));
          return { answered: true };
        },
      },
    },
    hooks: {
      after: {
        // After the update is stored (never before): answer its button press.
        async i_receiveWebhook(this: Service, ctx: Context<{ channelId: string; body: string }>, result: unknown) {
          const r = result as { success?: boolean; messages?: number; duplicate?: boolean } | null;
          if (answerCallbacks && r?.success === true && !r.duplicate && (r.messages ?? 0) > 0) {
            try {
              const update = JSON.parse(Buffer.from(ctx.params.body, 'base64').toString('utf8')) as TelegramUpdate;
              if (update.callback_query) afterStored(this)(await channelFor(this, ctx, ctx.params.channelId, platform), update);
            } catch (err) {
              this.logger.warn(`telegram: could not answer a callback query: ${(err as Error).message}`);
            }
          }
          return result;
        },
      },
    },
    mixins: [{
      // Beside defineIntegration's own handler of this event (mixins merge event handlers): a channel
      // switched to or from polling is picked up at once.
      events: { [CHANNEL_CHANGED_EVENT](this: Service) { void (this as WithManager)[MANAGER]?.rescan(); } },
    } as unknown as ServiceSchema],
    started(this: Service) {
      if (polling?.enabled === false) return;
      const manager = new PollingManager(this, polling ?? {}, afterStored(this));
      (this as WithManager)[MANAGER] = manager;
      manager.start();
    },
    async stopped(this: Service) {
      const manager = (this as WithManager)[MANAGER];
      delete (this as WithManager)[MANAGER];
      await manager?.close();
    },
  };

  return {
    ...base,
    ...overrides,
    actions: { ...base.actions, ...overrides.actions },
    outbound: { ...base.outbound, ...overrides.outbound },
    // Your hooks beside the built-in one (an `after.i_receiveWebhook` of yours replaces it).
    hooks: { ...overrides.hooks, after: { ...(base.hooks?.after as object), ...(overrides.hooks?.after as object | undefined) } },
    mixins: [...asList(base.mixins), ...asList(overrides.mixins)],
    // Lifecycle hooks add to the built-in ones (polling starts and stops with the service).
    started: [...asList(base.started), ...asList(overrides.started)] as ServiceSchema['started'],
    stopped: [...asList(overrides.stopped), ...asList(base.stopped)] as ServiceSchema['stopped'],
  };
}

/** The polling manager of a Telegram service (its pollers, for status and tests), if polling runs. */
export function telegramPollingOf(service: Service): PollingManager | undefined {
  return (service as WithManager)[MANAGER];
}

export { TelegramApiError, callBotApi, apiBaseUrlOf, botTokenOf, botIdOf, telegramErrorReason } from './api';
export type { BotApiCallOptions } from './api';
export { normalizeUpdate, contentOf, isUpdate } from './normalize';
export { toBotApiRequest, sendResultOf, sendTelegramMessage } from './send';
export type { BotApiRequest } from './send';
export { setTelegramWebhook, deleteTelegramWebhook, webhookUrlOf } from './webhook';
export type { SetWebhookOptions } from './webhook';
export { answerCallbackQuery } from './callbacks';
export type { CallbackAnswer } from './callbacks';
export { telegramHealth, telegramCredentials } from './health';
export {
  PollingManager, resolvePollingOptions, TELEGRAM_ALLOWED_UPDATES, DEFAULT_POLL_TIMEOUT_SECONDS, DEFAULT_POLL_LIMIT,
  DEFAULT_POLL_LEASE_TTL_MS, DEFAULT_POLL_LEASE_RETRY_MS, DEFAULT_POLL_ERROR_BACKOFF_MS, DEFAULT_POLL_MAX_ERROR_BACKOFF_MS,
  DEFAULT_POLL_RESCAN_MS,
} from './polling/manager';
export type { TelegramPollingOptions } from './polling/manager';
export { DEFAULT_TELEGRAM_API_BASE_URL } from './types';
export type { TelegramUpdate, TelegramChannel, TelegramCredentials, TelegramSettings, BotApiResponse } from './types';
