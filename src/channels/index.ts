/** Channels: names, payload types, options and presets, the JetStream and in-memory adapters, and the middleware factory. */
import './augment';

export { NAMESPACE, INTEGRATION_CHANNELS, channelNames, deadLetterChannel, streamNameFor, durableNameFor, isValidChannelName } from './names';
export type { ChannelNames } from './names';
export type {
  IntegrationMessageReceivedPayload, IntegrationMessageSentPayload, IntegrationMessageFailedPayload,
  IntegrationMessageStatusPayload, OutboundSendPayload, ChannelErrorInfo, ChannelPayload,
} from './payloads';
export {
  CHANNEL_CONFIG,
  DEFAULT_MAX_AGE_MS, DEFAULT_MAX_MSGS, DEFAULT_MAX_BYTES, DEFAULT_DUPLICATE_WINDOW_MS, DEFAULT_STORAGE, DEFAULT_REPLICAS,
  DEFAULT_DISCARD, DEFAULT_MAX_IN_FLIGHT, DEFAULT_MAX_RETRIES, DEFAULT_ACK_WAIT_MS, DEFAULT_RETRY_INITIAL_DELAY_MS,
  DEFAULT_RETRY_MULTIPLIER, DEFAULT_RETRY_MAX_DELAY_MS, DEFAULT_RETRY_JITTER, DEFAULT_DEAD_LETTER_ATTEMPTS,
  DEFAULT_DEAD_LETTERING_ENABLED, DEFAULT_MAX_ACK_PENDING, DEFAULT_PUBLISH_TIMEOUT_MS, DEFAULT_PULL_EXPIRES_MS,
  DEFAULT_PULL_HEARTBEAT_MS, DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_RECONNECT_WAIT_MS, DEFAULT_FAILURE_COUNTS, DEFAULT_FAILURE_COUNT_TTL_MS,
  resolveConsumerOptions, resolveStreamOptions, resolveBackoff,
} from './options';
export type {
  StreamOptions, RetryBackoffOptions, DeadLetteringOptions, ChannelConsumerOptions, ChannelDefinition,
  ChannelPublishOptions, PublishAck, StreamStorage, StreamDiscard, ResolvedConsumerOptions, ResolvedStreamOptions, ResolvedBackoff,
  FailureCountsMode,
} from './options';
export { retryDelay } from './backoff';
export { DEAD_LETTER_HEADERS, errorHeaders, parseDeadLetterError, encodeHeaderValue, decodeHeaderValue } from './headers';
export type { DeadLetterError } from './headers';
export { JetStreamAdapter } from './jetstream/adapter';
export type { JetStreamAdapterOptions, NatsEndpointOptions } from './jetstream/adapter';
export { MemoryAdapter } from './memory-adapter';
export type { MemoryAdapterOptions, MemoryDelivery } from './memory-adapter';
export { Delivery } from './jetstream/delivery';
export type { DeliveryInfo } from './jetstream/delivery';
export {
  ProvisionError, ProvisionErrorReason, isProvisionError, isStreamConflict, isConsumerConflict, isRetryableProvisioning,
} from './jetstream/errors';
export { failureBucketName } from './jetstream/provision';
export { createChannelsMiddleware } from './middleware';
export type { ChannelsMiddlewareOptions, ChannelsMiddleware } from './middleware';
