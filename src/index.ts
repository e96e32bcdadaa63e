/**
 * @switchboard/sdk — the only public entry. Every export is named here on purpose;
 * nothing is public by accident. Services import the SDK only through this file.
 */

// ── types ─────────────────────────────────────────────────────────────────────
export type {
  Participant, MediaKind, MessageContent, OutboundContent, OutboundButton, NormalizedMessage, NormalizedStatus, DeliveryStatus,
  OutboundMessage, SendResult, WebhookEvent,
  IntegrationCapability, IntegrationStatus, BaseSpec, ChannelStatus, IntegrationConfig,
  AppUser, AppMeta, PermissionHelpers, AppContext, SwitchboardRuntime,
} from './types';
export { RUNTIME_METADATA_KEY } from './types';

// ── errors ────────────────────────────────────────────────────────────────────
export {
  ERROR_TYPES, ConfigError, BadRequestError, UnauthorizedError, SignatureError, ForbiddenError, NotFoundError,
  ConflictError, PayloadTooLargeError, UnsupportedMediaTypeError, RateLimitError, DatasourceError, PublishError,
  UnavailableError, UnsafeUrlError, PlatformError, TimeoutError, RetryExhaustedError, AmbiguousSendError, isErrorType,
} from './errors';
export type { ErrorType } from './errors';

// ── config (broker options from the environment) ─────────────────────────────
export { createBrokerConfig, readEnv, ENV_VARIABLES, DEFAULT_PORT, DEFAULT_NAMESPACE, LOG_LEVELS } from './config';
export type { BrokerConfigOptions, SwitchboardEnv, LogLevel } from './config';

// ── store (Redis or in-memory key-value state) ───────────────────────────────
export { createStore, MemoryStore, RedisStore, acquireStore, releaseStore, runtimeOf } from './store';
export type { KeyValueStore, TokenBucketOptions, TokenBucketResult, CreateStoreOptions, MemoryStoreOptions, RedisStoreOptions } from './store';

// ── security (signatures, timestamps) ────────────────────────────────────────
export {
  hmacSignature, standardWebhooks, metaSignature, slackSignature, telegramSecretToken, verifyOrThrow,
  checkTimestamp, constantTimeEqual, standardWebhooksKey, DEFAULT_TOLERANCE_SECONDS, STANDARD_WEBHOOKS_HEADERS,
  TELEGRAM_SECRET_HEADER, isInternalAddress, checkOutboundUrl, guardedFetch,
} from './security';
export type {
  SignatureScheme, SignatureInput, SignParams, VerifyResult, VerifyFailureReason, VerifiedSignature, WebhookHeaders,
  HmacSignatureOptions, HmacAlgorithm, HmacEncoding, SignedPayloadParts, StandardWebhooksOptions, SlackSignatureOptions,
  TimestampCheck, TimestampCheckOptions, OutboundUrlPolicy,
} from './security';

// ── retry ─────────────────────────────────────────────────────────────────────
export {
  executeWithRetry, describeError, resolveRetryOptions, backoffDelay, classifyFailure, statusOf, networkCodeOf,
  parseRetryAfter, retryAfterFromError, telegramRetryAfter, ensureOk, MAX_ERROR_BODY_CHARS,
  DEFAULT_MAX_ATTEMPTS, DEFAULT_INITIAL_DELAY_MS, DEFAULT_MULTIPLIER, DEFAULT_MAX_DELAY_MS, DEFAULT_JITTER,
  DEFAULT_ATTEMPT_TIMEOUT_MS, DEFAULT_MAX_RETRY_AFTER_MS,
} from './retry';
export type { RetryOptions, ResolvedRetryOptions, AttemptContext, RetryEvent, BackoffParams, FailureKind } from './retry';

// ── filters ───────────────────────────────────────────────────────────────────
export { jsonKeyEquals, jsonKeyIn, jsonKeyExists, allOf, anyOf, noneOf, parseJsonKeyPath } from './filters';
export type { JsonKeyFilter } from './filters';

