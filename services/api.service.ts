/** The HTTP gateway: health for operators; webhook and operator API routes are added by their SDK route builders. */
import type { Context, ServiceSchema } from 'moleculer';
import { acquireStore, gatewayMixin, healthReport, operatorApiRoutes, releaseStore, runtimeOf, webhookRoutes, type KeyValueStore } from '@switchboard/sdk';

const api: ServiceSchema = {
  name: 'api',
  // moleculer-web with deadlines, JSON errors everywhere and only routed methods (see gatewayMixin).
  mixins: [gatewayMixin()],
  settings: {
    port: 3000,
    // Replaced in `created` by HOST (default 127.0.0.1 in memory mode, 0.0.0.0 with NATS_URL).
    ip: '127.0.0.1',
    routes: [
      {
        path: '/',
        // Only what is listed here is reachable over HTTP.
        whitelist: ['api.health'],
        autoAliases: false,
        mappingPolicy: 'restrict',
        aliases: { 'GET health': 'api.health' },
      },
      ...webhookRoutes(),
      ...operatorApiRoutes(),
    ],
  },
  actions: {
    health: {
      async handler(this: { broker: Context['broker']; store: KeyValueStore }, ctx: Context) {
        const report = await healthReport(this.broker, this.store);
        if (report.status !== 'ok') (ctx.meta as { $statusCode?: number }).$statusCode = 503;
        return report;
      },
    },
  },
  created() {
    const runtime = runtimeOf(this.broker);
    this.settings.port = runtime.port ?? this.settings.port;
    this.settings.ip = runtime.host ?? this.settings.ip;
    this.store = acquireStore(this.broker);
  },
  async stopped() {
    await releaseStore(this.broker);
  },
};

export default api;
