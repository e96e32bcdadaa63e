/** `@switchboard/sdk/integration`: the parts `defineIntegration` is built from — the inbound pipeline, outbound actions, pacing. */
export {
  defineIntegration, receiveWebhook, resolveInboundOptions, messageId, claimKey, slackUrlVerification, metaChallenge,
  DEFAULT_CHANNEL_CACHE_TTL_MS, DEFAULT_CLAIM_TTL_MS, DEFAULT_DONE_TTL_MS, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_JSON_DEPTH,
  DEFAULT_MAX_MESSAGES_PER_WEBHOOK,
} from '../integration';
export type {
  IntegrationServiceConfig, IntegrationServiceSchema, IntegrationThis, WebhookChallengeRequest, WebhookChallengeAnswer,
  CustomVerifyResult, ChannelHealth, CredentialsCheck, InboundOptions, ResolvedInboundOptions, InboundPipeline,
  ReceiveWebhookResult, ReceiveWebhookParams, InboundRequest, VerifyWebhookParams, MessageReceivedPayload, Publisher,
} from '../integration';
export {
  createOutboundActions, outboundMixin, DEFAULT_RATE_LIMITS, DEFAULT_RATE_LIMIT, DEFAULT_IDEMPOTENCY_TTL_MS,
  DEFAULT_IDEMPOTENCY_CLAIM_TTL_MS, DEFAULT_IDEMPOTENCY_WAIT_MS, DEFAULT_MAX_RATE_LIMIT_WAIT_MS, DEFAULT_CHECK_TIMEOUT_MS,
  DEFAULT_EVENT_PUBLISH_ATTEMPTS, DEFAULT_EVENT_RETRY_INTERVAL_MS, DEFAULT_QUEUE_MAX_IN_FLIGHT, DEFAULT_QUEUE_MAX_RETRIES,
  redriveDeadLetters,
} from '../integration/outbound';
export type {
  SendAttempt, SendOutcome, SendMessageParams, ValidateCredentialsParams, OutboundOptions, OutboundQueueOptions, RateLimit,
  OutboundCounters, RedriveOptions, RedriveResult,
} from '../integration/outbound';
export { DEFAULT_BODY_FORMATS, DEFAULT_MAX_FORM_FIELDS, DEFAULT_FORM_JSON_FIELDS, DEFAULT_ANSWER_TIMEOUT_MS } from '../integration';
export type { BodyFormat, StoredWebhook, WebhookAnswer, WebhookAnswerBody, WebhookRecording } from '../integration';
export { takeRateLimitTokens, rateLimitBuckets } from '../integration/outbound';
export type { TokenBucketLimit, RateLimitClock, ConversationRateLimit } from '../integration/outbound';
