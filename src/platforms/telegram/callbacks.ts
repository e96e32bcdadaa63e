/** Answering button presses: `answerCallbackQuery` stops the button's spinner in the user's app (Telegram expects it within seconds). */
import { callBotApi, type BotApiCallOptions } from './api';
import type { TelegramChannel, TelegramUpdate } from './types';

export interface CallbackAnswer {
  /** A notification shown to the user (0-200 characters). */
  text?: string;
  /** Show `text` as an alert instead of a toast. */
  showAlert?: boolean;
  /** A URL to open (a game or a `t.me/<bot>?start=` link). */
  url?: string;
}

/** Answers one callback query. */
export async function answerCallbackQuery(channel: TelegramChannel, callbackQueryId: string, answer: CallbackAnswer = {}, call: BotApiCallOptions = {}): Promise<void> {
  await callBotApi(channel, 'answerCallbackQuery', {
    callback_query_id: callbackQueryId,
    ...(answer.text !== undefined ? { text: answer.text } : {}),
    ...(answer.showAlert !== undefined ? { show_alert: answer.showAlert } : {}),
    ...(answer.url !== undefined ? { url: answer.url } : {}),
  }, call);
}

/** The callback query id an update carries, if it is a button press. */
export function callbackQueryIdOf(update: unknown): string | undefined {
  const id = (update as { callback_query?: { id?: unknown } } | null)?.callback_query?.id;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** Answers an update's callback query (empty answer: just stop the spinner), never throwing; the outcome goes to `onError`. */
export function answerStoredCallback(channel: TelegramChannel, update: TelegramUpdate | unknown, call: BotApiCallOptions, onError: (err: Error) => void): void {
  const id = callbackQueryIdOf(update);
  if (!id) return;
  answerCallbackQuery(channel, id, {}, { ...call, signal: AbortSignal.timeout(5_000) }).catch(onError);
}
