/** `@switchboard/sdk/channels`: JetStream and in-memory channel adapters, the channels middleware, streams, dead letters, provisioning errors. */
export {
  NAMESPACE, INTEGRATION_CHANNELS, channelNames, deadLetterChannel, CHANNEL_CONFIG, createChannelsMiddleware,
  JetStreamAdapter, MemoryAdapter, retryDelay, DEAD_LETTER_HEADERS, parseDeadLetterError,
  DEFAULT_MAX_AGE_MS, DEFAULT_MAX_MSGS, DEFAULT_MAX_BYTES, DEFAULT_DUPLICATE_WINDOW_MS, DEFAULT_STORAGE,
  DEFAULT_MAX_IN_FLIGHT, DEFAULT_MAX_RETRIES, DEFAULT_ACK_WAIT_MS, DEFAULT_RETRY_INITIAL_DELAY_MS,
  DEFAULT_RETRY_MULTIPLIER, DEFAULT_RETRY_MAX_DELAY_MS, DEFAULT_RETRY_JITTER, DEFAULT_DEAD_LETTER_ATTEMPTS,
  DEFAULT_PUBLISH_TIMEOUT_MS,
} from '../channels';
export type {
  ChannelNames, IntegrationMessageReceivedPayload, IntegrationMessageSentPayload, IntegrationMessageFailedPayload,
  IntegrationMessageStatusPayload, ChannelPayload,
  OutboundSendPayload, ChannelErrorInfo, StreamOptions, RetryBackoffOptions, DeadLetteringOptions,
  ChannelConsumerOptions, ChannelDefinition, ChannelPublishOptions, PublishAck, DeadLetterError,
  JetStreamAdapterOptions, NatsEndpointOptions, MemoryAdapterOptions, MemoryDelivery, ChannelsMiddlewareOptions,
  ChannelsMiddleware,
} from '../channels';
export {
  ProvisionError, ProvisionErrorReason, isProvisionError, isStreamConflict, isConsumerConflict, isRetryableProvisioning,
  DEFAULT_FAILURE_COUNTS, DEFAULT_FAILURE_COUNT_TTL_MS, failureBucketName,
} from '../channels';
export type { FailureCountsMode } from '../channels';
export { redriveDeadLetters } from '../integration/outbound';
export type { RedriveOptions, RedriveResult } from '../integration/outbound';