// ── channels ──────────────────────────────────────────────────────────────────
export {
  NAMESPACE, INTEGRATION_CHANNELS, channelNames, deadLetterChannel, CHANNEL_CONFIG, createChannelsMiddleware,
  JetStreamAdapter, MemoryAdapter, retryDelay, DEAD_LETTER_HEADERS, parseDeadLetterError,
  DEFAULT_MAX_AGE_MS, DEFAULT_MAX_MSGS, DEFAULT_MAX_BYTES, DEFAULT_DUPLICATE_WINDOW_MS, DEFAULT_STORAGE,
  DEFAULT_MAX_IN_FLIGHT, DEFAULT_MAX_RETRIES, DEFAULT_ACK_WAIT_MS, DEFAULT_RETRY_INITIAL_DELAY_MS,
  DEFAULT_RETRY_MULTIPLIER, DEFAULT_RETRY_MAX_DELAY_MS, DEFAULT_RETRY_JITTER, DEFAULT_DEAD_LETTER_ATTEMPTS,
  DEFAULT_PUBLISH_TIMEOUT_MS,
} from './channels';
export type {
  ChannelNames, IntegrationMessageReceivedPayload, IntegrationMessageSentPayload, IntegrationMessageFailedPayload,
  IntegrationMessageStatusPayload, ChannelPayload,
  OutboundSendPayload, ChannelErrorInfo, StreamOptions, RetryBackoffOptions, DeadLetteringOptions,
  ChannelConsumerOptions, ChannelDefinition, ChannelPublishOptions, PublishAck, DeadLetterError,
  JetStreamAdapterOptions, NatsEndpointOptions, MemoryAdapterOptions, MemoryDelivery, ChannelsMiddlewareOptions,
  ChannelsMiddleware,
} from './channels';

// ── channels: shared failure counts and provisioning errors (issue 12) ────────
export {
  ProvisionError, ProvisionErrorReason, isProvisionError, isStreamConflict, isConsumerConflict, isRetryableProvisioning,
  DEFAULT_FAILURE_COUNTS, DEFAULT_FAILURE_COUNT_TTL_MS, failureBucketName,
} from './channels';
export type { FailureCountsMode } from './channels';

// ── mixins and defineService ──────────────────────────────────────────────────
export { defineService, SDK_ONLY_KEYS } from './service/define-service';
export { Datasource } from './mixins/datasources';
export { DEFAULT_MEMOIZE_TTL_SECONDS, DEFAULT_MEMOIZE_CACHE_TIMEOUT_MS, MEMOIZE_KEY_PREFIX } from './mixins/memoize';
export { WILDCARD_PERMISSION, hasRole, hasPermission, permissionHelpers } from './mixins/permissions';
export type {
  DatasourceHost, DatasourceHooks, DatasourceClass, DatasourceRegistry, DatasourceInstances,
} from './mixins/datasources';
export type { MemoizeOptions, MethodMemoizeOptions, ActionMemoizeOptions, MemoizeApi } from './mixins/memoize';
export type {
  ServiceConfig, ServiceThis, HandlerContext, ActionConfig, ActionFunction, EventConfig, EventFunction,
  ChannelConfig, ChannelContext, RawChannelMessage, MethodsConfig, MemoizeMethodsConfig, ServiceHooksConfig,
} from './service/types';
export type { InferParams, InferRule } from './service/params';

