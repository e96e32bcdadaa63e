/** `checkHealth` and `validateCredentials` through `getMe`: the token works and the Bot API answers. */
import type { ChannelHealth, CredentialsCheck } from '../../integration/types';
import { callBotApi, type BotApiCallOptions } from './api';
import type { TelegramChannel, TgUser } from './types';

/** Healthy when `getMe` answers; `details` name the bot (never the token). */
export async function telegramHealth(channel: TelegramChannel, call: BotApiCallOptions = {}): Promise<ChannelHealth> {
  const started = Date.now();
  try {
    const me = await callBotApi<TgUser>(channel, 'getMe', {}, call);
    return { healthy: true, message: `bot @${me.username ?? me.id} answers`, latencyMs: Date.now() - started, details: { botId: me.id, username: me.username } };
  } catch (err) {
    return { healthy: false, message: (err as Error).message, latencyMs: Date.now() - started };
  }
}

/** Valid when `getMe` accepts the token; a 401 says the token was refused. */
export async function telegramCredentials(channel: TelegramChannel, call: BotApiCallOptions = {}): Promise<CredentialsCheck> {
  try {
    const me = await callBotApi<TgUser>(channel, 'getMe', {}, call);
    return { valid: me.is_bot !== false, message: `the token belongs to @${me.username ?? me.id}` };
  } catch (err) {
    const status = (err as { data?: { status?: unknown } }).data?.status;
    return { valid: false, message: status === 401 || status === 404 ? 'Telegram refused the bot token (401 Unauthorized)' : (err as Error).message };
  }
}
