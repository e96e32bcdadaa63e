/** A Telegram update → `NormalizedMessage[]`: messages and channel posts, their edits, button presses, reactions. */
import { BadRequestError } from '../../errors';
import type { MessageContent, NormalizedMessage, Participant } from '../../types';
import type { TelegramUpdate, TgCallbackQuery, TgChat, TgFile, TgMessage, TgMessageReactionUpdated, TgUser } from './types';

const PLATFORM = 'telegram';

/**
 * A display field as text, or nothing: names and titles are not part of the shape `checkShape` enforces (a
 * field of another type reads as absent, never as a conversion that throws — `{"toString": ""}` cannot be joined).
 */
const textOf = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** First and last name parts joined, when they are text. */
function fullName(person: { first_name?: unknown; last_name?: unknown }): string {
  return [textOf(person.first_name), textOf(person.last_name)].filter(Boolean).join(' ');
}

function userName(user: { first_name?: unknown; last_name?: unknown; username?: unknown }): string | undefined {
  return fullName(user) || textOf(user.username);
}

function participantOfUser(user: TgUser): Participant {
  const name = userName(user);
  return { id: String(user.id), ...(name ? { name } : {}) };
}

function participantOfChat(chat: TgChat): Participant {
  const name = textOf(chat.title) ?? userName(chat);
  return { id: String(chat.id), ...(name ? { name } : {}) };
}

/**
 * Who sent a message: the chat it was sent on behalf of (channel posts, anonymous admins — `from` is then
 * a placeholder bot, per the Bot API), else the user, else the chat.
 */
function senderOf(message: TgMessage): Participant {
  if (message.sender_chat) return participantOfChat(message.sender_chat);
  return message.from ? participantOfUser(message.from) : participantOfChat(message.chat);
}

/** A `/command@bot args` at the very start of a text: `{ command, text }`, else undefined. */
function commandOf(message: TgMessage): { command: string; text: string } | undefined {
  const text = message.text ?? '';
  const entity = message.entities?.find((e) => e.type === 'bot_command' && e.offset === 0);
  if (!entity || typeof entity.length !== 'number') return undefined;
  const command = text.slice(1, entity.length).split('@')[0] ?? '';
  return command ? { command, text: text.slice(entity.length).trim() } : undefined;
}

function media(kind: 'image' | 'video' | 'audio' | 'voice' | 'document' | 'sticker', file: TgFile, caption: string | undefined): MessageContent {
  return {
    type: 'media', kind, mediaId: file.file_id,
    ...(typeof file.mime_type === 'string' && file.mime_type ? { mimeType: file.mime_type } : {}),
    ...(caption ? { caption } : {}),
    ...(typeof file.file_name === 'string' && file.file_name ? { fileName: file.file_name } : {}),
    ...(typeof file.file_size === 'number' ? { size: file.file_size } : {}),
  };
}

/** What a message carries, in the platform-neutral shape (the first thing found, in Telegram's own precedence). */
export function contentOf(message: TgMessage): MessageContent {
  const caption = message.caption;
  if (typeof message.text === 'string') {
    const command = commandOf(message);
    return command ? { type: 'command', ...command } : { type: 'text', text: message.text };
  }
  if (message.photo?.length) {
    // Telegram sends each size; the last is the largest.
    const largest = message.photo.reduce((a, b) => ((b.width ?? 0) * (b.height ?? 0) >= (a.width ?? 0) * (a.height ?? 0) ? b : a));
    return media('image', largest, caption);
  }
  if (message.animation) return media('video', message.animation, caption); // a GIF/MPEG-4 animation also carries `document`: prefer this
  if (message.sticker) return media('sticker', message.sticker, undefined);
  if (message.video) return media('video', message.video, caption);
  if (message.video_note) return media('video', message.video_note, caption);
  if (message.voice) return media('voice', message.voice, caption);
  if (message.audio) return media('audio', message.audio, caption);
  if (message.document) return media('document', message.document, caption);
  if (message.venue) {
    return { type: 'location', latitude: message.venue.location.latitude, longitude: message.venue.location.longitude, name: message.venue.title, address: message.venue.address };
  }
  if (message.location) return { type: 'location', latitude: message.location.latitude, longitude: message.location.longitude };
  if (message.contact) {
    const c = message.contact;
    return { type: 'contact', contacts: [{ name: fullName(c), phones: [c.phone_number] }] };
  }
  return { type: 'unknown', raw: message };
}

