/**
 * The gateway and the integration on different nodes, nats-server stopped: the platform gets 503 (never 404
 * or a hang past the gateway's timeout), and once NATS is back the same delivery is stored once.
 */
import type { ServiceBroker } from 'moleculer';
import type { IntegrationConfig } from '../../src/types';
import { suiteServers } from '../harness/suite';
import { acmeBody, acmeIntegration, channel, freshNamespace, gatewayService, makeBroker, postAcme, storedReceived, uid } from '../integration/stack';

const stack = suiteServers();
let gw: ServiceBroker;
let int: ServiceBroker;
let base: string;
let ns: string;

beforeAll(async () => {
  ns = freshNamespace('outage');
  const g = await gatewayService({ timeoutMs: 2_000 });
  base = g.url;
  gw = makeBroker({ nodeID: 'ogw', namespace: ns, natsUrl: stack.nats().url, redisUrl: stack.redis().url, services: [g.schema] });
  int = makeBroker({ nodeID: 'oint', namespace: ns, natsUrl: stack.nats().url, redisUrl: stack.redis().url, services: [acmeIntegration(new Map<string, IntegrationConfig>([['c1', channel('c1')]]))] });
  stack.suiteBrokers.push(gw, int);
  await Promise.all([gw.start(), int.start()]);
  await gw.waitForServices(['acme']);
}, 60_000);

it('NATS down between the nodes → 503 within the gateway timeout; after restart the delivery is stored once', async () => {
  const id = `out-${uid()}`;
  await stack.nats().stop();
  try {
    const started = Date.now();
    const res = await postAcme(base, 'c1', acmeBody(id, 'x'));
    expect(res).toMatchObject({ status: 503, body: { code: 503 } });
    expect(Date.now() - started).toBeLessThan(5_000);
  } finally {
    await stack.nats().start();
  }
  const deadline = Date.now() + 30_000;
  let status = 0;
  while (status !== 200 && Date.now() < deadline) {
    status = (await postAcme(base, 'c1', acmeBody(id, 'x'))).status;
    if (status !== 200) await new Promise((r) => setTimeout(r, 300));
  }
  expect(status).toBe(200);
  expect((await storedReceived(stack.nats().url, ns)).filter((m) => m.eventId === id)).toHaveLength(1);
}, 60_000);
