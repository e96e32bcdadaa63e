export { healthReport } from './health';
export type { HealthReport, ComponentStatus } from './health';
export { webhookRoutes, DEFAULT_WEBHOOK_PATH, DEFAULT_WEBHOOK_CONTENT_TYPES, DEFAULT_WEBHOOK_TIMEOUT_MS, WEBHOOK_ACTIONS } from './webhooks';
export type { WebhookRoutesOptions } from './webhooks';
export { errorBody, sendJsonError } from './error-response';
export type { ErrorBody } from './error-response';
