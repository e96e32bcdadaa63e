/** `setWebhook` / `deleteWebhook`: point Telegram at the gateway with the channel's secret token, or stop it. */
import { BadRequestError } from '../../errors';
import { callBotApi, type BotApiCallOptions } from './api';
import { TELEGRAM_ALLOWED_UPDATES } from './polling/manager';
import type { TelegramChannel } from './types';

export interface SetWebhookOptions {
  /** The full URL Telegram should POST to. Default: `publicUrl` + `/webhooks/<integration>/<channelId>`. */
  url?: string;
  /** The gateway's public origin (`https://hooks.example.com`), when `url` is not given. */
  publicUrl?: string;
  /** The integration's service name (the route's `:integration`). Default `telegram`. */
  integration?: string;
  /** Update kinds to receive. Default every kind the integration reads ({@link TELEGRAM_ALLOWED_UPDATES}). */
  allowedUpdates?: string[];
  /** Drop the updates Telegram holds for the bot. Default false. */
  dropPendingUpdates?: boolean;
  /** Telegram's `max_connections` (1-100). Default Telegram's (40). */
  maxConnections?: number;
}

/** The webhook URL of a channel: `url`, else `<publicUrl>/webhooks/<integration>/<channelId>`. */
export function webhookUrlOf(channel: TelegramChannel, options: SetWebhookOptions): string {
  if (options.url) return options.url;
  if (!options.publicUrl) throw new BadRequestError('give `url`, or `publicUrl` (the gateway\'s public origin)', { field: 'publicUrl' });
  let origin: string;
  try { origin = new URL(options.publicUrl).origin; } catch { throw new BadRequestError('`publicUrl` must be an http(s) origin such as https://hooks.example.com', { field: 'publicUrl' }); }
  return `${origin}/webhooks/${options.integration ?? 'telegram'}/${encodeURIComponent(channel.id)}`;
}

/**
 * Registers the gateway URL for the channel's bot with its newest secret as `secret_token` (Telegram
 * then sends it in `x-telegram-bot-api-secret-token`). Call it again after rotating the secret.
 * Resolves with the URL registered.
 */
export async function setTelegramWebhook(channel: TelegramChannel, options: SetWebhookOptions, call: BotApiCallOptions = {}): Promise<{ url: string }> {
  const secret = channel.secrets[0];
  if (!secret) throw new BadRequestError(`channel ${channel.id} has no secret: create or rotate one first`, { channelId: channel.id });
  const url = webhookUrlOf(channel, options);
  await callBotApi(channel, 'setWebhook', {
    url, secret_token: secret, allowed_updates: options.allowedUpdates ?? TELEGRAM_ALLOWED_UPDATES,
    ...(options.dropPendingUpdates !== undefined ? { drop_pending_updates: options.dropPendingUpdates } : {}),
    ...(options.maxConnections !== undefined ? { max_connections: options.maxConnections } : {}),
  }, call);
  return { url };
}

/** Removes the bot's webhook (Telegram keeps the pending updates unless `dropPendingUpdates`). */
export async function deleteTelegramWebhook(channel: TelegramChannel, options: { dropPendingUpdates?: boolean } = {}, call: BotApiCallOptions = {}): Promise<void> {
  await callBotApi(channel, 'deleteWebhook', { drop_pending_updates: options.dropPendingUpdates === true }, call);
}
