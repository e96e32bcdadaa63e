/** `@switchboard/sdk/security`: signature schemes and their parts, timestamps, constant-time compare, the outbound URL guard. */
export {
  hmacSignature, standardWebhooks, metaSignature, slackSignature, telegramSecretToken, verifyOrThrow,
  checkTimestamp, constantTimeEqual, standardWebhooksKey, DEFAULT_TOLERANCE_SECONDS, STANDARD_WEBHOOKS_HEADERS,
  TELEGRAM_SECRET_HEADER, isInternalAddress, checkOutboundUrl, guardedFetch,
} from '../security';
export type {
  SignatureScheme, SignatureInput, SignParams, VerifyResult, VerifyFailureReason, VerifiedSignature, WebhookHeaders,
  HmacSignatureOptions, HmacAlgorithm, HmacEncoding, SignedPayloadParts, StandardWebhooksOptions, SlackSignatureOptions,
  TimestampCheck, TimestampCheckOptions, OutboundUrlPolicy,
} from '../security';
export { createGuardedDispatcher, URL_NOT_ALLOWED } from '../security';
export {
  ed25519Signature, twilioSignature, noSignature, standardWebhooksPublicKey, SVIX_HEADERS, TWILIO_SIGNATURE_HEADER,
  STANDARD_WEBHOOKS_SECRET_PREFIX, STANDARD_WEBHOOKS_PUBLIC_KEY_PREFIX, STANDARD_WEBHOOKS_PRIVATE_KEY_PREFIX,
} from '../security';
export type { Ed25519SignatureOptions, ChannelAuthentication } from '../security';
