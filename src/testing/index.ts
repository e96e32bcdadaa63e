/** Test helpers for teams building on Switchboard: replay webhook VCR fixtures. (`@switchboard/sdk/testing` once the package has subpath exports; also exported from the main entry.) */
export { replayWebhook, schemeOfRecording } from './replay';
export type { ReplayOptions, ReplayResult } from './replay';
export type { WebhookRecording } from '../integration/inbound/record';
