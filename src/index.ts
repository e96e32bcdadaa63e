/**
 * @switchboard/sdk — the only public entry. Every export is named here on purpose;
 * nothing is public by accident. Services import the SDK only through this file.
 */

// ── types ─────────────────────────────────────────────────────────────────────
export type {
  Participant, MediaKind, MessageContent, NormalizedMessage, OutboundMessage, SendResult, WebhookEvent,
  IntegrationCapability, IntegrationStatus, BaseSpec, ChannelStatus, IntegrationConfig,
  AppUser, AppMeta, PermissionHelpers, AppContext,
} from './types';

// ── errors ────────────────────────────────────────────────────────────────────
export {
  ERROR_TYPES, ConfigError, BadRequestError, UnauthorizedError, SignatureError, ForbiddenError, NotFoundError,
  ConflictError, PayloadTooLargeError, UnsupportedMediaTypeError, RateLimitError, DatasourceError, PublishError,
  UnavailableError, isErrorType,
} from './errors';
export type { ErrorType } from './errors';

// ── config (broker options from the environment) ─────────────────────────────

// ── store (Redis or in-memory key-value state) ───────────────────────────────

// ── security (signatures, timestamps) ────────────────────────────────────────

// ── retry ─────────────────────────────────────────────────────────────────────

// ── filters ───────────────────────────────────────────────────────────────────

// ── channels ──────────────────────────────────────────────────────────────────

// ── mixins and defineService ──────────────────────────────────────────────────

// ── integration (defineIntegration) ───────────────────────────────────────────

// ── gateway (moleculer-web routes) ────────────────────────────────────────────
