/**
 * `/metrics` scraped over real HTTP from a broker built by `createBrokerConfig` (SWITCHBOARD_METRICS_PORT on
 * real NATS + Redis): after a few webhooks and sends, the `switchboard_*` series carry the right counts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ServiceBroker } from 'moleculer';
import ApiGateway from 'moleculer-web';
import { channelNames } from '../../src/channels';
import { createBrokerConfig } from '../../src/config';
import { webhookRoutes } from '../../src/gateway';
import { defineIntegration } from '../../src/integration';
import { ensureOk } from '../../src/retry';
import type { IntegrationConfig, NormalizedMessage, WebhookEvent } from '../../src/types';
import { freePort, startNats, startRedis, type ServerProcess } from '../harness/servers';
import { acmeBody, acmeScheme, channel, freshNamespace, postAcme, type AcmeBody } from '../integration/stack';

/** A fake platform: `POST /send` answers 500 once for a text starting "flaky", 400 for "bad", else 200 `{ id }`. */
function fakePlatform(): Promise<{ server: Server; url: string; calls: string[] }> {
  const calls: string[] = [];
  const flaked = new Set<string>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      const { text } = JSON.parse(body) as { text: string };
      calls.push(text);
      res.setHeader('content-type', 'application/json');
      if (text.startsWith('bad')) { res.statusCode = 400; res.end(JSON.stringify({ error: 'invalid recipient' })); return; }
      if (text.startsWith('flaky') && !flaked.has(text)) { flaked.add(text); res.statusCode = 500; res.end(JSON.stringify({ error: 'try again' })); return; }
      res.end(JSON.stringify({ id: `m-${calls.length}` }));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls })));
}

function acmeWithSends(channels: Map<string, IntegrationConfig>) {
  return defineIntegration({
    name: 'acme',
    spec: { id: 'acme', name: 'Acme', platform: 'acme', version: '1.0.0', status: 'ACTIVE', capabilities: ['RECEIVE_MESSAGE', 'SEND_MESSAGE'] },
    webhookSignature: acmeScheme,
    inbound: { channelCacheTtlMs: 0 },
    outbound: { retry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 50, attemptTimeoutMs: 2_000 }, maxRateLimitWaitMs: 5_000 },
    eventId: (webhook: WebhookEvent<AcmeBody>) => webhook.payload.id,
    getChannelConfig: (_ctx, channelId) => channels.get(channelId) ?? null,
    normalize(webhook: WebhookEvent<AcmeBody>): NormalizedMessage[] {
      return (webhook.payload.messages ?? []).map((m) => ({ id: m.id, platform: 'acme', conversationId: m.chat, from: { id: m.from }, timestamp: webhook.receivedAt, content: { type: 'text', text: m.text } }));
    },
    async sendMessage(_ctx, message, ch, attempt) {
      const res = await fetch(`${String(ch.settings.apiBase)}/send`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, signal: attempt.signal,
        body: JSON.stringify({ text: message.content.type === 'text' ? message.content.text : '' }),
      });
      await ensureOk(res, 'acme send');
      return { messageId: ((await res.json()) as { id: string }).id };
    },
  });
}

