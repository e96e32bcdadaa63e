/** Webhook signature schemes and their helpers: pure functions over raw bytes and headers. */
export type { WebhookHeaders, SignatureInput, VerifyFailureReason, VerifyResult, SignParams, SignatureScheme } from './types';
export { constantTimeEqual } from './compare';
export { checkTimestamp, DEFAULT_TOLERANCE_SECONDS } from './timestamps';
export type { TimestampCheck, TimestampCheckOptions } from './timestamps';
export { hmacSignature } from './hmac';
export type { HmacAlgorithm, HmacEncoding, HmacSignatureOptions, SignedPayloadParts } from './hmac';
export { standardWebhooks, standardWebhooksKey, STANDARD_WEBHOOKS_HEADERS } from './standard-webhooks';
export type { StandardWebhooksOptions } from './standard-webhooks';
export { metaSignature } from './meta';
export { slackSignature } from './slack';
export type { SlackSignatureOptions } from './slack';
export { telegramSecretToken, TELEGRAM_SECRET_HEADER } from './telegram';
export { verifyOrThrow } from './verify-or-throw';
export type { VerifiedSignature } from './verify-or-throw';
export { isInternalAddress, checkOutboundUrl, guardedFetch } from './outbound-url';
export type { OutboundUrlPolicy, GuardedRequestInit } from './outbound-url';
export { createGuardedDispatcher, guardedDispatcher, guardedConnector, guardedLookup, URL_NOT_ALLOWED } from './guarded-dispatcher';
