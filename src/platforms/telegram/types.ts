/**
 * The Telegram Bot API objects Switchboard reads and writes (https://core.telegram.org/bots/api), and the
 * shape of a Telegram channel. Only the fields used are typed; Telegram adds fields over time.
 */
import type { IntegrationConfig } from '../../types';

export interface TgUser {
  id: number;
  is_bot?: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

export interface TgChat {
  id: number;
  type: 'private' | 'group' | 'supergroup' | 'channel';
  title?: string;
  username?: string;
  first_name?: string;
  last_name?: string;
}

export interface TgMessageEntity {
  type: string;
  offset: number;
  length: number;
}

export interface TgFile {
  file_id: string;
  file_unique_id: string;
  file_size?: number;
  mime_type?: string;
  file_name?: string;
  duration?: number;
  width?: number;
  height?: number;
}

export interface TgSticker extends TgFile {
  emoji?: string;
  set_name?: string;
  is_animated?: boolean;
  is_video?: boolean;
}

export interface TgLocation {
  latitude: number;
  longitude: number;
}

export interface TgInlineKeyboardButton {
  text: string;
  callback_data?: string;
  url?: string;
}

export interface TgMessage {
  message_id: number;
  message_thread_id?: number;
  is_topic_message?: boolean;
  from?: TgUser;
  sender_chat?: TgChat;
  date: number;
  edit_date?: number;
  chat: TgChat;
  reply_to_message?: TgMessage;
  media_group_id?: string;
  text?: string;
  entities?: TgMessageEntity[];
  caption?: string;
  caption_entities?: TgMessageEntity[];
  photo?: TgFile[];
  document?: TgFile;
  animation?: TgFile;
  audio?: TgFile;
  video?: TgFile;
  video_note?: TgFile;
  voice?: TgFile;
  sticker?: TgSticker;
  location?: TgLocation;
  venue?: { location: TgLocation; title: string; address: string };
  contact?: { phone_number: string; first_name: string; last_name?: string; user_id?: number; vcard?: string };
  reply_markup?: { inline_keyboard?: TgInlineKeyboardButton[][] };
}

export interface TgCallbackQuery {
  id: string;
  from: TgUser;
  message?: TgMessage;
  inline_message_id?: string;
  chat_instance: string;
  data?: string;
}

export interface TgReactionType {
  type: 'emoji' | 'custom_emoji' | 'paid';
  emoji?: string;
  custom_emoji_id?: string;
}

export interface TgMessageReactionUpdated {
  chat: TgChat;
  message_id: number;
  user?: TgUser;
  actor_chat?: TgChat;
  date: number;
  old_reaction: TgReactionType[];
  new_reaction: TgReactionType[];
}

/** One incoming update (a webhook body, or one element of `getUpdates`). */
export interface TelegramUpdate {
  update_id: number;
  message?: TgMessage;
  edited_message?: TgMessage;
  channel_post?: TgMessage;
  edited_channel_post?: TgMessage;
  callback_query?: TgCallbackQuery;
  message_reaction?: TgMessageReactionUpdated;
  [other: string]: unknown;
}

/** A Bot API answer: `{ ok: true, result }` or `{ ok: false, error_code, description, parameters? }`. */
export type BotApiResponse<T> =
  | { ok: true; result: T; description?: string }
  | { ok: false; error_code: number; description: string; parameters?: { retry_after?: number; migrate_to_chat_id?: number } };

/** `credentials` of a Telegram channel. */
export interface TelegramCredentials extends Record<string, unknown> {
  /** The token BotFather gave, `<bot id>:<secret>`. */
  botToken: string;
}

/** `settings` of a Telegram channel. */
export interface TelegramSettings extends Record<string, unknown> {
  /** `webhook` (default): Telegram POSTs to the gateway. `polling`: one node of the cluster calls `getUpdates`. */
  mode?: 'webhook' | 'polling';
  /** The Bot API origin. Default {@link DEFAULT_TELEGRAM_API_BASE_URL}; paths `/bot<token>/<method>` follow it. */
  apiBaseUrl?: string;
  /** Default `parse_mode` of text sends (`MarkdownV2`, `HTML`, `Markdown`); a message's `metadata.parseMode` wins. */
  parseMode?: string;
}

/** A Telegram channel as the integration's hooks see it. */
export type TelegramChannel = IntegrationConfig<TelegramCredentials, TelegramSettings>;

/** Telegram's own API origin. */
export const DEFAULT_TELEGRAM_API_BASE_URL = 'https://api.telegram.org';