// ── integration (defineIntegration) ───────────────────────────────────────────
export {
  defineIntegration, receiveWebhook, resolveInboundOptions, messageId, claimKey, slackUrlVerification, metaChallenge,
  DEFAULT_CHANNEL_CACHE_TTL_MS, DEFAULT_CLAIM_TTL_MS, DEFAULT_DONE_TTL_MS, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_JSON_DEPTH,
  DEFAULT_MAX_MESSAGES_PER_WEBHOOK,
} from './integration';
export type {
  IntegrationServiceConfig, IntegrationServiceSchema, IntegrationThis, WebhookChallengeRequest, WebhookChallengeAnswer,
  CustomVerifyResult, ChannelHealth, CredentialsCheck, InboundOptions, ResolvedInboundOptions, InboundPipeline,
  ReceiveWebhookResult, ReceiveWebhookParams, InboundRequest, VerifyWebhookParams, MessageReceivedPayload, Publisher,
} from './integration';
// outbound (i_sendMessage and friends)
export {
  createOutboundActions, outboundMixin, DEFAULT_RATE_LIMITS, DEFAULT_RATE_LIMIT, DEFAULT_IDEMPOTENCY_TTL_MS,
  DEFAULT_IDEMPOTENCY_CLAIM_TTL_MS, DEFAULT_IDEMPOTENCY_WAIT_MS, DEFAULT_MAX_RATE_LIMIT_WAIT_MS, DEFAULT_CHECK_TIMEOUT_MS,
  DEFAULT_EVENT_PUBLISH_ATTEMPTS, DEFAULT_EVENT_RETRY_INTERVAL_MS, DEFAULT_QUEUE_MAX_IN_FLIGHT, DEFAULT_QUEUE_MAX_RETRIES,
  redriveDeadLetters,
} from './integration/outbound';
export type {
  SendAttempt, SendOutcome, SendMessageParams, ValidateCredentialsParams, OutboundOptions, OutboundQueueOptions, RateLimit,
  OutboundCounters, RedriveOptions, RedriveResult,
} from './integration/outbound';
// channel registry (default getChannelConfig, operator API CRUD)
export {
  ChannelRegistry, channelRegistry, channelRegistryActions, generateSecret, parseChannelsSource, seedChannels, redactChannel,
  DEFAULT_ROTATION_GRACE_SECONDS, CHANNEL_CHANGED_EVENT,
} from './registry';
export type {
  ChannelRegistryOptions, SeedOptions, ChannelRecord, StoredSecret, ChannelInput, ChannelUpdate, RedactedChannel,
  RotateSecretOptions, RotateSecretResult, ChannelChangedPayload,
} from './registry';

// ── gateway (moleculer-web routes) ────────────────────────────────────────────
export { healthReport, webhookRoutes, DEFAULT_WEBHOOK_PATH, DEFAULT_WEBHOOK_CONTENT_TYPES, DEFAULT_WEBHOOK_TIMEOUT_MS, WEBHOOK_ACTIONS, errorBody, sendJsonError } from './gateway';
export type { HealthReport, ComponentStatus, WebhookRoutesOptions, ErrorBody } from './gateway';
export {
  operatorApiRoutes, operatorRouteSpecs, apiErrorBody, operatorOpenApi, parseApiKeys, authenticateApiKey, MIN_API_KEY_LENGTH,
  DEFAULT_API_PATH, DEFAULT_API_MAX_BODY_BYTES, DEFAULT_API_TIMEOUT_MS, DEFAULT_REGISTRY_SERVICE,
} from './gateway';
export type { OperatorApiOptions, OpenApiOptions, ApiKey, ApiPrincipal } from './gateway';

