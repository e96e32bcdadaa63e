/** `createGatewayService()`: the HTTP gateway (health, webhook routes, operator API) as a service schema teams mount. */
import type { Context, ServiceSchema } from 'moleculer';
import { gatewayMixin } from '../gateway/http-server';
import { healthReport } from '../gateway/health';
import { webhookRoutes, type WebhookRoutesOptions } from '../gateway/webhooks';
import { operatorApiRoutes, type OperatorApiOptions } from '../gateway/operator-api';
import { acquireStore, releaseStore, runtimeOf } from '../store';
import type { KeyValueStore } from '../store';

/** Port used when neither `PORT` nor `options.port` is set. */
export const DEFAULT_GATEWAY_PORT = 3000;
/** Address used when neither `HOST` nor `options.host` is set (the runtime picks 0.0.0.0 with NATS_URL). */
export const DEFAULT_GATEWAY_HOST = '127.0.0.1';

/** Options of `createGatewayService`. Everything is optional: the defaults are this repository's `services/api.service.ts`. */
export interface GatewayServiceOptions {
  /** Service name. Default `'api'` (the health action is `<name>.health`). */
  name?: string;
  /** Port when `PORT` is unset. Default 3000. */
  port?: number;
  /** Listen address when `HOST` is unset. Default 127.0.0.1. */
  host?: string;
  /** Options of the `/webhooks/:integration/:channelId` routes. */
  webhooks?: WebhookRoutesOptions;
  /** Options of the `/api` operator routes, or `false` to serve no operator API from this gateway. */
  operatorApi?: OperatorApiOptions | false;
  /** More moleculer-web routes, served after health and before the webhook routes. */
  routes?: Record<string, unknown>[];
}

interface GatewayThis {
  broker: Context['broker'];
  store: KeyValueStore;
  settings: { port: number; ip: string };
}

/**
 * The gateway service: moleculer-web with deadlines and JSON errors (`gatewayMixin`), `GET /health`,
 * the webhook routes and the authenticated operator API. A team's `services/api.service.ts` is
 * `export default createGatewayService();`.
 */
export function createGatewayService(options: GatewayServiceOptions = {}): ServiceSchema {
  const name = options.name ?? 'api';
  const operator = options.operatorApi === false ? [] : operatorApiRoutes(options.operatorApi ?? {});
  return {
    name,
    mixins: [gatewayMixin()],
    settings: {
      port: options.port ?? DEFAULT_GATEWAY_PORT,
      ip: options.host ?? DEFAULT_GATEWAY_HOST,
      routes: [
        {
          path: '/',
          // Only what is listed here is reachable over HTTP.
          whitelist: [`${name}.health`],
          autoAliases: false,
          mappingPolicy: 'restrict',
          aliases: { 'GET health': `${name}.health` },
        },
        ...(options.routes ?? []),
        ...webhookRoutes(options.webhooks ?? {}),
        ...operator,
      ],
    },
    actions: {
      health: {
        async handler(this: GatewayThis, ctx: Context) {
          const report = await healthReport(this.broker, this.store);
          if (report.status !== 'ok') (ctx.meta as { $statusCode?: number }).$statusCode = 503;
          return report;
        },
      },
    },
    created(this: GatewayThis) {
      const runtime = runtimeOf(this.broker);
      this.settings.port = runtime.port ?? this.settings.port;
      this.settings.ip = runtime.host ?? this.settings.ip;
      this.store = acquireStore(this.broker);
    },
    async stopped(this: GatewayThis) {
      await releaseStore(this.broker);
    },
  } as unknown as ServiceSchema;
}
