/** Slack payloads → `NormalizedMessage`s: Events API messages and mentions, reactions, slash commands, block actions. */
import type { MediaKind, MessageContent, NormalizedMessage } from '../../types';
import type { SlackBlockActions, SlackPayload, SlackSlashCommand } from './types';
import { idOf, objectOf, objectsOf, textOf } from '../shared/fields';

/** Message subtypes that carry a person's message; every other subtype (joins, topics, bots...) is ignored. */
const PERSON_SUBTYPES = new Set([undefined, 'file_share', 'thread_broadcast', 'me_message']);

/** Slack's `ts` (`"1355517523.000005"`, seconds) → ms since the epoch; `fallback` for anything not a ts string. */
export function tsToMs(ts: unknown, fallback: number): number {
  const seconds = typeof ts === 'string' ? Number(ts) : NaN;
  return Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : fallback;
}

function mediaKind(file: Record<string, unknown>): MediaKind {
  const mime = textOf(file.mimetype) ?? '';
  if (mime.startsWith('image/')) return 'image';
  if (mime.startsWith('video/')) return 'video';
  if (mime.startsWith('audio/')) return 'audio';
  return 'document';
}

function fileContent(file: Record<string, unknown>, caption: string | undefined): MessageContent {
  const [id, url, mimeType, fileName] = [idOf(file.id), textOf(file.url_private), textOf(file.mimetype), textOf(file.name)];
  return {
    type: 'media', kind: mediaKind(file),
    ...(id ? { mediaId: id } : {}),
    ...(url ? { url } : {}),
    ...(mimeType ? { mimeType } : {}),
    ...(fileName ? { fileName } : {}),
    ...(typeof file.size === 'number' && Number.isFinite(file.size) ? { size: file.size } : {}),
    ...(caption ? { caption } : {}),
  };
}

/** The interactive payload of a form body: Slack sends it as the `payload` field, a JSON string. */
export function interactionOf(payload: SlackPayload): SlackBlockActions | undefined {
  let inner = payload.payload;
  if (typeof inner === 'string') {
    try { inner = JSON.parse(inner); } catch { return undefined; }
  }
  return inner && typeof inner === 'object' && (inner as { type?: unknown }).type === 'block_actions' ? inner as SlackBlockActions : undefined;
}

/** True for a message the app itself (or any bot) posted: answering those would loop. */
function fromBot(event: Record<string, unknown>, botUserId: string | undefined): boolean {
  return event.bot_id !== undefined || event.subtype === 'bot_message' || (botUserId !== undefined && event.user === botUserId);
}

/** A message event's messages; none without a channel, or without the `ts` its id is made of. */
function messageEvent(event: Record<string, unknown>, envelope: Record<string, unknown>, receivedAt: number): NormalizedMessage[] {
  const botUserId = textOf(objectsOf(envelope.authorizations).find((a) => a.is_bot !== false)?.user_id);
  const conversationId = idOf(event.channel);
  if (!conversationId) return [];
  const ts = idOf(event.ts);
  const [eventId, teamId, channelType] = [textOf(envelope.event_id), textOf(envelope.team_id), textOf(event.channel_type)];
  const base = (user: unknown, threadTs: string | undefined) => ({
    platform: 'slack', conversationId,
    ...(threadTs && threadTs !== ts ? { threadId: threadTs } : {}),
    from: { id: textOf(user) ?? 'unknown' }, timestamp: tsToMs(ts, receivedAt),
    metadata: { eventId, ...(teamId ? { teamId } : {}), ...(channelType ? { channelType } : {}) },
  });
  const now = objectOf(event.message);
  if (event.subtype === 'message_changed' && now) {
    const target = idOf(now.ts);
    if (fromBot(now, botUserId) || !target || !ts) return [];
    return [{ ...base(now.user, textOf(now.thread_ts)), id: `${target}:edit:${ts}`, content: { type: 'edit', targetMessageId: target, content: { type: 'text', text: textOf(now.text) ?? '' } } }];
  }
  const deleted = idOf(event.deleted_ts);
  if (event.subtype === 'message_deleted' && deleted) {
    const before = objectOf(event.previous_message);
    if (before && fromBot(before, botUserId)) return [];
    return [{ ...base(before?.user, textOf(before?.thread_ts)), id: `${deleted}:delete`, content: { type: 'delete', targetMessageId: deleted } }];
  }
  if (!PERSON_SUBTYPES.has(event.subtype as string | undefined) || fromBot(event, botUserId) || !ts) return [];
  const head = base(event.user, textOf(event.thread_ts));
  const text = textOf(event.text);
  const files = objectsOf(event.files);
  if (files.length === 0) return [{ ...head, id: ts, content: { type: 'text', text: text ?? '' } }];
  // A message with files: one message per file (the text is the first one's caption), ids stay unique.
  return files.map((file, i) => ({ ...head, id: i === 0 ? ts : `${ts}:${i}`, content: fileContent(file, i === 0 ? text : undefined) }));
}

