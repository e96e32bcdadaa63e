/** `@switchboard/sdk/testing`: helpers for a team's tests — replay recorded webhooks (the webhook VCR) against a channel. */
export { replayWebhook, schemeOfRecording } from '../testing';
export type { ReplayOptions, ReplayResult } from '../testing';
export type { WebhookRecording } from '../integration';
