/**
 * The webhook lane (src/gateway/webhook-lane.ts), on real NATS + Redis: with `gatewayMixin()` a webhook POST to
 * a route as `webhookRoutes()` made it runs without moleculer-web's `api.rest` call, and answers exactly as the
 * standard path does (stored, duplicate, bad signature, unknown channel, unknown integration); the request id
 * is echoed and reaches the integration's context. A route the user extended (`use`), or tracing on, keeps the
 * standard path.
 */
import type { Context, Middleware, ServiceSchema } from 'moleculer';
import { gatewayMixin, webhookRoutes } from '../../src/gateway';
import { freePort } from '../harness/servers';
import { suiteServers } from '../harness/suite';
import { defineIntegration } from '../../src/integration';
import type { IntegrationConfig, NormalizedMessage, WebhookEvent } from '../../src/types';
import { acmeBody, acmeScheme, channel, freshNamespace, makeBroker, post, postAcme, storedReceived, uid, type AcmeBody } from '../integration/stack';

const stack = suiteServers();
const { brokers } = stack;

/** Counts local calls of `api.rest` (moleculer-web's request action) and records the request ids integrations see. */
function observer() {
  const seen = { rest: 0, requestIDs: [] as string[] };
  const middleware = {
    name: 'Observe',
    localAction(handler: (ctx: Context) => Promise<unknown>, action: { name?: string; rawName?: string }) {
      if (action.name === 'api.rest') return (ctx: Context) => { seen.rest++; return handler(ctx); };
      return handler;
    },
  } as unknown as Middleware;
  return { seen, middleware };
}

/** A node with the gateway (gatewayMixin + `routes`) and the acme integration; returns its URL and what it observed. */
async function node(routes: unknown[], o: { tracing?: boolean } = {}) {
  const ns = freshNamespace('lane');
  const b = makeBroker({ nodeID: `lane-${uid()}`, namespace: ns, natsUrl: stack.nats().url, redisUrl: stack.redis().url, tracing: o.tracing ? { enabled: true, exporter: [] } : undefined });
  const { seen, middleware } = observer();
  b.middlewares.add(middleware);
  brokers.push(b);
  const port = await freePort();
  b.createService({ name: 'api', mixins: [gatewayMixin()], settings: { port, ip: '127.0.0.1', routes, log4XXResponses: false } } as ServiceSchema);
  const channels = new Map<string, IntegrationConfig>([['c1', channel('c1')]]);
  b.createService(defineIntegration({
    name: 'acme',
    spec: { id: 'acme', name: 'Acme', platform: 'acme', version: '1.0.0', status: 'ACTIVE', capabilities: ['RECEIVE_MESSAGE'] },
    webhookSignature: acmeScheme,
    inbound: { channelCacheTtlMs: 0 },
    eventId: (webhook: WebhookEvent<AcmeBody>) => webhook.payload.id,
    getChannelConfig(ctx, channelId) {
      // records the request id the integration's context carries
      seen.requestIDs.push(String((ctx as unknown as Context).requestID));
      return channels.get(channelId) ?? null;
    },
    normalize: (webhook: WebhookEvent<AcmeBody>): NormalizedMessage[] => (webhook.payload.messages ?? []).map((m) => ({
      id: m.id, platform: 'acme', conversationId: m.chat, from: { id: m.from }, timestamp: webhook.receivedAt, content: { type: 'text', text: m.text },
    })),
  }));
  await b.start();
  return { url: `http://127.0.0.1:${port}`, seen, ns, broker: b };
}

/** The answers to the same five requests, with the event ids made comparable. */
async function answers(url: string) {
  const id = `ev-${uid()}`;
  const norm = (r: { status: number; body: unknown }) => ({ status: r.status, body: JSON.parse(JSON.stringify(r.body).split(id).join('<id>')) });
  return [
    norm(await postAcme(url, 'c1', acmeBody(id, 'hello'))),
    norm(await postAcme(url, 'c1', acmeBody(id, 'hello'))),
    norm(await postAcme(url, 'c1', acmeBody(`${id}-x`, 'hello'), 'wrong-secret')),
    norm(await postAcme(url, 'nope', acmeBody(id, 'hello'))),
    norm(await post(`${url}/webhooks/other/c1`, '{}', {})),
  ];
}

describe('the webhook lane', () => {
  it('a webhook POST skips api.rest, is stored, and answers as the standard path does', async () => {
    const lane = await node(webhookRoutes());
    const laneAnswers = await answers(lane.url);
    expect(lane.seen.rest).toBe(0);
    expect(await storedReceived(stack.nats().url, lane.ns)).toHaveLength(1);

    // the standard path: the same route with a (no-op) moleculer-web middleware
    const standard = await node(webhookRoutes().map((r) => ({ ...r, use: [(_req: unknown, _res: unknown, next: () => void) => next()] })));
    const standardAnswers = await answers(standard.url);
    expect(standard.seen.rest).toBe(5);
    expect(laneAnswers).toEqual(standardAnswers);
    expect(laneAnswers.map((a) => a.status)).toEqual([200, 200, 401, 404, 503]); // an unknown integration: 503 while the node is new (discovery grace)
    expect(laneAnswers[1].body).toMatchObject({ duplicate: true });
  });

  it('echoes the request id and carries it to the integration', async () => {
    const lane = await node(webhookRoutes());
    const res = await postAcme(lane.url, 'c1', acmeBody(`ev-${uid()}`, 'hi'), 'secret-c1', { 'X-Request-ID': 'req-lane-1' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('req-lane-1');
    expect(lane.seen.requestIDs).toEqual(['req-lane-1']);
    expect(lane.seen.rest).toBe(0);
  });

  it('GET (verification) still goes through api.rest', async () => {
    const lane = await node(webhookRoutes());
    await fetch(`${lane.url}/webhooks/acme/c1?hub.mode=subscribe`);
    expect(lane.seen.rest).toBe(1);
  });

  it('a route the user extended with a hook keeps moleculer-web\'s path, and the hook runs', async () => {
    let hooked = 0;
    const routes = webhookRoutes().map((r) => ({ ...r, onBeforeCall: () => { hooked++; } }));
    const extended = await node(routes);
    expect((await postAcme(extended.url, 'c1', acmeBody(`ev-${uid()}`, 'hi'))).status).toBe(200);
    expect(extended.seen.rest).toBe(1);
    expect(hooked).toBe(1);
  });

  it('with tracing on, a webhook keeps its api.rest call (and span)', async () => {
    const traced = await node(webhookRoutes(), { tracing: true });
    expect((await postAcme(traced.url, 'c1', acmeBody(`ev-${uid()}`, 'hi'))).status).toBe(200);
    expect(traced.seen.rest).toBe(1);
  });
});
