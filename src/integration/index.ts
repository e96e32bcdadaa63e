/** defineIntegration and the inbound pipeline's steps, options and types. */
export { defineIntegration } from './define-integration';
export type {
  IntegrationServiceConfig, IntegrationServiceSchema, IntegrationThis, WebhookChallengeRequest, WebhookChallengeAnswer,
  CustomVerifyResult, ChannelHealth, CredentialsCheck,
} from './types';
export {
  resolveInboundOptions, DEFAULT_CHANNEL_CACHE_TTL_MS, DEFAULT_CLAIM_TTL_MS, DEFAULT_DONE_TTL_MS, DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_JSON_DEPTH, DEFAULT_MAX_MESSAGES_PER_WEBHOOK,
} from './options';
export type { InboundOptions, ResolvedInboundOptions } from './options';
export { receiveWebhook } from './inbound/receive-webhook';
export type { InboundPipeline, ReceiveWebhookResult } from './inbound/receive-webhook';
export type { ReceiveWebhookParams, InboundRequest } from './inbound/request';
export type { VerifyWebhookParams } from './inbound/actions';
export { messageId } from './inbound/publish';
export type { MessageReceivedPayload, Publisher } from './inbound/publish';
export { claimKey } from './inbound/claim';
export { slackUrlVerification } from './inbound/challenge';
export { metaChallenge } from './inbound/verify-webhook';
// front door: body formats, channel access, answers after storage, the webhook VCR
export type { StoredWebhook, WebhookAnswer, WebhookAnswerBody } from './types';
export { DEFAULT_BODY_FORMATS, DEFAULT_MAX_FORM_FIELDS, DEFAULT_FORM_JSON_FIELDS, DEFAULT_ANSWER_TIMEOUT_MS } from './options';
export { BODY_FORMATS, requestBodyFormat, parseBody, parseFormPayload } from './inbound/body-format';
export type { BodyFormat, BodyLimits } from './inbound/body-format';
export { checkChannelAccess, basicCredentials } from './inbound/channel-access';
export { limitInboundRate, inboundRateKey } from './inbound/inbound-rate-limit';
export { publicUrlOf } from './inbound/public-url';
export { answerStoredWebhook } from './inbound/answers';
export { writeRecording, recordableHeaders, UNRECORDED_HEADERS } from './inbound/record';
export type { WebhookRecording } from './inbound/record';