/** `name{labels} value` lines of a Prometheus scrape whose labels include `match`. */
function series(text: string, name: string, match: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labels = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(match).every(([k, v]) => labels[k] === v)) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('/metrics after webhooks and sends', () => {
  let nats: ServerProcess;
  let redis: ServerProcess;
  let broker: ServiceBroker;
  let platform: Awaited<ReturnType<typeof fakePlatform>>;
  let metricsPort: number;
  let gateway: string;
  let release: () => void = () => undefined;
  const namespace = freshNamespace('met');

  beforeAll(async () => {
    [nats, redis, platform] = await Promise.all([startNats(), startRedis(), fakePlatform()]);
    metricsPort = await freePort();
    const port = await freePort();
    gateway = `http://127.0.0.1:${port}`;
    const channels = new Map<string, IntegrationConfig>([
      ['c1', channel('c1', { settings: { apiBase: platform.url, rateLimit: { capacity: 1, refillPerSecond: 5 } } })],
    ]);
    broker = new ServiceBroker(createBrokerConfig({
      env: { NATS_URL: nats.url, REDIS_URL: redis.url, SWITCHBOARD_NAMESPACE: namespace, SWITCHBOARD_METRICS_PORT: String(metricsPort), HOST: '127.0.0.1' },
      overrides: { logger: false },
    }));
    broker.createService({ name: 'api', mixins: [ApiGateway], settings: { port, ip: '127.0.0.1', routes: webhookRoutes(), log4XXResponses: false } });
    broker.createService(acmeWithSends(channels));
    // a consumer that holds the first message it gets: one ack-pending, the rest pending
    const held = new Promise<void>((r) => { release = r; });
    broker.createService({ name: 'slow', channels: { [channelNames(namespace).MESSAGE_RECEIVED]: { group: 'slow-group', maxInFlight: 1, handler: () => held } } } as never);
    await broker.start();
  });

  afterAll(async () => {
    release();
    await broker?.stop();
    platform?.server.close();
    await nats?.cleanup();
    await redis?.cleanup();
  });

  it('counts webhooks by outcome, publishes, sends, attempts, retries, rate-limit waits and consumer pending', async () => {
    expect((await postAcme(gateway, 'c1', acmeBody('e1', 'hello'))).status).toBe(200);
    expect((await postAcme(gateway, 'c1', acmeBody('e2', 'a', 'b'))).status).toBe(200);
    expect((await postAcme(gateway, 'c1', acmeBody('e3', 'c'))).status).toBe(200);
    expect((await postAcme(gateway, 'c1', acmeBody('e1', 'hello'))).body).toMatchObject({ duplicate: true });
    expect((await postAcme(gateway, 'c1', acmeBody('e4', 'x'), 'wrong-secret')).status).toBe(401);
    expect((await postAcme(gateway, 'nope', acmeBody('e5', 'x'))).status).toBe(404);

    const send = (text: string, idempotencyKey?: string) => broker.call('acme.i_sendMessage', { channelId: 'c1', message: { conversationId: 'u1', content: { type: 'text', text } }, ...(idempotencyKey ? { idempotencyKey } : {}) });
    await send('one', 'k1');
    await send('flaky two');
    await send('one', 'k1'); // answered from the idempotency key
    await expect(send('bad three')).rejects.toMatchObject({ type: 'PLATFORM_ERROR' });
    expect(platform.calls).toEqual(['one', 'flaky two', 'flaky two', 'bad three']);

    // consumer info is sampled every 5 s: scrape until the gauges show the 4 stored messages (1 held, 3 waiting)
    const received = channelNames(namespace).MESSAGE_RECEIVED;
    let text = '';
    const deadline = Date.now() + 20_000;
    do {
      await new Promise((r) => setTimeout(r, 500));
      const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(res.status).toBe(200);
      text = await res.text();
    } while (series(text, 'switchboard_consumer_pending', { channel: received }) !== 3 && Date.now() < deadline);

    const w = (outcome: string) => series(text, 'switchboard_webhooks_total', { integration: 'acme', outcome });
    expect({ stored: w('stored'), duplicate: w('duplicate'), badSignature: w('rejected:invalid_signature'), unknownChannel: w('rejected:not_found') })
      .toEqual({ stored: 3, duplicate: 1, badSignature: 1, unknownChannel: 1 });
    expect(series(text, 'switchboard_publishes_total', { channel: received, outcome: 'stored' })).toBe(4);
    expect(series(text, 'switchboard_publish_duration_seconds_count', { channel: received })).toBe(4);
    expect(series(text, 'switchboard_publish_duration_seconds_bucket', { channel: received, le: '+Inf' })).toBe(4);
    const s = (outcome: string) => series(text, 'switchboard_sends_total', { integration: 'acme', outcome });
    expect({ sent: s('sent'), duplicate: s('duplicate'), failed: s('failed:platform_error') }).toEqual({ sent: 2, duplicate: 1, failed: 1 });
    expect(series(text, 'switchboard_send_attempts_total', { integration: 'acme' })).toBe(4);
    expect(series(text, 'switchboard_send_retries_total', { integration: 'acme' })).toBe(1);
    // capacity 1 refilled at 5/s: the second and third sends waited for a token
    expect(series(text, 'switchboard_rate_limit_waits_total', { integration: 'acme' })).toBeGreaterThanOrEqual(2);
    expect(series(text, 'switchboard_rate_limit_wait_seconds_count', { integration: 'acme' })).toBe(series(text, 'switchboard_rate_limit_waits_total', { integration: 'acme' }));
    expect(series(text, 'switchboard_consumer_pending', { channel: received, group: 'slow-group' })).toBe(3);
    expect(series(text, 'switchboard_consumer_ack_pending', { channel: received, group: 'slow-group' })).toBe(1);
    expect(series(text, 'switchboard_dead_letters')).toBe(0);
    // Moleculer's own series are there too
    expect(text).toContain('moleculer_request_total');
  });
});