// ── outbound SSRF guard at connect time (harden-inbound) ──────────────────────
export { createGuardedDispatcher, URL_NOT_ALLOWED } from './security';
// ── tenant webhooks: subscriptions (store, actions, static ones) and the operator API's routes for them ──
export {
  SubscriptionStore, subscriptionStore, disableSubscription, subscriptionActions, subscriptionsMixin, parseSubscriptionsSource,
  seedSubscriptions, publishSubscriptionDisabled, subscriptionDisabledChannel, generateSubscriptionSecret, checkSubscriptionSecret,
  checkSubscriptionFilter, compileSubscriptionFilter, checkSubscriptionUrl, SubscriptionLimitError, SUBSCRIPTION_EVENT_TYPES,
  DEFAULT_MAX_SUBSCRIPTIONS_PER_TENANT, DEFAULT_SUBSCRIPTION_GRACE_SECONDS, SUBSCRIPTION_CHANGED_EVENT,
} from './webhooks-out/subscriptions';
export type {
  SubscriptionStoreOptions, SubscriptionChange, BrokerSubscriptionStoreOptions, SubscriptionActionsOptions, SubscriptionsMixinOptions,
  SubscriptionInput, SubscriptionUpdate, StaticSubscriptionInput, RotateSubscriptionSecretOptions, CreatedSubscription,
  RotatedSubscriptionSecret, SubscriptionChangedPayload,
} from './webhooks-out/subscriptions';
export { subscriptionRouteSpecs } from './gateway';
// ── gateway hardening (issue 8): HTTP server mixin, start-up readiness, deadlines, HOST ──
export {
  gatewayMixin, clientErrorBody, trackReadiness, discoveryPendingMs, DEFAULT_DISCOVERY_GRACE_MS, DEFAULT_BODY_TIMEOUT_MS,
  DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_CONNECTIONS_CHECK_MS, ROUTED_METHODS,
} from './gateway';
export type { GatewayMixinSettings, HealthOptions } from './gateway';
export { DEFAULT_NATS_PROBE_TIMEOUT_MS, DEFAULT_NATS_PROBE_CACHE_MS } from './gateway';
export { DEFAULT_MEMORY_HOST, DEFAULT_CLUSTER_HOST } from './config';
export { RequestTimeoutError, MethodNotAllowedError } from './errors';
// ── front door (issue 11): more schemes, body formats, channel access, answers after storage, webhook VCR ──
export {
  ed25519Signature, twilioSignature, noSignature, standardWebhooksPublicKey, SVIX_HEADERS, TWILIO_SIGNATURE_HEADER,
  STANDARD_WEBHOOKS_SECRET_PREFIX, STANDARD_WEBHOOKS_PUBLIC_KEY_PREFIX, STANDARD_WEBHOOKS_PRIVATE_KEY_PREFIX,
} from './security';
export type { Ed25519SignatureOptions, ChannelAuthentication } from './security';
export { DEFAULT_BODY_FORMATS, DEFAULT_MAX_FORM_FIELDS, DEFAULT_FORM_JSON_FIELDS, DEFAULT_ANSWER_TIMEOUT_MS } from './integration';
export type { BodyFormat, StoredWebhook, WebhookAnswer, WebhookAnswerBody, WebhookRecording } from './integration';
export { frontDoorSettingsProblem, MAX_ALLOWED_SOURCES } from './registry';
export type { FrontDoorSettings, BasicAuthSettings, InboundRateLimitSettings } from './registry';
// testing helpers (no package subpath exports yet: `@switchboard/sdk/testing` is this block until then)
export { replayWebhook, schemeOfRecording } from './testing';
export type { ReplayOptions, ReplayResult } from './testing';
// ── platforms: Slack ──────────────────────────────────────────────────────────
export { slack, SLACK_API_BASE } from './platforms/slack';
export type { SlackOptions, SlackIntegrationConfig, SlackPayload } from './platforms/slack';
// ── platforms: Discord ────────────────────────────────────────────────────────
export { discord, DISCORD_API_BASE } from './platforms/discord';
export type { DiscordOptions, DiscordIntegrationConfig, DiscordInteraction } from './platforms/discord';

