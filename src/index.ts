/**
 * @switchboard/sdk — the main entry: the public names of DESIGN.md and what every team needs to write a
 * service or an integration. Everything else is behind a subpath, each a curated file in src/entries/:
 * `/gateway`, `/registry`, `/webhooks` (tenant webhooks), `/platforms`, `/channels`, `/integration`,
 * `/service`, `/security`, `/retry`, `/store`, `/config`, `/metrics`, `/testing`.
 */

// ── types ─────────────────────────────────────────────────────────────────────
export type {
  Participant, MediaKind, MessageContent, OutboundContent, OutboundButton, NormalizedMessage, NormalizedStatus, DeliveryStatus,
  OutboundMessage, SendResult, WebhookEvent,
  IntegrationCapability, IntegrationStatus, BaseSpec, ChannelStatus, IntegrationConfig,
  AppUser, AppMeta, PermissionHelpers, AppContext, SwitchboardRuntime,
} from './types';
export { RUNTIME_METADATA_KEY } from './types';

// ── errors (typed, extending Moleculer's) ────────────────────────────────────
export {
  ERROR_TYPES, ConfigError, BadRequestError, UnauthorizedError, SignatureError, ForbiddenError, NotFoundError,
  ConflictError, PayloadTooLargeError, UnsupportedMediaTypeError, RateLimitError, DatasourceError, PublishError,
  UnavailableError, UnsafeUrlError, PlatformError, TimeoutError, RetryExhaustedError, AmbiguousSendError, isErrorType,
  RequestTimeoutError, MethodNotAllowedError,
} from './errors';
export type { ErrorType } from './errors';

// ── factories ─────────────────────────────────────────────────────────────────
export { defineService } from './service/define-service';
export type { ServiceConfig, ServiceThis, HandlerContext } from './service/types';
export { Datasource } from './mixins/datasources';
export { defineIntegration } from './integration';
export type { IntegrationServiceConfig, IntegrationServiceSchema, IntegrationThis } from './integration';

// ── channels ──────────────────────────────────────────────────────────────────
export { NAMESPACE, INTEGRATION_CHANNELS, channelNames, CHANNEL_CONFIG } from './channels';
export type {
  ChannelNames, IntegrationMessageReceivedPayload, IntegrationMessageSentPayload, IntegrationMessageFailedPayload,
  IntegrationMessageStatusPayload, ChannelPayload,
} from './channels';

// ── helpers: retries, signature schemes, JSON-key filters ────────────────────
export { executeWithRetry, ensureOk } from './retry';
export type { RetryOptions } from './retry';
export {
  hmacSignature, standardWebhooks, metaSignature, slackSignature, telegramSecretToken, ed25519Signature, twilioSignature,
  noSignature, standardWebhooksPublicKey,
} from './security';
export type { SignatureScheme } from './security';
export { jsonKeyEquals, jsonKeyIn, jsonKeyExists, allOf, anyOf, noneOf, parseJsonKeyPath } from './filters';
export type { JsonKeyFilter } from './filters';

// ── platform factories ────────────────────────────────────────────────────────
export { whatsapp } from './platforms/whatsapp';
export type { WhatsAppOptions, WhatsAppChannel } from './platforms/whatsapp';
export { telegram } from './platforms/telegram';
export type { TelegramOptions, TelegramChannel } from './platforms/telegram';
export { slack } from './platforms/slack';
export type { SlackOptions } from './platforms/slack';
export { discord } from './platforms/discord';
export type { DiscordOptions } from './platforms/discord';

// ── runnable services as factories, and the broker configuration ─────────────
export { createGatewayService, createRegistryService, createWebhooksService } from './services';
export type { GatewayServiceOptions, RegistryServiceOptions } from './services';
export { createBrokerConfig } from './config';
export type { BrokerConfigOptions } from './config';
export { configOrExit } from './config/start-up';
