/** `@switchboard/sdk/platforms`: every platform's factory, API helpers, constants and payload types. */
export { slack, SLACK_API_BASE } from '../platforms/slack';
export type { SlackOptions, SlackIntegrationConfig, SlackPayload } from '../platforms/slack';
export { discord, DISCORD_API_BASE } from '../platforms/discord';
export type { DiscordOptions, DiscordIntegrationConfig, DiscordInteraction } from '../platforms/discord';
export {
  whatsapp, WindowClosedError, WINDOW_CLOSED, WHATSAPP_RATE_LIMIT, WHATSAPP_DONE_TTL_MS, WHATSAPP_PAIR_RATE_LIMIT, WHATSAPP_WINDOW_MS, WHATSAPP_SPEC,
  DEFAULT_WHATSAPP_API_BASE_URL, DEFAULT_WHATSAPP_API_VERSION, normalizeWhatsApp, whatsappStatuses, graphMessageBody,
} from '../platforms/whatsapp';
export type {
  WhatsAppOptions, WhatsAppChannel, WhatsAppCredentials, WhatsAppSettings, WhatsAppTemplate, WhatsAppWebhookBody,
  WhatsAppMessage, WhatsAppStatus,
} from '../platforms/whatsapp';
export {
  telegram, telegramPollingOf, TelegramApiError, callBotApi, normalizeUpdate, toBotApiRequest, sendTelegramMessage,
  setTelegramWebhook, deleteTelegramWebhook, answerCallbackQuery, telegramErrorReason, TELEGRAM_ALLOWED_UPDATES,
  DEFAULT_TELEGRAM_API_BASE_URL, DEFAULT_POLL_TIMEOUT_SECONDS, DEFAULT_POLL_LEASE_TTL_MS, DEFAULT_TELEGRAM_MAX_RATE_LIMIT_WAIT_MS,
  TELEGRAM_GROUP_RATE_LIMIT, telegramConversationRateLimit,
} from '../platforms/telegram';
export type {
  TelegramOptions, TelegramPollingOptions, TelegramUpdate, TelegramChannel, TelegramCredentials, TelegramSettings,
  SetWebhookOptions, CallbackAnswer, BotApiRequest,
} from '../platforms/telegram';
