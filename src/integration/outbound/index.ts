/** The outbound side of an integration: the send pipeline's steps, options, the standard actions and the queued-send consumer. */
export { createOutboundActions } from './actions';
export { outboundMixin } from '../runtime/mixin';
export type { SendMessageParams, ChannelParams, ValidateCredentialsParams } from './actions';
export { sendMessage } from './send-message';
export type { SendAttempt, SendRequest, SendOutcome, SendPipeline } from './send-message';
export {
  resolveOutboundOptions, DEFAULT_IDEMPOTENCY_TTL_MS, DEFAULT_IDEMPOTENCY_CLAIM_TTL_MS, DEFAULT_IDEMPOTENCY_WAIT_MS,
  DEFAULT_MAX_RATE_LIMIT_WAIT_MS, DEFAULT_CHECK_TIMEOUT_MS, DEFAULT_EVENT_PUBLISH_ATTEMPTS, DEFAULT_EVENT_RETRY_INTERVAL_MS,
  DEFAULT_QUEUE_MAX_IN_FLIGHT, DEFAULT_QUEUE_MAX_RETRIES,
} from './options';
export type { OutboundOptions, OutboundQueueOptions, ResolvedOutboundOptions } from './options';
export {
  DEFAULT_RATE_LIMITS, DEFAULT_RATE_LIMIT, rateLimitFor, takeRateLimitToken, takeRateLimitTokens, rateLimitBuckets, rateLimitKey,
  conversationRateLimitKey,
} from './rate-limit';
export type { RateLimit, TokenBucketLimit, RateLimitClock, ConversationRateLimit } from './rate-limit';
export { withIdempotency, idempotencyStoreKey } from './idempotency';
export type { RememberedOutcome, IdempotencyOptions } from './idempotency';
export { EventOutbox, publishEvent } from './events';
export type { EventPublisher } from './events';
export { scrubSecrets } from './scrub';
export { queueConsumer } from './queue';
export type { OutboundCounters } from './counters';
export { redriveDeadLetters } from './redrive';
export type { RedriveOptions, RedriveResult } from './redrive';
