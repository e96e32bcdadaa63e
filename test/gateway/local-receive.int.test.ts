/**
 * The gateway's in-process webhook path (src/gateway/local-receive.ts), on real NATS + Redis: a local
 * integration is run without a broker call (its `i_receiveWebhook` handler is not invoked), `getChannelConfig`
 * still gets a context of the integration's service under the gateway's; a remote integration is still called;
 * a service hooking `i_receiveWebhook` is still called (hooks run only in a call); a stopping broker waits for
 * an in-flight local webhook.
 */
import type { Context, Middleware, ServiceBroker } from 'moleculer';
import { defineIntegration } from '../../src/integration';
import type { IntegrationConfig, NormalizedMessage, WebhookEvent } from '../../src/types';
import { suiteServers } from '../harness/suite';
import { acmeBody, acmeScheme, channel, freshNamespace, gatewayService, makeBroker, postAcme, storedReceived, uid, type AcmeBody } from '../integration/stack';

const stack = suiteServers();
const { brokers } = stack;

/** Counts invocations of `i_receiveWebhook`'s handler (a broker call runs it; the in-process path does not). */
function handlerCounter(): { middleware: Middleware; calls: () => number } {
  let n = 0;
  const middleware = {
    name: 'CountReceive',
    localAction(handler: (ctx: Context) => Promise<unknown>, action: { rawName?: string }) {
      if (action.rawName !== 'i_receiveWebhook') return handler;
      return (ctx: Context) => { n++; return handler(ctx); };
    },
  } as unknown as Middleware;
  return { middleware, calls: () => n };
}

function broker(nodeID: string, namespace: string, counter?: Middleware): ServiceBroker {
  const b = makeBroker({ nodeID: `${nodeID}-${uid()}`, namespace, natsUrl: stack.nats().url, redisUrl: stack.redis().url });
  if (counter) b.middlewares.add(counter);
  brokers.push(b);
  return b;
}

interface Seen { service?: string; level: number; parentID?: string | null }

/** The acme integration, with a `getChannelConfig` that records its context and may be held (`gate`). */
function acme(seen: Seen[], extra: { gate?: () => Promise<void>; hooks?: Record<string, unknown> } = {}) {
  const channels = new Map<string, IntegrationConfig>([['c1', channel('c1')]]);
  return defineIntegration({
    name: 'acme',
    spec: { id: 'acme', name: 'Acme', platform: 'acme', version: '1.0.0', status: 'ACTIVE', capabilities: ['RECEIVE_MESSAGE'] },
    webhookSignature: acmeScheme,
    inbound: { channelCacheTtlMs: 0 },
    eventId: (webhook: WebhookEvent<AcmeBody>) => webhook.payload.id,
    async getChannelConfig(ctx, channelId) {
      const c = ctx as unknown as Context;
      seen.push({ service: (c.service as { name?: string } | undefined)?.name, level: c.level, parentID: c.parentID });
      await extra.gate?.();
      return channels.get(channelId) ?? null;
    },
    normalize(webhook: WebhookEvent<AcmeBody>): NormalizedMessage[] {
      return (webhook.payload.messages ?? []).map((m) => ({
        id: m.id, platform: 'acme', conversationId: m.chat, from: { id: m.from }, timestamp: webhook.receivedAt, content: { type: 'text', text: m.text },
      }));
    },
    ...(extra.hooks ? { hooks: extra.hooks } : {}),
  });
}

describe('a webhook to an integration on the gateway node', () => {
  it('runs in-process: stored and answered without an i_receiveWebhook call; getChannelConfig gets the integration\'s context under the gateway\'s', async () => {
    const ns = freshNamespace('local');
    const counter = handlerCounter();
    const seen: Seen[] = [];
    const b = broker('one', ns, counter.middleware);
    const gw = await gatewayService();
    b.createService(gw.schema);
    b.createService(acme(seen));
    await b.start();

    const res = await postAcme(gw.url, 'c1', acmeBody('e1', 'hello'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, messages: 1, eventId: 'e1' });
    expect(counter.calls()).toBe(0);
    expect(seen[0]).toMatchObject({ service: 'acme', level: 2 });
    expect(typeof seen[0]!.parentID).toBe('string');
    const stored = await storedReceived(stack.nats().url, ns);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ integration: 'acme', channelId: 'c1', eventId: 'e1' });
    // the same answers as through a call: a duplicate, a bad signature, an unknown channel
    expect((await postAcme(gw.url, 'c1', acmeBody('e1', 'hello'))).body).toMatchObject({ duplicate: true, messages: 0 });
    const bad = await postAcme(gw.url, 'c1', acmeBody('e2', 'x'), 'wrong-secret');
    expect(bad).toMatchObject({ status: 401, body: { error: 'INVALID_SIGNATURE', code: 401 } });
    expect((await postAcme(gw.url, 'nope', acmeBody('e3', 'x'))).status).toBe(404);
    expect(counter.calls()).toBe(0);
  }, 30_000);

  it('a service that hooks i_receiveWebhook is still called (its hooks run)', async () => {
    const ns = freshNamespace('hooked');
    const counter = handlerCounter();
    const hooked: string[] = [];
    const b = broker('one', ns, counter.middleware);
    const gw = await gatewayService();
    b.createService(gw.schema);
    b.createService(acme([], { hooks: { after: { i_receiveWebhook(_ctx: Context, res: { eventId?: string }) { hooked.push(String(res.eventId)); return res; } } } }));
    await b.start();
    expect((await postAcme(gw.url, 'c1', acmeBody('h1', 'hello'))).status).toBe(200);
    expect(counter.calls()).toBe(1);
    expect(hooked).toEqual(['h1']);
  }, 30_000);

  it('a stopping broker waits for the in-flight webhook, which is stored and answered 200', async () => {
    const ns = freshNamespace('stop');
    const seen: Seen[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    const b = broker('one', ns);
    // as createBrokerConfig sets it
    b.options.tracking = { enabled: true, shutdownTimeout: 10_000 };
    const gw = await gatewayService();
    b.createService(gw.schema);
    b.createService(acme(seen, { gate: () => held }));
    await b.start();

    const answer = postAcme(gw.url, 'c1', acmeBody('s1', 'hello'));
    while (seen.length === 0) await new Promise((r) => setTimeout(r, 10));
    let stopped = false;
    const stopping = b.stop().then(() => { stopped = true; });
    await new Promise((r) => setTimeout(r, 300));
    expect(stopped).toBe(false);
    release();
    const res = await answer;
    expect(res.body).toEqual({ success: true, messages: 1, eventId: 's1' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, messages: 1 });
    await stopping;
    expect(stopped).toBe(true);
    expect(await storedReceived(stack.nats().url, ns)).toHaveLength(1);
  }, 30_000);
});

describe('a webhook to an integration on another node', () => {
  it('is still a broker call (the integration node runs i_receiveWebhook)', async () => {
    const ns = freshNamespace('remote');
    const counter = handlerCounter();
    const gwBroker = broker('gw', ns);
    const intBroker = broker('int', ns, counter.middleware);
    const gw = await gatewayService();
    gwBroker.createService(gw.schema);
    intBroker.createService(acme([]));
    await Promise.all([gwBroker.start(), intBroker.start()]);
    await gwBroker.waitForServices(['acme'], 10_000);
    const res = await postAcme(gw.url, 'c1', acmeBody('r1', 'hello'));
    expect(res).toMatchObject({ status: 200, body: { success: true, messages: 1, eventId: 'r1' } });
    expect(counter.calls()).toBe(1);
  }, 30_000);
});