/** A reaction on a message; none for another item, or without its channel, ts or emoji. */
function reactionEvent(event: Record<string, unknown>, envelope: Record<string, unknown>, receivedAt: number): NormalizedMessage[] {
  const item = objectOf(event.item);
  const [channel, ts, reaction] = [idOf(item?.channel), idOf(item?.ts), textOf(event.reaction)];
  if (item?.type !== 'message' || !channel || !ts || reaction === undefined) return [];
  const removed = event.type === 'reaction_removed';
  const [user, eventTs, eventId] = [textOf(event.user), textOf(event.event_ts), textOf(envelope.event_id)];
  return [{
    id: `${ts}:${event.type}:${user}:${reaction}:${eventTs}`, platform: 'slack',
    conversationId: channel, from: { id: user ?? 'unknown' }, timestamp: tsToMs(eventTs, receivedAt),
    content: { type: 'reaction', emoji: removed ? '' : reaction, targetMessageId: ts },
    metadata: { eventId, ...(removed ? { removedEmoji: reaction } : {}) },
  }];
}

function slashCommand(command: SlackSlashCommand, receivedAt: number): NormalizedMessage[] {
  const [userName, responseUrl, teamId] = [textOf(command.user_name), textOf(command.response_url), textOf(command.team_id)];
  return [{
    id: command.trigger_id, platform: 'slack', conversationId: command.channel_id,
    from: { id: textOf(command.user_id) ?? 'unknown', ...(userName ? { name: userName } : {}) }, timestamp: receivedAt,
    content: { type: 'command', command: command.command.replace(/^\//, ''), text: textOf(command.text) ?? '' },
    metadata: { ...(responseUrl ? { responseUrl } : {}), ...(teamId ? { teamId } : {}) },
  }];
}

/** One message per action that says what was picked; none without a conversation or the trigger id. */
function blockActions(interaction: SlackBlockActions, receivedAt: number): NormalizedMessage[] {
  const [channel, container, message, user] = [objectOf(interaction.channel), objectOf(interaction.container), objectOf(interaction.message), objectOf(interaction.user)];
  const conversationId = idOf(channel?.id) ?? idOf(container?.channel_id);
  const triggerId = idOf(interaction.trigger_id);
  if (!conversationId || !triggerId) return [];
  const threadId = textOf(message?.thread_ts) ?? textOf(container?.thread_ts);
  const replyToId = textOf(message?.ts) ?? textOf(container?.message_ts);
  const name = textOf(user?.name) ?? textOf(user?.username);
  const responseUrl = textOf(interaction.response_url);
  const replies = objectsOf(interaction.actions).flatMap((action) => {
    const option = objectOf(action.selected_option);
    const actionId = textOf(action.action_id);
    const replyId = textOf(option?.value) ?? textOf(action.value) ?? actionId;
    const title = textOf(objectOf(option?.text)?.text) ?? textOf(objectOf(action.text)?.text);
    return replyId === undefined ? [] : [{ action, actionId, replyId, title }];
  });
  return replies.map(({ action, actionId, replyId, title }, i) => ({
    id: i === 0 ? triggerId : `${triggerId}:${i}`, platform: 'slack', conversationId,
    ...(threadId ? { threadId } : {}),
    from: { id: textOf(user?.id) ?? 'unknown', ...(name ? { name } : {}) },
    timestamp: tsToMs(action.action_ts, receivedAt),
    content: { type: 'interactive_reply', replyId, ...(title ? { title } : {}) },
    ...(replyToId ? { replyToId } : {}),
    metadata: { actionId, ...(responseUrl ? { responseUrl } : {}) },
  }));
}

/** Every message a Slack request carries; events that are not messages (and the app's own messages) give none. */
export function normalizeSlack(payload: SlackPayload, receivedAt: number): NormalizedMessage[] {
  const interaction = interactionOf(payload);
  if (interaction) return blockActions(interaction, receivedAt);
  if (typeof payload.command === 'string' && idOf(payload.trigger_id) && idOf(payload.channel_id)) {
    return slashCommand(payload as SlackSlashCommand, receivedAt);
  }
  const event = objectOf(payload.event);
  if (payload.type !== 'event_callback' || !event) return [];
  if (event.type === 'message' || event.type === 'app_mention') return messageEvent(event, payload, receivedAt);
  if (event.type === 'reaction_added' || event.type === 'reaction_removed') return reactionEvent(event, payload, receivedAt);
  return [];
}

/** What a duplicate delivery shares: the Events API `event_id`, a command's or interaction's `trigger_id`. */
export function slackEventId(payload: SlackPayload): string | undefined {
  if (typeof payload.event_id === 'string') return payload.event_id;
  const interaction = interactionOf(payload);
  if (typeof interaction?.trigger_id === 'string') return interaction.trigger_id;
  return typeof payload.trigger_id === 'string' ? payload.trigger_id : undefined;
}

/**
 * The kind of Slack request, for `answers`: `slash_command`, `block_actions`, `url_verification`, or the
 * Events API event's type (`message`, `app_mention`, `reaction_added`...).
 */
export function slackEventType(payload: SlackPayload): string | undefined {
  if (interactionOf(payload)) return 'block_actions';
  if (typeof payload.command === 'string' && typeof payload.trigger_id === 'string') return 'slash_command';
  if (payload.type === 'event_callback') return textOf(objectOf(payload.event)?.type);
  return typeof payload.type === 'string' ? payload.type : undefined;
}
