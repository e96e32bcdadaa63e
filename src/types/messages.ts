/** The platform-neutral message shapes every integration produces and consumes. */

/** Someone who sends or receives a message on a platform. */
export interface Participant {
  /** The platform's id for the user, bot, phone number or channel. */
  id: string;
  name?: string;
}

export type MediaKind = 'image' | 'video' | 'audio' | 'voice' | 'document' | 'sticker';

/**
 * What a message carries; `type` tells which. Every platform maps onto these (docs/messages.md has one
 * example per type):
 * - `text` — plain text (`text`).
 * - `media` — an image, video, audio, voice note, document or sticker: `kind`, and where to get it
 *   (`url` for a link, `mediaId` for the platform's own id), `mimeType`, `caption`, `fileName`, `size` (bytes).
 * - `location` — `latitude`, `longitude`, and a place's `name`/`address` when shared.
 * - `contact` — one or more contact cards.
 * - `interactive_reply` — the user pressed a button or picked a list row: `replyId` (the id the button was
 *   sent with) and its `title`.
 * - `reaction` — `emoji` on `targetMessageId`; an empty `emoji` means the reaction was removed.
 * - `command` — a slash or application command (`/start`, `/weather`): `command` without the slash, `text` the rest.
 * - `edit` — the user edited `targetMessageId`; `content` is the new content.
 * - `delete` — the user deleted `targetMessageId`.
 * - `unknown` — anything else; `raw` is the platform's object as received.
 */
export type MessageContent =
  | { type: 'text'; text: string }
  | { type: 'media'; kind: MediaKind; url?: string; mediaId?: string; mimeType?: string; caption?: string; fileName?: string; size?: number }
  | { type: 'location'; latitude: number; longitude: number; name?: string; address?: string }
  | { type: 'contact'; contacts: Array<{ name: string; phones?: string[]; emails?: string[] }> }
  | { type: 'interactive_reply'; replyId: string; title?: string }
  | { type: 'reaction'; emoji: string; targetMessageId: string }
  | { type: 'command'; command: string; text: string }
  | { type: 'edit'; targetMessageId: string; content: MessageContent }
  | { type: 'delete'; targetMessageId: string }
  | { type: 'unknown'; raw: unknown };

/** A button of an outbound interactive message: `id` comes back as `interactive_reply.replyId`. */
export interface OutboundButton {
  id: string;
  title: string;
}

/**
 * What only a send can carry, beside every {@link MessageContent}:
 * - `template` — a pre-approved template (WhatsApp): `name`, `language` (e.g. `en_US`), `components`.
 * - `interactive` — text with reply `buttons`, or a `list` of sections of rows to pick from.
 * - `typing` — a typing indicator (Telegram `sendChatAction`), no message.
 */
export type OutboundContent =
  | MessageContent
  | { type: 'template'; name: string; language: string; components?: unknown[] }
  | {
      type: 'interactive';
      text: string;
      header?: string;
      footer?: string;
      buttons?: OutboundButton[];
      list?: { button: string; sections: Array<{ title?: string; rows: Array<{ id: string; title: string; description?: string }> }> };
    }
  | { type: 'typing' };

/** A message received from a platform, in the same shape whatever the platform. */
export interface NormalizedMessage {
  /** The platform's id for this message. */
  id: string;
  /** The platform it came from, e.g. `whatsapp`, `telegram`, `generic`. */
  platform: string;
  /** The chat or conversation the message belongs to; replies go here (WhatsApp: the user's `wa_id`). */
  conversationId: string;
  /** The thread inside the conversation, when the platform has threads (Slack `thread_ts`). */
  threadId?: string;
  from: Participant;
  to?: Participant;
  /** When the platform says the message was sent, in milliseconds since the epoch. */
  timestamp: number;
  content: MessageContent;
  /** The platform id of the message this one answers, if any. */
  replyToId?: string;
  /** Platform-specific extras that do not fit the fields above. */
  metadata?: Record<string, unknown>;
}

/**
 * A message to send: the inbound shape without the fields the platform assigns. `threadId` answers in a
 * thread, `replyToId` answers (quotes) a message; `content` may also be an {@link OutboundContent}.
 */
export type OutboundMessage = Omit<NormalizedMessage, 'id' | 'from' | 'timestamp' | 'platform' | 'content'> &
  Partial<Pick<NormalizedMessage, 'id' | 'from' | 'timestamp' | 'platform'>> & { content: OutboundContent };

/** A delivery receipt's state: the platform accepted, delivered, showed, or gave up on a sent message. */
export type DeliveryStatus = 'sent' | 'delivered' | 'read' | 'failed';

/** A delivery receipt carried by a webhook (WhatsApp `statuses`): never a message. */
export interface NormalizedStatus {
  /** The platform's id of the sent message, as `SendResult.messageId` returned it. */
  messageId: string;
  status: DeliveryStatus;
  /** When the platform says the status changed, in milliseconds since the epoch. */
  timestamp: number;
  /** The conversation (recipient) of the message, when the platform says. */
  conversationId?: string;
  /** Why a `failed` message failed. */
  error?: { code?: string | number; message: string };
  /** Platform-specific extras (pricing, conversation category...). */
  metadata?: Record<string, unknown>;
}

/** What an integration's `sendMessage` returns once the platform accepted the message. */
export interface SendResult {
  /** The platform's id for the sent message. */
  messageId: string;
  /** Platform-specific extras (e.g. the raw response's interesting parts). */
  metadata?: Record<string, unknown>;
}

/** A webhook as the integration's hooks see it: verified raw bytes plus the parsed payload. */
export interface WebhookEvent<TPayload = unknown> {
  /** The integration service name, e.g. `generic`. */
  integration: string;
  channelId: string;
  /** From the channel's config, never from the request. */
  tenantId: string;
  /** Request headers, names lower-cased. */
  headers: Record<string, string>;
  query: Record<string, string>;
  /** The exact bytes the platform sent; signatures are computed over these. */
  rawBody: Buffer;
  /** The body parsed as JSON, after the signature was verified. */
  payload: TPayload;
  /** When the gateway received the request, in milliseconds since the epoch. */
  receivedAt: number;
}
