/** An `OutboundMessage` → one Bot API call (`sendMessage`, `sendPhoto`, `sendChatAction`...), and its result → `SendResult`. */
import { BadRequestError } from '../../errors';
import type { OutboundContent, OutboundMessage, SendResult } from '../../types';
import { callBotApi, type BotApiCallOptions } from './api';
import type { TelegramChannel, TgInlineKeyboardButton } from './types';

/** The method and parameters a message becomes. */
export interface BotApiRequest {
  method: string;
  params: Record<string, unknown>;
}

const MEDIA_METHODS = {
  image: ['sendPhoto', 'photo'], document: ['sendDocument', 'document'], video: ['sendVideo', 'video'],
  audio: ['sendAudio', 'audio'], voice: ['sendVoice', 'voice'], sticker: ['sendSticker', 'sticker'],
} as const;

function messageId(target: string): number {
  const id = Number(target.split('@')[0]);
  if (!Number.isSafeInteger(id) || id <= 0) throw new BadRequestError(`"${target}" is not a Telegram message id`, { field: 'message.content.targetMessageId' });
  return id;
}

/** Inline keyboard of an `interactive` content: one button per row, or a list's rows (sections flattened). */
function keyboardOf(content: Extract<OutboundContent, { type: 'interactive' }>): TgInlineKeyboardButton[][] | undefined {
  const rows: TgInlineKeyboardButton[][] = [];
  for (const b of content.buttons ?? []) rows.push([{ text: b.title, callback_data: b.id }]);
  for (const section of content.list?.sections ?? []) for (const row of section.rows) rows.push([{ text: row.title, callback_data: row.id }]);
  for (const row of rows) {
    if (Buffer.byteLength(row[0]!.callback_data ?? '', 'utf8') > 64) throw new BadRequestError(`button id "${row[0]!.callback_data}" is over Telegram's 64-byte callback_data limit`, { field: 'message.content.buttons' });
  }
  return rows.length ? rows : undefined;
}

/** Where in the chat the message goes: the topic (`threadId`), the message it answers (`replyToId`). */
function placement(message: OutboundMessage): Record<string, unknown> {
  return {
    ...(message.threadId ? { message_thread_id: Number(message.threadId) } : {}),
    ...(message.replyToId ? { reply_parameters: { message_id: messageId(message.replyToId), allow_sending_without_reply: true } } : {}),
  };
}

/** `parse_mode`: the message's `metadata.parseMode`, else the channel's `settings.parseMode`. */
function parseModeOf(message: OutboundMessage, channel: TelegramChannel): Record<string, unknown> {
  const mode = message.metadata?.parseMode ?? channel.settings?.parseMode;
  return typeof mode === 'string' && mode ? { parse_mode: mode } : {};
}

/** Extra Bot API parameters the caller put in `metadata.telegram` (e.g. `disable_notification`); never `chat_id`. */
function extraParams(message: OutboundMessage): Record<string, unknown> {
  const extra = message.metadata?.telegram;
  if (!extra || typeof extra !== 'object' || Array.isArray(extra)) return {};
  const { chat_id: _ignored, ...rest } = extra as Record<string, unknown>;
  return rest;
}

/** The Bot API request for a message; `BadRequestError` (400, no call) for what Telegram cannot send. */
export function toBotApiRequest(message: OutboundMessage, channel: TelegramChannel): BotApiRequest {
  const chat_id = message.conversationId;
  if (typeof chat_id !== 'string' || chat_id === '') throw new BadRequestError('message.conversationId (the Telegram chat id) is required', { field: 'message.conversationId' });
  const content = message.content;
  const base = { chat_id, ...placement(message), ...extraParams(message) };
  switch (content.type) {
    case 'text':
      return { method: 'sendMessage', params: { ...base, text: content.text, ...parseModeOf(message, channel) } };
    case 'command':
      return { method: 'sendMessage', params: { ...base, text: `/${content.command}${content.text ? ` ${content.text}` : ''}` } };
    case 'interactive': {
      const text = [content.header, content.text, content.footer].filter(Boolean).join('\n\n');
      const keyboard = keyboardOf(content);
      return { method: 'sendMessage', params: { ...base, text, ...parseModeOf(message, channel), ...(keyboard ? { reply_markup: { inline_keyboard: keyboard } } : {}) } };
    }
    case 'media': {
      const [method, field] = MEDIA_METHODS[content.kind];
      const file = content.mediaId ?? content.url;
      if (!file) throw new BadRequestError('a media message needs `url` or `mediaId` (a Telegram file_id)', { field: 'message.content' });
      const caption = content.kind === 'sticker' || !content.caption ? {} : { caption: content.caption, ...parseModeOf(message, channel) };
      return { method, params: { ...base, [field]: file, ...caption } };
    }
    case 'location':
      if (content.name && content.address) {
        return { method: 'sendVenue', params: { ...base, latitude: content.latitude, longitude: content.longitude, title: content.name, address: content.address } };
      }
      return { method: 'sendLocation', params: { ...base, latitude: content.latitude, longitude: content.longitude } };
    case 'contact': {
      const contact = content.contacts[0];
      const phone = contact?.phones?.[0];
      if (!contact || !phone) throw new BadRequestError('a contact message needs a contact with a phone number', { field: 'message.content.contacts' });
      return { method: 'sendContact', params: { ...base, phone_number: phone, first_name: contact.name } };
    }
    case 'typing':
      return { method: 'sendChatAction', params: { chat_id, action: 'typing', ...(message.threadId ? { message_thread_id: Number(message.threadId) } : {}) } };
    case 'reaction':
      return { method: 'setMessageReaction', params: { chat_id, message_id: messageId(content.targetMessageId), reaction: content.emoji ? [{ type: 'emoji', emoji: content.emoji }] : [] } };
    case 'edit': {
      const inner = content.content;
      if (inner.type !== 'text') throw new BadRequestError('Telegram edits text only here: `edit.content` must be text', { field: 'message.content.content' });
      return { method: 'editMessageText', params: { chat_id, message_id: messageId(content.targetMessageId), text: inner.text, ...parseModeOf(message, channel) } };
    }
    case 'delete':
      return { method: 'deleteMessage', params: { chat_id, message_id: messageId(content.targetMessageId) } };
    default:
      throw new BadRequestError(`Telegram cannot send content of type "${content.type}"`, { field: 'message.content.type' });
  }
}

/** The `SendResult` of a Bot API answer: a sent `Message`'s id, or for `true` answers the target or a synthetic id. */
export function sendResultOf(request: BotApiRequest, result: unknown): SendResult {
  const chatId = String(request.params.chat_id);
  if (result && typeof result === 'object' && Number.isSafeInteger((result as { message_id?: unknown }).message_id)) {
    const sent = result as { message_id: number; date?: number };
    return { messageId: String(sent.message_id), metadata: { chatId, method: request.method, ...(sent.date ? { date: sent.date } : {}) } };
  }
  const target = request.params.message_id;
  return { messageId: target !== undefined ? String(target) : `${request.method}:${chatId}`, metadata: { chatId, method: request.method } };
}

/** Sends one message (one attempt) and resolves with its `SendResult`. */
export async function sendTelegramMessage(message: OutboundMessage, channel: TelegramChannel, options: BotApiCallOptions = {}): Promise<SendResult> {
  const request = toBotApiRequest(message, channel);
  const result = await callBotApi<unknown>(channel, request.method, request.params, options);
  return sendResultOf(request, result);
}
