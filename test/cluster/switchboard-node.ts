/**
 * One Switchboard node for the cluster test, run as its own process (so the test can SIGKILL it):
 * the broker from `createBrokerConfig` (NATS_URL, REDIS_URL, SWITCHBOARD_NAMESPACE, SWITCHBOARD_STREAM_REPLICAS, PORT
 * from the environment, as in production), the moleculer-web gateway with the webhook routes, and the acme
 * test integration for the channels in CLUSTER_CHANNELS. Prints `READY` once started.
 */
import { ServiceBroker } from 'moleculer';
import ApiGateway from 'moleculer-web';
import { createBrokerConfig, readEnv } from '../../src/config';
import { webhookRoutes } from '../../src/gateway';
import { acmeIntegration, channel } from '../integration/stack';

const env = readEnv(process.env);
const channels = new Map((process.env.CLUSTER_CHANNELS ?? 'c1').split(',').map((id) => [id, channel(id)]));

const broker = new ServiceBroker(createBrokerConfig({
  channels: { publishTimeoutMs: 2_000 },
  overrides: { logger: { type: 'Console', options: { level: 'warn', formatter: 'short', colors: false } } },
}));
broker.createService({ name: 'api', mixins: [ApiGateway], settings: { port: env.port, ip: '127.0.0.1', routes: webhookRoutes(), log4XXResponses: false } });
broker.createService(acmeIntegration(channels));

broker.start().then(
  () => { process.stdout.write('READY\n'); },
  (err: unknown) => { process.stderr.write(`start failed: ${(err as Error).message}\n`); process.exit(1); },
);
process.on('SIGTERM', () => { void broker.stop().then(() => process.exit(0)); });
