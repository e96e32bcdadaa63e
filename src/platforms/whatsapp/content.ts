/** One WhatsApp message object → the platform-neutral `MessageContent` (every type Meta documents; the rest as `unknown`). */
import type { MediaKind, MessageContent } from '../../types';
import { obj, objects, str } from './shape';
import type { WhatsAppContactCard, WhatsAppMedia, WhatsAppMessage } from './types';

const MEDIA_TYPES = ['image', 'audio', 'video', 'document', 'sticker'] as const;
type MediaType = (typeof MEDIA_TYPES)[number];

function mediaContent(type: MediaType, media: unknown): MessageContent {
  const m: WhatsAppMedia = obj(media) ?? {};
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
  const n = obj(card.name) ?? {};
  return str(n.formatted_name) ?? [str(n.first_name), str(n.last_name)].filter(Boolean).join(' ');
}

function contactContent(cards: unknown): MessageContent {
  return {
    type: 'contact',
    contacts: objects(cards).map((card: WhatsAppContactCard) => {
      const phones = objects(card.phones).map((p) => str(p.phone) ?? str(p.wa_id)).filter((p): p is string => p !== undefined);
      const emails = objects(card.emails).map((e) => str(e.email)).filter((e): e is string => e !== undefined);
      return { name: contactName(card), ...(phones.length ? { phones } : {}), ...(emails.length ? { emails } : {}) };
    }),
  };
}

/** The content of `message`; a type Switchboard does not model (order, system, unsupported...) is `unknown` with the object as `raw`. */
export function whatsappContent(message: WhatsAppMessage): MessageContent {
  const type = message.type;
  if (type === 'text' && typeof message.text?.body === 'string') return { type: 'text', text: message.text.body };
  if ((MEDIA_TYPES as readonly string[]).includes(type)) return mediaContent(type as MediaType, message[type]);
  if (type === 'location' && typeof message.location?.latitude === 'number' && typeof message.location.longitude === 'number') {
    const l = message.location;
    const name = str(l.name);
    const address = str(l.address);
    return { type: 'location', latitude: l.latitude!, longitude: l.longitude!, ...(name ? { name } : {}), ...(address ? { address } : {}) };
  }
  if (type === 'contacts') return contactContent(message.contacts);
  if (type === 'interactive') {
    const interactive = obj(message.interactive);
    const reply = obj(interactive?.button_reply) ?? obj(interactive?.list_reply);
    const title = str(reply?.title);
    if (typeof reply?.id === 'string') return { type: 'interactive_reply', replyId: reply.id, ...(title ? { title } : {}) };
  }
  // A tap on a template's quick-reply button: the payload is the id the template was sent with.
  if (type === 'button' && typeof message.button?.payload === 'string') {
    const title = str(message.button.text);
    return { type: 'interactive_reply', replyId: message.button.payload, ...(title ? { title } : {}) };
  }
  if (type === 'reaction' && typeof message.reaction?.message_id === 'string') {
    // Meta omits `emoji` when the user removed the reaction.
    return { type: 'reaction', emoji: str(message.reaction.emoji) ?? '', targetMessageId: message.reaction.message_id };
  }
  return { type: 'unknown', raw: message };
}
