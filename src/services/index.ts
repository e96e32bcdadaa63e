/** The runnable services as factories: a team's `services/*.service.ts` are one line each. */
export { createGatewayService, DEFAULT_GATEWAY_PORT, DEFAULT_GATEWAY_HOST } from './gateway';
export type { GatewayServiceOptions } from './gateway';
export { createRegistryService } from './registry';
export type { RegistryServiceOptions } from './registry';
export { createWebhooksService } from './webhooks';
export type { WebhooksServiceOptions } from './webhooks';
