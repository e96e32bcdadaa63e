/**
 * Issue 8.4: a gateway that listens before the integration is registered never answers 404 for it —
 * platforms disable webhooks after repeated 404s. On real NATS + Redis, the gateway node starts first
 * and the integration's node joins later; in one process (memory mode), the integration starts slowly.
 * Every answer until the delivery is accepted is 503 with Retry-After; once accepted it is stored once.
 */
import type { ServiceBroker, ServiceSchema } from 'moleculer';
import { gatewayMixin, webhookRoutes } from '../../src/gateway';
import type { IntegrationConfig } from '../../src/types';
import { freePort, startNats, startRedis, type ServerProcess } from '../harness/servers';
import { acmeBody, acmeIntegration, channel, freshNamespace, makeBroker, postAcme, storedReceived, uid } from '../integration/stack';
import { ServiceBroker as Broker } from 'moleculer';
import { createChannelsMiddleware } from '../../src/channels';
import { RUNTIME_METADATA_KEY } from '../../src/types';

/** The default grace: the integration's node must start within it (generous for a loaded CI machine). */
const GRACE_MS = 10_000;

async function gateway(discoveryGraceMs = GRACE_MS): Promise<{ schema: ServiceSchema; base: string }> {
  const port = await freePort();
  return {
    base: `http://127.0.0.1:${port}`,
    schema: { name: 'api', mixins: [gatewayMixin()], settings: { port, ip: '127.0.0.1', routes: webhookRoutes({ discoveryGraceMs }) } },
  };
}

/** Posts the same delivery until it is accepted (or `ms` pass); returns every status seen and each 503's Retry-After. */
async function postUntilAccepted(base: string, id: string, ms: number, during?: () => Promise<void>) {
  const statuses: number[] = [];
  const retryAfter: Array<string | null> = [];
  const deadline = Date.now() + ms;
  let startedOther = false;
  while (Date.now() < deadline) {
    let res: Awaited<ReturnType<typeof postAcme>>;
    try {
      res = await postAcme(base, 'c1', acmeBody(id, 'hello'));
    } catch {
      await new Promise((r) => setTimeout(r, 50)); // not listening yet
      continue;
    }
    statuses.push(res.status);
    if (res.status === 503) retryAfter.push(res.headers.get('retry-after'));
    if (res.status === 200) break;
    if (during && !startedOther && statuses.length >= 3) { startedOther = true; void during(); }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { statuses, retryAfter };
}

describe('on NATS: the gateway node up before the integration node', () => {
  let nats: ServerProcess;
  let redis: ServerProcess;
  const brokers: ServiceBroker[] = [];
  beforeAll(async () => { [nats, redis] = await Promise.all([startNats(), startRedis()]); });
  afterAll(async () => {
    await Promise.allSettled(brokers.map((b) => b.stop()));
    await Promise.allSettled([nats?.cleanup(), redis?.cleanup()]);
  });

  it('answers 503 + Retry-After (never 404) until the integration is seen, then stores the delivery once', async () => {
    const ns = freshNamespace('boot');
    const g = await gateway();
    const gw = makeBroker({ nodeID: `bgw-${uid()}`, namespace: ns, natsUrl: nats.url, redisUrl: redis.url, services: [g.schema] });
    brokers.push(gw);
    await gw.start();
    const int = makeBroker({ nodeID: `bint-${uid()}`, namespace: ns, natsUrl: nats.url, redisUrl: redis.url, services: [acmeIntegration(new Map<string, IntegrationConfig>([['c1', channel('c1')]]))] });
    brokers.push(int);
    const id = `boot-${uid()}`;
    const { statuses, retryAfter } = await postUntilAccepted(g.base, id, 30_000, () => int.start());
    expect(statuses.length).toBeGreaterThan(3);
    expect(statuses.at(-1)).toBe(200);
    expect(statuses.slice(0, -1).every((s) => s === 503)).toBe(true);
    expect(retryAfter.every((r) => r !== null && Number(r) > 0)).toBe(true);
    expect((await storedReceived(nats.url, ns)).filter((m) => m.eventId === id)).toHaveLength(1);
  }, 60_000);

  it('once settled (the grace after joining has passed), an integration no node has is a 404', async () => {
    await Promise.allSettled(brokers.splice(0).map((b) => b.stop())); // the first test's integration node leaves
    const ns = freshNamespace('boot');
    const g = await gateway(500);
    const gw = makeBroker({ nodeID: `sgw-${uid()}`, namespace: ns, natsUrl: nats.url, redisUrl: redis.url, services: [g.schema] });
    brokers.push(gw);
    await gw.start();
    await new Promise((r) => setTimeout(r, 1_000));
    const res = await postAcme(g.base, 'c1', acmeBody(`late-${uid()}`, 'x'));
    expect(res).toMatchObject({ status: 404, body: { error: 'NOT_FOUND', code: 404 } });
  }, 30_000);
});

it('in one process: while the integration is still starting (not yet registered) → 503, never 404', async () => {
  const g = await gateway();
  // The integration's own `started` takes a while: it is registered only after it, while the gateway already listens.
  const slowAcme: ServiceSchema = { name: 'acme', mixins: [acmeIntegration(new Map([['c1', channel('c1')]]))], async started() { await new Promise((r) => setTimeout(r, 2_000)); } };
  const ns = freshNamespace('mem');
  const broker = new Broker({
    nodeID: `mem-${uid()}`, logger: false, transporter: null,
    metadata: { [RUNTIME_METADATA_KEY]: { namespace: ns } }, middlewares: [createChannelsMiddleware({ namespace: ns })],
  });
  broker.createService(g.schema);
  broker.createService(slowAcme);
  const starting = broker.start();
  try {
    const id = `mem-${uid()}`;
    const { statuses } = await postUntilAccepted(g.base, id, 20_000);
    expect(statuses.length).toBeGreaterThan(1);
    expect(statuses.at(-1)).toBe(200);
    expect(statuses.slice(0, -1).every((s) => s === 503)).toBe(true);
  } finally {
    await starting.catch(() => undefined);
    await broker.stop();
  }
}, 40_000);
