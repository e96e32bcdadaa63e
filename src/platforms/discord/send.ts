/** Outbound messages → Discord REST calls: the interaction's response (deferred → completed), channel messages, reactions, edits. */
import { BadRequestError } from '../../errors';
import type { OutboundContent, OutboundMessage } from '../../types';

/** One REST call: method, path after the API base, body, and whether it needs the bot token. */
export interface DiscordCall {
  method: 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  body?: Record<string, unknown>;
  /** Interaction webhooks are authorized by their token in the path; the rest need `Bot <token>`. */
  bot: boolean;
}

const BUTTONS_PER_ROW = 5;

/** `content` (and components/embeds) of a message, or a 400 naming what Discord cannot send. */
function messageBody(content: OutboundContent): Record<string, unknown> {
  switch (content.type) {
    case 'text': return { content: content.text };
    case 'interactive': {
      const rows: unknown[] = [];
      const buttons = content.buttons ?? [];
      for (let i = 0; i < buttons.length; i += BUTTONS_PER_ROW) {
        rows.push({ type: 1, components: buttons.slice(i, i + BUTTONS_PER_ROW).map((b) => ({ type: 2, style: 1, label: b.title, custom_id: b.id })) });
      }
      if (content.list) {
        const options = content.list.sections.flatMap((s) => s.rows.map((r) => ({ label: r.title, value: r.id, ...(r.description ? { description: r.description } : {}) })));
        rows.push({ type: 1, components: [{ type: 3, custom_id: 'list', placeholder: content.list.button, options }] });
      }
      return { content: [content.header, content.text, content.footer].filter(Boolean).join('\n'), components: rows };
    }
    case 'media':
      if (!content.url) throw new BadRequestError('discord: media can be sent by `url` only', { field: 'message.content.url' });
      return content.kind === 'image'
        ? { content: content.caption ?? '', embeds: [{ image: { url: content.url } }] }
        : { content: content.caption ? `${content.caption}\n${content.url}` : content.url };
    default: throw new BadRequestError(`discord: content type "${content.type}" cannot be sent to Discord`, { field: 'message.content.type' });
  }
}

/** The interaction a reply completes: `metadata.interactionToken` and `applicationId` as the received message carried them. */
function interactionOf(message: OutboundMessage): { token: string; applicationId: string; followUp: boolean } | undefined {
  const m = message.metadata;
  if (!m || typeof m.interactionToken !== 'string' || typeof m.applicationId !== 'string') return undefined;
  return { token: m.interactionToken, applicationId: m.applicationId, followUp: m.followUp === true };
}

/**
 * The REST call for `message`. A reply to an interaction (its `metadata.interactionToken` and `applicationId`)
 * edits the deferred response (`PATCH /webhooks/<app>/<token>/messages/@original`), or adds a follow-up with
 * `metadata.followUp: true`; otherwise a channel message (`replyToId` quotes a message), a reaction, an edit,
 * a delete, or `typing`.
 */
export function discordCall(message: OutboundMessage): DiscordCall {
  const channel = encodeURIComponent(message.conversationId);
  const { content } = message;
  const interaction = interactionOf(message);
  if (interaction && content.type !== 'reaction' && content.type !== 'typing') {
    const base = `/webhooks/${encodeURIComponent(interaction.applicationId)}/${encodeURIComponent(interaction.token)}`;
    return interaction.followUp
      ? { method: 'POST', path: `${base}?wait=true`, body: messageBody(content), bot: false }
      : { method: 'PATCH', path: `${base}/messages/@original`, body: messageBody(content), bot: false };
  }
  switch (content.type) {
    case 'reaction':
      return { method: 'PUT', path: `/channels/${channel}/messages/${encodeURIComponent(content.targetMessageId)}/reactions/${encodeURIComponent(content.emoji)}/@me`, bot: true };
    case 'edit':
      return { method: 'PATCH', path: `/channels/${channel}/messages/${encodeURIComponent(content.targetMessageId)}`, body: messageBody(content.content), bot: true };
    case 'delete':
      return { method: 'DELETE', path: `/channels/${channel}/messages/${encodeURIComponent(content.targetMessageId)}`, bot: true };
    case 'typing':
      return { method: 'POST', path: `/channels/${channel}/typing`, bot: true };
    default:
      return {
        method: 'POST', path: `/channels/${channel}/messages`, bot: true,
        body: { ...messageBody(content), ...(message.replyToId ? { message_reference: { message_id: message.replyToId } } : {}) },
      };
  }
}

/** The id a call's answer stands for: the created or edited message's `id`, else the target message. */
export function discordMessageId(call: DiscordCall, answer: Record<string, unknown> | undefined, message: OutboundMessage): string {
  if (typeof answer?.id === 'string') return answer.id;
  const content = message.content;
  if ('targetMessageId' in content && typeof content.targetMessageId === 'string') return content.targetMessageId;
  return `${content.type}:${message.conversationId}`;
}