/** Extras a consumer may need: what kind of update, the chat type, the message id, a media group, a sticker's emoji. */
function metadataOf(updateType: string, message: TgMessage, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    updateType,
    chatType: message.chat.type,
    messageId: message.message_id,
    ...(message.chat.username ? { chatUsername: message.chat.username } : {}),
    ...(message.media_group_id ? { mediaGroupId: message.media_group_id } : {}),
    ...(message.sticker?.emoji ? { emoji: message.sticker.emoji } : {}),
    ...extra,
  };
}

function fromMessage(updateType: string, message: TgMessage, edited: boolean): NormalizedMessage {
  const content = contentOf(message);
  const editedAt = message.edit_date ?? message.date;
  return {
    // Telegram's message ids are per chat; replies and edits are addressed by it within the conversation.
    id: edited ? `${message.message_id}@${editedAt}` : String(message.message_id),
    platform: PLATFORM,
    conversationId: String(message.chat.id),
    ...(message.is_topic_message && message.message_thread_id !== undefined ? { threadId: String(message.message_thread_id) } : {}),
    from: senderOf(message),
    to: participantOfChat(message.chat),
    timestamp: (edited ? editedAt : message.date) * 1000,
    content: edited ? { type: 'edit', targetMessageId: String(message.message_id), content } : content,
    ...(message.reply_to_message ? { replyToId: String(message.reply_to_message.message_id) } : {}),
    metadata: metadataOf(updateType, message, edited ? { editDate: editedAt } : {}),
  };
}

/** The title of the pressed inline button, found by its callback data in the message's keyboard. */
function buttonTitle(query: TgCallbackQuery): string | undefined {
  for (const row of query.message?.reply_markup?.inline_keyboard ?? []) {
    for (const button of row) if (button.callback_data !== undefined && button.callback_data === query.data) return button.text;
  }
  return undefined;
}

function fromCallback(query: TgCallbackQuery, receivedAt: number): NormalizedMessage {
  const title = buttonTitle(query);
  const message = query.message;
  return {
    id: query.id,
    platform: PLATFORM,
    // A button under an inline-mode message has no chat: the user's private chat with the bot is where replies go.
    conversationId: message ? String(message.chat.id) : String(query.from.id),
    from: participantOfUser(query.from),
    // The button press itself carries no date: when it was received.
    timestamp: receivedAt,
    content: { type: 'interactive_reply', replyId: query.data ?? '', ...(title ? { title } : {}) },
    ...(message ? { replyToId: String(message.message_id) } : {}),
    metadata: {
      updateType: 'callback_query', callbackQueryId: query.id, chatInstance: query.chat_instance,
      ...(message ? { chatType: message.chat.type, messageId: message.message_id } : {}),
      ...(query.inline_message_id ? { inlineMessageId: query.inline_message_id } : {}),
    },
  };
}

