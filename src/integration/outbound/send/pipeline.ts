/** What a send is given and answers: the pipeline (the integration's hooks bound to its service, the store, the publisher, options), the request, the outcome. */
import type { KeyValueStore } from '../../../store';
import type { IntegrationConfig, OutboundMessage, SendResult } from '../../../types';
import type { OutboundCounters } from '../counters';
import type { EventOutbox, EventPublisher, OutboxLogger } from '../events';
import type { ResolvedOutboundOptions } from '../options';

/** What one attempt of `sendMessage` is told: pass `signal` to `fetch`, `idempotencyKey` to the platform. */
export interface SendAttempt {
  /** 1 for the first attempt. */
  attempt: number;
  /** Fires at the attempt's timeout. */
  signal: AbortSignal;
  /** The same on every attempt of one send: the caller's key, or one generated for this send. */
  idempotencyKey: string;
}

/** What a send needs: the integration's hooks bound to its service, the store, the publisher and options. */
export interface SendPipeline {
  integration: string;
  platform: string;
  /** `<ns>.processing.message.sent` and `.failed`. */
  channels: { sent: string; failed: string };
  lookupChannel(channelId: string): Promise<IntegrationConfig | null>;
  store: KeyValueStore;
  transform?: (message: OutboundMessage, channel: IntegrationConfig) => OutboundMessage | Promise<OutboundMessage>;
  send(message: OutboundMessage, channel: IntegrationConfig, attempt: SendAttempt): Promise<SendResult>;
  publish: EventPublisher;
  outbox: EventOutbox;
  logger: OutboxLogger;
  options: ResolvedOutboundOptions;
  counters: OutboundCounters;
}

/** `i_sendMessage` params (and a queued send's payload). */
export interface SendRequest {
  channelId: string;
  message: OutboundMessage;
  /** The same key within its TTL sends once; later calls get the first result. */
  idempotencyKey?: string;
  /** The caller's tenant; when set it must own the channel (403). */
  tenantId?: string;
}

/** What `i_sendMessage` answers. */
export interface SendOutcome {
  integration: string;
  channelId: string;
  /** The platform's id for the sent message. */
  messageId: string;
  metadata?: Record<string, unknown>;
  /** Attempts the send took (of the first send, for a duplicate). */
  attempts: number;
  /** True when answered from the idempotency key's first result, without sending. */
  duplicate: boolean;
  idempotencyKey?: string;
}

/** The platform's answer as a send reports it. */
export interface SentMessage {
  messageId: string;
  metadata?: Record<string, unknown>;
  attempts: number;
}
