export { healthReport, DEFAULT_NATS_PROBE_TIMEOUT_MS, DEFAULT_NATS_PROBE_CACHE_MS } from './health';
export type { HealthReport, ComponentStatus, HealthOptions } from './health';
export { webhookRoutes, DEFAULT_WEBHOOK_PATH, DEFAULT_WEBHOOK_CONTENT_TYPES, DEFAULT_WEBHOOK_TIMEOUT_MS, WEBHOOK_ACTIONS } from './webhooks';
export type { WebhookRoutesOptions } from './webhooks';
export { errorBody, sendJsonError } from './error-response';
export type { ErrorBody } from './error-response';
export { operatorApiRoutes, operatorRouteSpecs, apiErrorBody, DEFAULT_API_PATH, DEFAULT_API_MAX_BODY_BYTES, DEFAULT_API_TIMEOUT_MS, DEFAULT_REGISTRY_SERVICE } from './operator-api';
export type { OperatorApiOptions } from './operator-api';
export { operatorOpenApi } from './openapi';
export type { OpenApiOptions } from './openapi';
export { parseApiKeys, authenticate as authenticateApiKey, MIN_API_KEY_LENGTH } from './api-keys';
export type { ApiKey, ApiPrincipal } from './api-keys';
export { subscriptionRouteSpecs, routeSpecPaths, subscriptionSchemas, MAX_DELIVERIES_PAGE } from './subscription-routes';
export type { RouteSpec, RouteInput } from './operator-api';
// issue 8: HTTP hardening, start-up readiness, body deadline
export { gatewayMixin, clientErrorBody, DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_CONNECTIONS_CHECK_MS, ROUTED_METHODS } from './http-server';
export type { GatewayMixinSettings } from './http-server';
export { trackReadiness, discoveryPendingMs, DEFAULT_DISCOVERY_GRACE_MS } from './readiness';
export { DEFAULT_BODY_TIMEOUT_MS } from './webhook-body';
