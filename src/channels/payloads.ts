/** Typed payloads of the SDK's channels (`INTEGRATION_CHANNELS`). */
import type { DeliveryStatus, NormalizedMessage, OutboundMessage } from '../types';

/** On `<ns>.processing.message.received`: one normalized inbound message. */
export interface IntegrationMessageReceivedPayload {
  tenantId: string;
  channelId: string;
  /** The integration service name, e.g. `whatsapp`. */
  integration: string;
  /** The platform the message came from (`message.platform`), as @hiliosai/sdk named it. */
  platform: string;
  message: NormalizedMessage;
  /** The platform's event (delivery) id the message came with; the idempotency key. */
  eventId: string;
  /** Position of the message within its webhook event (an event may carry several). */
  index?: number;
  /** When the platform says the message was sent (`message.timestamp`), ms since the epoch, as @hiliosai/sdk named it. */
  timestamp: number;
  /** When the gateway received the webhook, in milliseconds since the epoch. */
  receivedAt: number;
}

/**
 * On `<ns>.processing.message.status`: a delivery receipt of a sent message (never a message).
 * De-duplicated per (message id, status): "delivered" and "read" of one message are two events.
 */
export interface IntegrationMessageStatusPayload {
  tenantId: string;
  channelId: string;
  integration: string;
  platform: string;
  /** The platform's id of the sent message, as the send returned it (`message.sent`'s `messageId`). */
  messageId: string;
  status: DeliveryStatus;
  /** Why a `failed` message failed, as the platform said. */
  error?: { code?: string | number; message: string };
  /** When the platform says the status changed, ms since the epoch. */
  timestamp: number;
  /** The recipient's conversation, when the platform says. */
  conversationId?: string;
  /** The webhook event the receipt came with. */
  eventId?: string;
  /** When the gateway received the webhook, ms since the epoch. */
  receivedAt?: number;
}

/** On `<ns>.processing.message.sent`: the platform accepted a message. */
export interface IntegrationMessageSentPayload {
  tenantId: string;
  channelId: string;
  integration: string;
  /** The platform's id for the sent message. */
  messageId: string;
  message: OutboundMessage;
  metadata?: Record<string, unknown>;
  /** How many attempts the send took (1 = first try). */
  attempts: number;
  idempotencyKey?: string;
  sentAt?: number;
}

/** The error that ended a send, as plain fields (it crossed a process boundary). */
export interface ChannelErrorInfo {
  name: string;
  message: string;
  code?: number | string;
  type?: string;
  retryable?: boolean;
}

/** On `<ns>.processing.message.failed`: a send failed for good. */
export interface IntegrationMessageFailedPayload {
  tenantId: string;
  channelId: string;
  integration: string;
  message: OutboundMessage;
  error: ChannelErrorInfo;
  /** How many retries were made after the first attempt. */
  retryCount: number;
  idempotencyKey?: string;
  failedAt?: number;
}

/** On `<ns>.outbound.send`: a queued send request (same shape as the `i_sendMessage` params). */
export interface OutboundSendPayload {
  /** The integration service that sends it, e.g. `telegram`. */
  integration: string;
  channelId: string;
  message: OutboundMessage;
  idempotencyKey?: string;
}

/**
 * The payload type of a channel, from its name: `<ns>.processing.message.received` →
 * {@link IntegrationMessageReceivedPayload}, `.sent`, `.failed`, `.status`, `<ns>.outbound.send`; any other
 * name → `Record<string, unknown>`. `defineService` types `ctx.params` of a channel handler with it.
 */
export type ChannelPayload<K extends PropertyKey> =
  K extends `${string}.processing.message.received` ? IntegrationMessageReceivedPayload
    : K extends `${string}.processing.message.sent` ? IntegrationMessageSentPayload
      : K extends `${string}.processing.message.failed` ? IntegrationMessageFailedPayload
        : K extends `${string}.processing.message.status` ? IntegrationMessageStatusPayload
          : K extends `${string}.outbound.send` ? OutboundSendPayload
            : Record<string, unknown>;