// ── operations (issue 13, ops): metrics, tracing, start-up messages, Redis Sentinel ──
export {
  createMetricsMiddleware, SWITCHBOARD_METRICS, DEFAULT_LATENCY_BUCKETS, DEFAULT_SAMPLE_INTERVAL_MS, registerSwitchboardMetrics,
  sampleConsumers, switchboardSpanTags, tracingOptions, createTracingMiddleware,
} from './metrics';
export type { MetricsMiddlewareOptions } from './metrics';
export { configOrExit, explainNatsStartError } from './config/start-up';
export { OPS_ENV_VARIABLES, TRACING_EXPORTERS, readOpsEnv } from './config/ops-env';
export type { OpsEnv, TracingExporterName } from './config/ops-env';
export { parseSentinelUrl, isSentinelUrl, redisConnection } from './store/redis-url';
// ── platforms: WhatsApp Cloud API ─────────────────────────────────────────────
export {
  whatsapp, WindowClosedError, WINDOW_CLOSED, WHATSAPP_RATE_LIMIT, WHATSAPP_DONE_TTL_MS, WHATSAPP_PAIR_RATE_LIMIT, WHATSAPP_WINDOW_MS, WHATSAPP_SPEC,
  DEFAULT_WHATSAPP_API_BASE_URL, DEFAULT_WHATSAPP_API_VERSION, normalizeWhatsApp, whatsappStatuses, graphMessageBody,
} from './platforms/whatsapp';
export type {
  WhatsAppOptions, WhatsAppChannel, WhatsAppCredentials, WhatsAppSettings, WhatsAppTemplate, WhatsAppWebhookBody,
  WhatsAppMessage, WhatsAppStatus,
} from './platforms/whatsapp';
// ── platforms: Telegram ───────────────────────────────────────────────────────
export {
  telegram, telegramPollingOf, TelegramApiError, callBotApi, normalizeUpdate, toBotApiRequest, sendTelegramMessage,
  setTelegramWebhook, deleteTelegramWebhook, answerCallbackQuery, telegramErrorReason, TELEGRAM_ALLOWED_UPDATES,
  DEFAULT_TELEGRAM_API_BASE_URL, DEFAULT_POLL_TIMEOUT_SECONDS, DEFAULT_POLL_LEASE_TTL_MS, DEFAULT_TELEGRAM_MAX_RATE_LIMIT_WAIT_MS,
  TELEGRAM_GROUP_RATE_LIMIT, telegramConversationRateLimit,
} from './platforms/telegram';
export type {
  TelegramOptions, TelegramPollingOptions, TelegramUpdate, TelegramChannel, TelegramCredentials, TelegramSettings,
  SetWebhookOptions, CallbackAnswer, BotApiRequest,
} from './platforms/telegram';
export { takeRateLimitTokens, rateLimitBuckets } from './integration/outbound';
export type { TokenBucketLimit, RateLimitClock, ConversationRateLimit } from './integration/outbound';
export type { TokenBucket } from './store';
// ── tenant webhooks: delivery (fan-out, signed attempts, retries, ordering, history) ──
export {
  deliveryMixin, deliveryRuntime, deliveryActions, TEST_EVENT_TYPE, MAX_RECOVER,
  DEFAULT_RETRY_SCHEDULE_MS, DEFAULT_DELIVERY_JITTER, DEFAULT_ATTEMPT_DEADLINE_MS, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_RECORDED_BODY_BYTES,
  DEFAULT_DISABLE_AFTER_FAILING_MS, DEFAULT_RETRY_AFTER_MIN_MS, DEFAULT_RETRY_AFTER_MAX_MS, DEFAULT_DELIVERY_CONCURRENCY,
  resolveDeliveryOptions, deliverChannel, deliveryIdFor,
} from './webhooks-out/delivery';
export type { DeliveryMixinOptions, DeliveryOptions, ResolvedDeliveryOptions, DeliveryJob, DeliveryRuntime } from './webhooks-out/delivery';
export { createHistoryStore, RedisHistory, MemoryHistory, DEFAULT_HISTORY_RETENTION_MS } from './webhooks-out/history';
export type { HistoryStore, StoredDelivery, RedisHistoryOptions, HistoryStoreOptions } from './webhooks-out/history';
