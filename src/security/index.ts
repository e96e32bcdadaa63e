/** Webhook signature schemes and their helpers: pure functions over raw bytes and headers. */
export type { WebhookHeaders, SignatureInput, VerifyFailureReason, VerifyResult, SignParams, SignatureScheme, ChannelAuthentication } from './types';
export { constantTimeEqual } from './compare';
export { checkTimestamp, DEFAULT_TOLERANCE_SECONDS } from './timestamps';
export type { TimestampCheck, TimestampCheckOptions } from './timestamps';
export { hmacSignature } from './hmac';
export type { HmacAlgorithm, HmacEncoding, HmacSignatureOptions, SignedPayloadParts } from './hmac';
export {
  standardWebhooks, standardWebhooksKey, standardWebhooksPublicKey, STANDARD_WEBHOOKS_HEADERS, SVIX_HEADERS,
  STANDARD_WEBHOOKS_SECRET_PREFIX, STANDARD_WEBHOOKS_PUBLIC_KEY_PREFIX, STANDARD_WEBHOOKS_PRIVATE_KEY_PREFIX,
} from './standard-webhooks';
export type { StandardWebhooksOptions } from './standard-webhooks';
export { metaSignature } from './meta';
export { slackSignature } from './slack';
export type { SlackSignatureOptions } from './slack';
export { telegramSecretToken, TELEGRAM_SECRET_HEADER } from './telegram';
export { ed25519Signature, ed25519PublicKey, ed25519PrivateKey, ed25519Sign, ed25519Verify, ed25519RawPublicKey } from './ed25519';
export type { Ed25519SignatureOptions } from './ed25519';
export { twilioSignature, twilioSignedText, TWILIO_SIGNATURE_HEADER } from './twilio';
export { noSignature } from './none';
export { formPairs } from './form';
export { addressList, clientAddress, parseCidr, normalizeAddress, splitAddressList } from './sources';
export type { AddressList } from './sources';
export { verifyOrThrow } from './verify-or-throw';
export type { VerifiedSignature } from './verify-or-throw';
export { isInternalAddress, checkOutboundUrl, guardedFetch, guardedRequest } from './outbound-url';
export type { OutboundUrlPolicy, GuardedRequestInit } from './outbound-url';
export { createGuardedDispatcher, guardedDispatcher, guardedConnector, guardedLookup, URL_NOT_ALLOWED } from './guarded-dispatcher';