function fromReaction(update: TgMessageReactionUpdated, updateId: number): NormalizedMessage {
  const emoji = update.new_reaction.find((r) => r.type === 'emoji')?.emoji ?? '';
  return {
    id: `reaction:${updateId}`,
    platform: PLATFORM,
    conversationId: String(update.chat.id),
    from: update.user ? participantOfUser(update.user) : participantOfChat(update.actor_chat ?? update.chat),
    timestamp: update.date * 1000,
    content: { type: 'reaction', emoji, targetMessageId: String(update.message_id) },
    metadata: { updateType: 'message_reaction', chatType: update.chat.type, newReaction: update.new_reaction, oldReaction: update.old_reaction },
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const isId = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v);

/** What every reader above relies on; anything else is a 400 naming the field (never a 500, which Telegram would retry). */
function checkShape(update: TelegramUpdate): void {
  const bad = (field: string) => new BadRequestError(`not a valid Telegram update: \`${field}\``, { field });
  for (const kind of ['message', 'edited_message', 'channel_post', 'edited_channel_post'] as const) {
    const m = update[kind] as unknown;
    if (m === undefined) continue;
    if (!isObject(m) || !isId(m.message_id) || !isId(m.date)) throw bad(`${kind}.message_id/date`);
    if (!isObject(m.chat) || !isId(m.chat.id)) throw bad(`${kind}.chat.id`);
    if (m.from !== undefined && (!isObject(m.from) || !isId(m.from.id))) throw bad(`${kind}.from.id`);
    if (m.sender_chat !== undefined && (!isObject(m.sender_chat) || !isId(m.sender_chat.id))) throw bad(`${kind}.sender_chat.id`);
    if (m.reply_to_message !== undefined && (!isObject(m.reply_to_message) || !isId(m.reply_to_message.message_id))) throw bad(`${kind}.reply_to_message.message_id`);
    if (m.edit_date !== undefined && !isId(m.edit_date)) throw bad(`${kind}.edit_date`);
    if (m.text !== undefined && typeof m.text !== 'string') throw bad(`${kind}.text`);
    if (m.caption !== undefined && typeof m.caption !== 'string') throw bad(`${kind}.caption`);
    if (m.message_thread_id !== undefined && !isId(m.message_thread_id)) throw bad(`${kind}.message_thread_id`);
    if (m.entities !== undefined && (!Array.isArray(m.entities) || !m.entities.every(isObject))) throw bad(`${kind}.entities`);
    if (m.photo !== undefined && (!Array.isArray(m.photo) || !m.photo.every((p) => isObject(p) && typeof p.file_id === 'string'))) throw bad(`${kind}.photo`);
    for (const file of ['document', 'animation', 'audio', 'video', 'video_note', 'voice', 'sticker'] as const) {
      if (m[file] !== undefined && (!isObject(m[file]) || typeof (m[file] as Record<string, unknown>).file_id !== 'string')) throw bad(`${kind}.${file}.file_id`);
    }
    if (m.location !== undefined && (!isObject(m.location) || typeof m.location.latitude !== 'number' || typeof m.location.longitude !== 'number')) throw bad(`${kind}.location`);
    if (m.venue !== undefined && (!isObject(m.venue) || !isObject(m.venue.location) || typeof m.venue.location.latitude !== 'number' || typeof m.venue.location.longitude !== 'number')) throw bad(`${kind}.venue`);
    if (m.contact !== undefined && (!isObject(m.contact) || typeof m.contact.phone_number !== 'string')) throw bad(`${kind}.contact`);
    if (m.reply_markup !== undefined && !isObject(m.reply_markup)) throw bad(`${kind}.reply_markup`);
    const keyboard = isObject(m.reply_markup) ? m.reply_markup.inline_keyboard : undefined;
    if (keyboard !== undefined && (!Array.isArray(keyboard) || !keyboard.every((row) => Array.isArray(row) && row.every(isObject)))) throw bad(`${kind}.reply_markup.inline_keyboard`);
  }
  const q = update.callback_query as unknown;
  if (q !== undefined) {
    if (!isObject(q) || typeof q.id !== 'string' || q.id === '' || !isObject(q.from) || !isId(q.from.id)) throw bad('callback_query.id/from.id');
    if (q.data !== undefined && typeof q.data !== 'string') throw bad('callback_query.data');
    if (q.message !== undefined) checkShape({ update_id: update.update_id, message: q.message as never });
  }
  const r = update.message_reaction as unknown;
  if (r !== undefined) {
    if (!isObject(r) || !isObject(r.chat) || !isId(r.chat.id) || !isId(r.message_id) || !isId(r.date) || !Array.isArray(r.new_reaction) || !r.new_reaction.every(isObject)) throw bad('message_reaction');
    if (r.user !== undefined && (!isObject(r.user) || !isId(r.user.id))) throw bad('message_reaction.user.id');
  }
}

/**
 * The messages of one update (at most one). Update kinds that carry no message (`my_chat_member`,
 * `inline_query`, polls...) give none: the update is acknowledged and nothing is published.
 */
export function normalizeUpdate(update: TelegramUpdate, receivedAt: number): NormalizedMessage[] {
  checkShape(update);
  if (update.message) return [fromMessage('message', update.message, false)];
  if (update.edited_message) return [fromMessage('edited_message', update.edited_message, true)];
  if (update.channel_post) return [fromMessage('channel_post', update.channel_post, false)];
  if (update.edited_channel_post) return [fromMessage('edited_channel_post', update.edited_channel_post, true)];
  if (update.callback_query) return [fromCallback(update.callback_query, receivedAt)];
  if (update.message_reaction) return [fromReaction(update.message_reaction, update.update_id)];
  return [];
}

/** True for a body that looks like an update: an object with an integer `update_id`. */
export function isUpdate(body: unknown): body is TelegramUpdate {
  return !!body && typeof body === 'object' && !Array.isArray(body) && Number.isSafeInteger((body as { update_id?: unknown }).update_id);
}
