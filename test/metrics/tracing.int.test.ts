/**
 * SWITCHBOARD_TRACING: a webhook is followed from the gateway to a consumer through Moleculer's tracer (the Event
 * exporter, read back as `$tracing.spans`): one trace id, the consumer's span under the webhook action's,
 * tags with event id, channel, integration and tenant, and no request body or headers in any tag.
 */
import { ServiceBroker, type TracerOptions } from 'moleculer';
import ApiGateway from 'moleculer-web';
import { channelNames } from '../../src/channels';
import { createBrokerConfig } from '../../src/config';
import { webhookRoutes } from '../../src/gateway';
import { freePort } from '../harness/servers';
import { suiteServers } from '../harness/suite';
import { acmeBody, acmeIntegration, channel, freshNamespace, postAcme } from '../integration/stack';

interface SpanRecord { name: string; traceID: string; id: string; parentID?: string; type: string; tags: Record<string, unknown> }

describe('tracing a webhook from the gateway to its consumer', () => {
  const stack = suiteServers();
  let broker: ServiceBroker;
  let gateway: string;
  const spans: SpanRecord[] = [];
  const namespace = freshNamespace('tr');

  beforeAll(async () => {
    const port = await freePort();
    gateway = `http://127.0.0.1:${port}`;
    const config = createBrokerConfig({
      env: { NATS_URL: stack.nats().url, REDIS_URL: stack.redis().url, SWITCHBOARD_NAMESPACE: namespace, SWITCHBOARD_TRACING: 'event' },
      overrides: { logger: false },
    });
    // the Event exporter, flushed at once (interval 0) instead of every 5 s
    config.tracing = { ...(config.tracing as TracerOptions), exporter: [{ type: 'Event', options: { interval: 0 } }] };
    broker = new ServiceBroker(config);
    stack.suiteBrokers.push(broker);
    broker.createService({ name: 'api', mixins: [ApiGateway], settings: { port, ip: '127.0.0.1', routes: webhookRoutes(), log4XXResponses: false } });
    broker.createService(acmeIntegration(new Map([['c1', channel('c1')]])));
    broker.createService({
      name: 'consumer',
      channels: { [channelNames(namespace).MESSAGE_RECEIVED]: { group: 'tracing-test', context: true, handler: () => undefined } },
      events: { '$tracing.spans': { tracing: false, handler: (ctx: { params: SpanRecord[] }) => { spans.push(...ctx.params); } } },
    } as never);
    await broker.start();
  });

  it('links the consumer span to the webhook span, with Switchboard tags', async () => {
    expect((await postAcme(gateway, 'c1', acmeBody('evt-77', 'hello'))).status).toBe(200);
    const deadline = Date.now() + 15_000;
    while (!spans.some((s) => s.type === 'channel') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));

    const action = spans.find((s) => s.name === "action 'acme.i_receiveWebhook'");
    const consumer = spans.find((s) => s.type === 'channel');
    expect(action?.tags).toMatchObject({ integration: 'acme', channel: 'c1', eventId: 'evt-77' });
    expect(consumer?.tags).toMatchObject({ integration: 'acme', channel: 'c1', eventId: 'evt-77', tenant: 'tenant-c1', chan: { name: channelNames(namespace).MESSAGE_RECEIVED, group: 'tracing-test' } });
    expect(consumer?.traceID).toBe(action?.traceID);
    expect(consumer?.parentID).toBe(action?.id);
    // nothing of the request (raw body, signature header) is in any tag
    const all = JSON.stringify(spans.map((s) => s.tags));
    expect(all).not.toContain('sha256=');
    expect(all).not.toContain('rawBody');
  });
});
