/** The platform-neutral message shapes every integration produces and consumes. */

/** Someone who sends or receives a message on a platform. */
export interface Participant {
  /** The platform's id for the user, bot, phone number or channel. */
  id: string;
  name?: string;
}

export type MediaKind = 'image' | 'video' | 'audio' | 'voice' | 'document' | 'sticker';

/** What a message carries; `type` tells which. */
export type MessageContent =
  | { type: 'text'; text: string }
  | { type: 'media'; kind: MediaKind; url?: string; mediaId?: string; mimeType?: string; caption?: string; fileName?: string }
  | { type: 'location'; latitude: number; longitude: number; name?: string; address?: string }
  | { type: 'contact'; contacts: Array<{ name: string; phones?: string[]; emails?: string[] }> }
  | { type: 'interactive_reply'; replyId: string; title?: string }
  | { type: 'reaction'; emoji: string; targetMessageId: string }
  | { type: 'unknown'; raw: unknown };

/** A message received from a platform, in the same shape whatever the platform. */
export interface NormalizedMessage {
  /** The platform's id for this message. */
  id: string;
  /** The platform it came from, e.g. `whatsapp`, `telegram`, `generic`. */
  platform: string;
  /** The thread, chat or conversation the message belongs to; replies go here. */
  conversationId: string;
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

/** A message to send: the inbound shape without the fields the platform assigns. */
export type OutboundMessage = Omit<NormalizedMessage, 'id' | 'from' | 'timestamp' | 'platform'> &
  Partial<Pick<NormalizedMessage, 'id' | 'from' | 'timestamp' | 'platform'>>;

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
