/** One WhatsApp message object → the platform-neutral `MessageContent` (every type Meta documents; the rest as `unknown`). */
import type { MediaKind, MessageContent } from '../../types';
import type { WhatsAppContactCard, WhatsAppMedia, WhatsAppMessage } from './types';

const MEDIA_TYPES = ['image', 'audio', 'video', 'document', 'sticker'] as const;
type MediaType = (typeof MEDIA_TYPES)[number];

function mediaContent(type: MediaType, media: WhatsAppMedia | undefined): MessageContent {
  const m = media ?? {};
  const kind: MediaKind = type === 'audio' && m.voice === true ? 'voice' : type;
  return {
    type: 'media', kind,
    ...(typeof m.id === 'string' ? { mediaId: m.id } : {}),
    ...(typeof m.url === 'string' ? { url: m.url } : {}),
    ...(typeof m.mime_type === 'string' ? { mimeType: m.mime_type } : {}),
    ...(typeof m.caption === 'string' ? { caption: m.caption } : {}),
    ...(typeof m.filename === 'string' ? { fileName: m.filename } : {}),
    ...(typeof m.file_size === 'number' ? { size: m.file_size } : {}),
  };
}

function contactName(card: WhatsAppContactCard): string {
  const n = card.name ?? {};
  return n.formatted_name ?? [n.first_name, n.last_name].filter(Boolean).join(' ');
}

function contactContent(cards: WhatsAppContactCard[] | undefined): MessageContent {
  return {
    type: 'contact',
    contacts: (cards ?? []).map((card) => {
      const phones = (card.phones ?? []).map((p) => p.phone ?? p.wa_id).filter((p): p is string => typeof p === 'string');
      const emails = (card.emails ?? []).map((e) => e.email).filter((e): e is string => typeof e === 'string');
      return { name: contactName(card), ...(phones.length ? { phones } : {}), ...(emails.length ? { emails } : {}) };
    }),
  };
}

/** The content of `message`; a type Switchboard does not model (order, system, unsupported...) is `unknown` with the object as `raw`. */
export function whatsappContent(message: WhatsAppMessage): MessageContent {
  const type = message.type;
  if (type === 'text' && typeof message.text?.body === 'string') return { type: 'text', text: message.text.body };
  if ((MEDIA_TYPES as readonly string[]).includes(type)) return mediaContent(type as MediaType, message[type] as WhatsAppMedia | undefined);
  if (type === 'location' && typeof message.location?.latitude === 'number' && typeof message.location.longitude === 'number') {
    const l = message.location;
    return { type: 'location', latitude: l.latitude!, longitude: l.longitude!, ...(l.name ? { name: l.name } : {}), ...(l.address ? { address: l.address } : {}) };
  }
  if (type === 'contacts') return contactContent(message.contacts);
  if (type === 'interactive') {
    const reply = message.interactive?.button_reply ?? message.interactive?.list_reply;
    if (typeof reply?.id === 'string') return { type: 'interactive_reply', replyId: reply.id, ...(reply.title ? { title: reply.title } : {}) };
  }
  // A tap on a template's quick-reply button: the payload is the id the template was sent with.
  if (type === 'button' && typeof message.button?.payload === 'string') {
    return { type: 'interactive_reply', replyId: message.button.payload, ...(message.button.text ? { title: message.button.text } : {}) };
  }
  if (type === 'reaction' && typeof message.reaction?.message_id === 'string') {
    // Meta omits `emoji` when the user removed the reaction.
    return { type: 'reaction', emoji: message.reaction.emoji ?? '', targetMessageId: message.reaction.message_id };
  }
  return { type: 'unknown', raw: message };
}
