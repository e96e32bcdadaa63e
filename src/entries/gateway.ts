/** `@switchboard/sdk/gateway`: the moleculer-web gateway — routes, operator API, health, HTTP hardening, the gateway service. */
export { healthReport, webhookRoutes, DEFAULT_WEBHOOK_PATH, DEFAULT_WEBHOOK_CONTENT_TYPES, DEFAULT_WEBHOOK_TIMEOUT_MS, WEBHOOK_ACTIONS, errorBody, sendJsonError } from '../gateway';
export type { HealthReport, ComponentStatus, WebhookRoutesOptions, ErrorBody } from '../gateway';
export {
  operatorApiRoutes, operatorRouteSpecs, apiErrorBody, operatorOpenApi, parseApiKeys, authenticateApiKey, MIN_API_KEY_LENGTH,
  DEFAULT_API_PATH, DEFAULT_API_MAX_BODY_BYTES, DEFAULT_API_TIMEOUT_MS, DEFAULT_REGISTRY_SERVICE,
} from '../gateway';
export type { OperatorApiOptions, OpenApiOptions, ApiKey, ApiPrincipal } from '../gateway';
export { subscriptionRouteSpecs } from '../gateway';
export {
  gatewayMixin, clientErrorBody, trackReadiness, discoveryPendingMs, DEFAULT_DISCOVERY_GRACE_MS, DEFAULT_BODY_TIMEOUT_MS,
  DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_CONNECTIONS_CHECK_MS, ROUTED_METHODS,
} from '../gateway';
export type { GatewayMixinSettings, HealthOptions } from '../gateway';
export { DEFAULT_NATS_PROBE_TIMEOUT_MS, DEFAULT_NATS_PROBE_CACHE_MS } from '../gateway';
export { createGatewayService, DEFAULT_GATEWAY_PORT, DEFAULT_GATEWAY_HOST } from '../services';
export type { GatewayServiceOptions } from '../services';
