/** Slack payloads → `NormalizedMessage`s: Events API messages and mentions, reactions, slash commands, block actions. */
import type { MediaKind, MessageContent, NormalizedMessage } from '../../types';
import type {
  SlackBlockActions, SlackEventCallback, SlackFile, SlackMessageEvent, SlackPayload, SlackReactionEvent, SlackSlashCommand,
} from './types';

/** Message subtypes that carry a person's message; every other subtype (joins, topics, bots...) is ignored. */
const PERSON_SUBTYPES = new Set([undefined, 'file_share', 'thread_broadcast', 'me_message']);

/** Slack's `ts` (`"1355517523.000005"`, seconds) → ms since the epoch. */
export function tsToMs(ts: string | undefined, fallback: number): number {
  const seconds = Number(ts);
  return Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : fallback;
}

function mediaKind(file: SlackFile): MediaKind {
  const mime = file.mimetype ?? '';
  if (mime.startsWith('image/')) return 'image';
  if (mime.startsWith('video/')) return 'video';
  if (mime.startsWith('audio/')) return 'audio';
  return 'document';
}

function fileContent(file: SlackFile, caption: string | undefined): MessageContent {
  return {
    type: 'media', kind: mediaKind(file), mediaId: file.id,
    ...(file.url_private ? { url: file.url_private } : {}),
    ...(file.mimetype ? { mimeType: file.mimetype } : {}),
    ...(file.name ? { fileName: file.name } : {}),
    ...(typeof file.size === 'number' ? { size: file.size } : {}),
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
function fromBot(event: SlackMessageEvent, botUserId: string | undefined): boolean {
  return event.bot_id !== undefined || event.subtype === 'bot_message' || (botUserId !== undefined && event.user === botUserId);
}

function messageEvent(event: SlackMessageEvent, envelope: SlackEventCallback, receivedAt: number): NormalizedMessage[] {
  const botUserId = envelope.authorizations?.find((a) => a.is_bot !== false)?.user_id;
  const base = (user: string | undefined, ts: string, threadTs: string | undefined) => ({
    id: ts, platform: 'slack', conversationId: event.channel,
    ...(threadTs && threadTs !== ts ? { threadId: threadTs } : {}),
    from: { id: user ?? 'unknown' }, timestamp: tsToMs(ts, receivedAt),
    metadata: { eventId: envelope.event_id, ...(envelope.team_id ? { teamId: envelope.team_id } : {}), ...(event.channel_type ? { channelType: event.channel_type } : {}) },
  });
  if (event.subtype === 'message_changed' && event.message) {
    const now = event.message;
    if (fromBot(now, botUserId)) return [];
    return [{ ...base(now.user, event.ts, now.thread_ts), id: `${now.ts}:edit:${event.ts}`, content: { type: 'edit', targetMessageId: now.ts, content: { type: 'text', text: now.text ?? '' } } }];
  }
  if (event.subtype === 'message_deleted' && event.deleted_ts) {
    const before = event.previous_message;
    if (before && fromBot(before, botUserId)) return [];
    return [{ ...base(before?.user, event.ts, before?.thread_ts), id: `${event.deleted_ts}:delete`, content: { type: 'delete', targetMessageId: event.deleted_ts } }];
  }
  if (!PERSON_SUBTYPES.has(event.subtype) || fromBot(event, botUserId)) return [];
  const head = base(event.user, event.ts, event.thread_ts);
  const files = event.files ?? [];
  if (files.length === 0) return [{ ...head, content: { type: 'text', text: event.text ?? '' } }];
  // A message with files: one message per file (the text is the first one's caption), ids stay unique.
  return files.map((file, i) => ({ ...head, id: i === 0 ? event.ts : `${event.ts}:${i}`, content: fileContent(file, i === 0 ? event.text : undefined) }));
}

function reactionEvent(event: SlackReactionEvent, envelope: SlackEventCallback, receivedAt: number): NormalizedMessage[] {
  if (event.item.type !== 'message' || !event.item.channel || !event.item.ts) return [];
  const removed = event.type === 'reaction_removed';
  return [{
    id: `${event.item.ts}:${event.type}:${event.user}:${event.reaction}:${event.event_ts}`, platform: 'slack',
    conversationId: event.item.channel, from: { id: event.user }, timestamp: tsToMs(event.event_ts, receivedAt),
    content: { type: 'reaction', emoji: removed ? '' : event.reaction, targetMessageId: event.item.ts },
    metadata: { eventId: envelope.event_id, ...(removed ? { removedEmoji: event.reaction } : {}) },
  }];
}

function slashCommand(command: SlackSlashCommand, receivedAt: number): NormalizedMessage[] {
  return [{
    id: command.trigger_id, platform: 'slack', conversationId: command.channel_id,
    from: { id: command.user_id, ...(command.user_name ? { name: command.user_name } : {}) }, timestamp: receivedAt,
    content: { type: 'command', command: command.command.replace(/^\//, ''), text: command.text ?? '' },
    metadata: { ...(command.response_url ? { responseUrl: command.response_url } : {}), ...(command.team_id ? { teamId: command.team_id } : {}) },
  }];
}

function blockActions(interaction: SlackBlockActions, receivedAt: number): NormalizedMessage[] {
  const conversationId = interaction.channel?.id ?? interaction.container?.channel_id;
  if (!conversationId) return [];
  const threadId = interaction.message?.thread_ts ?? interaction.container?.thread_ts;
  const replyToId = interaction.message?.ts ?? interaction.container?.message_ts;
  return interaction.actions.map((action, i) => ({
    id: i === 0 ? interaction.trigger_id : `${interaction.trigger_id}:${i}`, platform: 'slack', conversationId,
    ...(threadId ? { threadId } : {}),
    from: { id: interaction.user.id, ...(interaction.user.name ?? interaction.user.username ? { name: interaction.user.name ?? interaction.user.username } : {}) },
    timestamp: tsToMs(action.action_ts, receivedAt),
    content: {
      type: 'interactive_reply',
      replyId: action.selected_option?.value ?? action.value ?? action.action_id,
      ...(action.selected_option?.text?.text ?? action.text?.text ? { title: action.selected_option?.text?.text ?? action.text?.text } : {}),
    },
    ...(replyToId ? { replyToId } : {}),
    metadata: { actionId: action.action_id, ...(interaction.response_url ? { responseUrl: interaction.response_url } : {}) },
  }));
}

/** Every message a Slack request carries; events that are not messages (and the app's own messages) give none. */
export function normalizeSlack(payload: SlackPayload, receivedAt: number): NormalizedMessage[] {
  const interaction = interactionOf(payload);
  if (interaction) return blockActions(interaction, receivedAt);
  if (typeof payload.command === 'string' && typeof payload.trigger_id === 'string' && typeof payload.channel_id === 'string') {
    return slashCommand(payload as SlackSlashCommand, receivedAt);
  }
  if (payload.type !== 'event_callback' || !payload.event || typeof payload.event !== 'object') return [];
  const envelope = payload as SlackEventCallback;
  const event = envelope.event;
  if (event.type === 'message' || event.type === 'app_mention') return messageEvent(event as SlackMessageEvent, envelope, receivedAt);
  if (event.type === 'reaction_added' || event.type === 'reaction_removed') return reactionEvent(event as SlackReactionEvent, envelope, receivedAt);
  return [];
}

/** What a duplicate delivery shares: the Events API `event_id`, a command's or interaction's `trigger_id`. */
export function slackEventId(payload: SlackPayload): string | undefined {
  if (typeof payload.event_id === 'string') return payload.event_id;
  const interaction = interactionOf(payload);
  if (interaction) return interaction.trigger_id;
  return typeof payload.trigger_id === 'string' ? payload.trigger_id : undefined;
}

/**
 * The kind of Slack request, for `answers`: `slash_command`, `block_actions`, `url_verification`, or the
 * Events API event's type (`message`, `app_mention`, `reaction_added`...).
 */
export function slackEventType(payload: SlackPayload): string | undefined {
  if (interactionOf(payload)) return 'block_actions';
  if (typeof payload.command === 'string' && typeof payload.trigger_id === 'string') return 'slash_command';
  if (payload.type === 'event_callback') return (payload.event as { type?: string } | undefined)?.type;
  return typeof payload.type === 'string' ? payload.type : undefined;
}
