/** Test helpers for teams building on Switchboard: replay webhook VCR fixtures. Public as `@switchboard/sdk/testing`. */
export { replayWebhook, schemeOfRecording } from './replay';
export type { ReplayOptions, ReplayResult } from './replay';
export type { WebhookRecording } from '../integration/inbound/record';
