/** An `OutboundMessage` → the Graph API's `POST /{version}/{phone-number-id}/messages` body, and the call itself. */
import { BadRequestError, PlatformError } from '../../errors';
import type { OutboundContent, OutboundMessage, SendResult } from '../../types';
import { whatsappApiError } from './errors';
import type { WhatsAppApi } from './settings';
import type { WhatsAppTemplate } from './types';

/** Meta's limits on interactive messages: 3 reply buttons, 10 list rows in all. */
export const MAX_REPLY_BUTTONS = 3;
export const MAX_LIST_ROWS = 10;

type Body = Record<string, unknown>;

function unsupported(type: string): BadRequestError {
  return new BadRequestError(`content type "${type}" cannot be sent on WhatsApp`, { field: 'message.content.type' });
}

function templateBody(t: WhatsAppTemplate): Body {
  return { type: 'template', template: { name: t.name, language: { code: t.language }, ...(t.components ? { components: t.components } : {}) } };
}

/** The type-specific part of the body (`type` and its object). */
export function contentBody(content: OutboundContent, previewUrl?: boolean): Body {
  switch (content.type) {
    case 'text':
      return { type: 'text', text: { body: content.text, preview_url: previewUrl ?? /https?:\/\//i.test(content.text) } };
    case 'media': {
      if (!content.mediaId && !content.url) throw new BadRequestError('a media message needs `mediaId` (an uploaded media id) or `url` (a public link)', { field: 'message.content' });
      const type = content.kind === 'voice' ? 'audio' : content.kind;
      const media: Body = content.mediaId ? { id: content.mediaId } : { link: content.url };
      if (content.caption && (type === 'image' || type === 'video' || type === 'document')) media.caption = content.caption;
      if (content.fileName && type === 'document') media.filename = content.fileName;
      return { type, [type]: media };
    }
    case 'location':
      return { type: 'location', location: { latitude: content.latitude, longitude: content.longitude, ...(content.name ? { name: content.name } : {}), ...(content.address ? { address: content.address } : {}) } };
    case 'contact':
      return {
        type: 'contacts',
        contacts: content.contacts.map((c) => ({
          name: { formatted_name: c.name, first_name: c.name },
          ...(c.phones?.length ? { phones: c.phones.map((phone) => ({ phone })) } : {}),
          ...(c.emails?.length ? { emails: c.emails.map((email) => ({ email })) } : {}),
        })),
      };
    case 'reaction':
      return { type: 'reaction', reaction: { message_id: content.targetMessageId, emoji: content.emoji } };
    case 'template':
      return templateBody(content);
    case 'interactive': {
      const frame = {
        ...(content.header ? { header: { type: 'text', text: content.header } } : {}),
        body: { text: content.text },
        ...(content.footer ? { footer: { text: content.footer } } : {}),
      };
      if (content.buttons && content.list) throw new BadRequestError('an interactive message has `buttons` or a `list`, not both', { field: 'message.content' });
      if (content.buttons) {
        if (content.buttons.length === 0 || content.buttons.length > MAX_REPLY_BUTTONS) throw new BadRequestError(`WhatsApp takes 1-${MAX_REPLY_BUTTONS} reply buttons`, { field: 'message.content.buttons' });
        return { type: 'interactive', interactive: { type: 'button', ...frame, action: { buttons: content.buttons.map((b) => ({ type: 'reply', reply: { id: b.id, title: b.title } })) } } };
      }
      if (content.list) {
        const rows = content.list.sections.reduce((n, s) => n + s.rows.length, 0);
        if (rows === 0 || rows > MAX_LIST_ROWS) throw new BadRequestError(`WhatsApp takes 1-${MAX_LIST_ROWS} list rows in all`, { field: 'message.content.list' });
        return {
          type: 'interactive',
          interactive: {
            type: 'list', ...frame,
            action: {
              button: content.list.button,
              sections: content.list.sections.map((s) => ({
                ...(s.title ? { title: s.title } : {}),
                rows: s.rows.map((r) => ({ id: r.id, title: r.title, ...(r.description ? { description: r.description } : {}) })),
              })),
            },
          },
        };
      }
      throw new BadRequestError('an interactive message needs `buttons` or a `list`', { field: 'message.content' });
    }
    default:
      throw unsupported(content.type);
  }
}

/** The whole request body: `messaging_product`, `to` (the wa_id), the content, and `context` when answering a message. */
export function graphMessageBody(message: OutboundMessage, content: OutboundContent = message.content): Body {
  const previewUrl = typeof message.metadata?.previewUrl === 'boolean' ? message.metadata.previewUrl : undefined;
  return {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: message.conversationId,
    ...(message.replyToId && content.type !== 'reaction' ? { context: { message_id: message.replyToId } } : {}),
    ...contentBody(content, previewUrl),
  };
}

/** The Graph template body for the channel's `windowTemplate`. */
export function windowTemplateContent(template: WhatsAppTemplate): OutboundContent {
  return { type: 'template', name: template.name, language: template.language, ...(template.components ? { components: template.components } : {}) };
}

/** A `fetch` (the factory passes one that refuses internal addresses unless the deployment allows them). */
export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/** POSTs the body; a 2xx answers `messages[0].id` (the wamid), anything else throws the mapped error (see `whatsappApiError`). */
export async function postMessage(fetchFn: Fetch, api: WhatsAppApi, body: Body, signal: AbortSignal): Promise<SendResult> {
  const response = await fetchFn(`${api.base}/${api.phoneNumberId}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${api.accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
  if (!response.ok) throw await whatsappApiError(response, 'WhatsApp send');
  const answer = (await response.json().catch(() => null)) as { messages?: Array<{ id?: unknown; message_status?: unknown }>; contacts?: Array<{ wa_id?: unknown }> } | null;
  const id = answer?.messages?.[0]?.id;
  if (typeof id !== 'string' || id === '') throw new PlatformError('the Graph API accepted the message but answered without messages[0].id; not resent', { status: response.status, body: answer });
  const waId = answer?.contacts?.[0]?.wa_id;
  const status = answer?.messages?.[0]?.message_status;
  return { messageId: id, metadata: { ...(typeof waId === 'string' ? { waId } : {}), ...(typeof status === 'string' ? { messageStatus: status } : {}) } };
}

/**
 * Marks a received message read (the user sees blue ticks) and, with `typing`, shows a typing indicator
 * for up to 25 s or until the next message: `{ status: 'read', message_id, typing_indicator? }`.
 */
export async function postReadReceipt(fetchFn: Fetch, api: WhatsAppApi, messageId: string, typing: boolean, signal?: AbortSignal): Promise<void> {
  const response = await fetchFn(`${api.base}/${api.phoneNumberId}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${api.accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ messaging_product: 'whatsapp', status: 'read', message_id: messageId, ...(typing ? { typing_indicator: { type: 'text' } } : {}) }),
    ...(signal ? { signal } : {}),
  });
  if (!response.ok) throw await whatsappApiError(response, 'WhatsApp mark as read');
  await response.body?.cancel().catch(() => undefined);
}
