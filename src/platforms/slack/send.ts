/** Outbound messages → Slack Web API calls (`chat.postMessage`, `chat.update`, `chat.delete`, `reactions.add`). */
import { BadRequestError } from '../../errors';
import type { OutboundContent, OutboundMessage } from '../../types';

/** One Web API call: the method (path after the API base) and its JSON body. */
export interface SlackCall {
  method: 'chat.postMessage' | 'chat.update' | 'chat.delete' | 'reactions.add';
  body: Record<string, unknown>;
}

const plain = (text: string) => ({ type: 'plain_text', text, emoji: true });

/** Block Kit for an `interactive` message: a section, then buttons (or a static select for a list). */
function interactiveBlocks(content: Extract<OutboundContent, { type: 'interactive' }>): unknown[] {
  const blocks: unknown[] = [];
  if (content.header) blocks.push({ type: 'header', text: plain(content.header) });
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: content.text } });
  if (content.buttons?.length) {
    blocks.push({ type: 'actions', elements: content.buttons.map((b) => ({ type: 'button', text: plain(b.title), value: b.id, action_id: b.id })) });
  }
  if (content.list) {
    const optionGroups = content.list.sections.map((s) => ({
      label: plain(s.title ?? content.list!.button),
      options: s.rows.map((r) => ({ text: plain(r.title), value: r.id, ...(r.description ? { description: plain(r.description) } : {}) })),
    }));
    blocks.push({ type: 'actions', elements: [{ type: 'static_select', action_id: 'list', placeholder: plain(content.list.button), option_groups: optionGroups }] });
  }
  if (content.footer) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: content.footer }] });
  return blocks;
}

/** The text (and blocks) of a new message, or a 400 naming what Slack cannot send. */
function postBody(content: OutboundContent): Record<string, unknown> {
  switch (content.type) {
    case 'text': return { text: content.text };
    case 'interactive': return { text: content.text, blocks: interactiveBlocks(content) };
    case 'media': {
      if (!content.url) throw new BadRequestError('slack: media can be sent by `url` only (upload files with the Files API)', { field: 'message.content.url' });
      const text = content.caption ? `${content.caption}\n${content.url}` : content.url;
      if (content.kind !== 'image') return { text };
      return { text, blocks: [{ type: 'image', image_url: content.url, alt_text: content.caption ?? content.fileName ?? 'image' }] };
    }
    case 'location': return { text: `${content.name ? `${content.name}: ` : ''}https://maps.google.com/?q=${content.latitude},${content.longitude}` };
    default: throw new BadRequestError(`slack: content type "${content.type}" cannot be sent to Slack`, { field: 'message.content.type' });
  }
}

/**
 * The Web API call for `message`: a reaction → `reactions.add`, an edit → `chat.update`, a delete →
 * `chat.delete`, anything else → `chat.postMessage` (in `threadId`'s thread when given; `replyToId` starts a
 * thread under that message).
 */
export function slackCall(message: OutboundMessage): SlackCall {
  const channel = message.conversationId;
  const { content } = message;
  if (content.type === 'reaction') {
    return { method: 'reactions.add', body: { channel, timestamp: content.targetMessageId, name: content.emoji.replace(/^:|:$/g, '') } };
  }
  if (content.type === 'edit') return { method: 'chat.update', body: { channel, ts: content.targetMessageId, ...postBody(content.content) } };
  if (content.type === 'delete') return { method: 'chat.delete', body: { channel, ts: content.targetMessageId } };
  const threadTs = message.threadId ?? message.replyToId;
  return { method: 'chat.postMessage', body: { channel, ...postBody(content), ...(threadTs ? { thread_ts: threadTs } : {}) } };
}

/** The message id a call's answer stands for: the new or changed message's `ts`, or the reacted-to message. */
export function sentMessageId(call: SlackCall, answer: { ts?: unknown }): string {
  if (typeof answer.ts === 'string') return answer.ts;
  const target = call.body.ts ?? call.body.timestamp;
  return typeof target === 'string' ? target : '';
}
