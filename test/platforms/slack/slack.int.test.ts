/**
 * Slack end to end on real NATS (JetStream) + Redis: a signed Events API delivery in → message.received
 * stored → a consumer replies in the thread with i_sendMessage → the fake Slack Web API gets chat.postMessage
 * in Slack's shape → message.sent stored; url_verification, a Slack retry, rate limits (HTTP 429 and
 * `ok:false ratelimited`), a permanent error → message.failed, auth.test health.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceBroker } from 'moleculer';
import { channelNames } from '../../../src/channels';
import { defineIntegration } from '../../../src/integration';
import { slack } from '../../../src/platforms/slack';
import { channelRegistry } from '../../../src/registry';
import { defineService } from '../../../src/service/define-service';
import type { IntegrationMessageReceivedPayload } from '../../../src/channels';
import { waitFor } from '../../harness/wait';
import { startNats, startRedis, type ServerProcess } from '../../harness/servers';
import { failedEvents, sentEvents } from '../../integration/outbound-stack';
import { freshNamespace, gatewayService, makeBroker, post, storedReceived, uid } from '../../integration/stack';
import { startFakeSlack, type FakeSlack } from './fake-slack';

const FIXTURES = join(__dirname, '../../fixtures/slack');
const fixtureText = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

let nats: ServerProcess;
let redis: ServerProcess;
let api: FakeSlack;
let broker: ServiceBroker;
let gateway: string;
let ns: string;
const SIGNING_SECRET = `8f742231b10e8888abcd99yyyzzz${uid()}`;
const TOKEN = `xoxb-17653672481-19874698323-${uid()}`;

/** Signs `raw` as Slack does: `v0=` hex HMAC-SHA256 of `v0:<timestamp>:<body>` with the signing secret. */
function slackHeaders(raw: string, secret = SIGNING_SECRET, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signature = createHmac('sha256', secret).update(`v0:${timestamp}:${raw}`).digest('hex');
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': `v0=${signature}` };
}

beforeAll(async () => {
  [nats, redis, api] = await Promise.all([startNats(), startRedis(), startFakeSlack()]);
  api.tokens.add(TOKEN);
  ns = freshNamespace('slack');
  const gw = await gatewayService();
  gateway = gw.url;
  // A consumer as a team would write it: answers every text message in its thread.
  const consumer = defineService({
    name: 'echo',
    channels: {
      [channelNames(ns).MESSAGE_RECEIVED]: {
        group: 'echo',
        async handler(ctx) {
          const { message, channelId } = ctx.params as unknown as IntegrationMessageReceivedPayload;
          if (message.content.type !== 'text') return;
          await ctx.call('slack.i_sendMessage', {
            channelId, message: { conversationId: message.conversationId, threadId: message.threadId ?? message.id, content: { type: 'text', text: `echo: ${message.content.text}` } },
          });
        },
      },
    },
  });
  broker = makeBroker({
    nodeID: `slack-${uid()}`, namespace: ns, natsUrl: nats.url, redisUrl: redis.url, transporter: false, allowPrivateNetworks: true,
    services: [
      gw.schema,
      defineIntegration(slack({ inbound: { channelCacheTtlMs: 0 }, outbound: { retry: { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 200, attemptTimeoutMs: 2000 } } })),
      consumer,
    ],
  });
  await broker.start();
  await channelRegistry(broker).create({
    id: 'ws1', tenantId: 'acme', platform: 'slack', credentials: { botToken: TOKEN }, secrets: [SIGNING_SECRET],
    settings: { apiBaseUrl: api.url, rateLimit: { capacity: 100, refillPerSecond: 100 } },
  });
});
afterAll(async () => {
  await broker?.stop();
  await Promise.all([nats?.cleanup(), redis?.cleanup(), api?.close()]);
});

const hook = () => `${gateway}/webhooks/slack/ws1`;

describe('Slack end to end', () => {
  it('a message in → stored → the consumer replies in its thread → chat.postMessage in Slack\'s shape → message.sent', async () => {
    const raw = fixtureText('message.json');
    const res = await post(hook(), raw, slackHeaders(raw));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, messages: 1, eventId: 'Ev123ABC456' });

    const stored = await storedReceived(nats.url, ns);
    const received = stored.find((m) => m.eventId === 'Ev123ABC456')!;
    expect(received).toMatchObject({ tenantId: 'acme', channelId: 'ws1', integration: 'slack', platform: 'slack', timestamp: 1355517523000 });
    expect((received.message as { content: unknown }).content).toEqual({ type: 'text', text: 'Hello world' });

    const sent = await waitFor(() => sentEvents(nats.url, ns), (items) => items.length >= 1);
    expect(sent).toHaveLength(1);
    const call = api.requests.find((r) => r.method === 'chat.postMessage')!;
    expect(call.body).toEqual({ channel: 'C123ABC456', text: 'echo: Hello world', thread_ts: '1355517523.000005' });
    expect(call.authorization).toBe(`Bearer ${TOKEN}`);
    expect(call.contentType).toBe('application/json; charset=utf-8');
    expect(sent[0].data).toMatchObject({ integration: 'slack', channelId: 'ws1', messageId: expect.stringMatching(/^1700000000\.\d{6}$/) });
    expect(JSON.stringify(sent[0].data)).not.toContain(TOKEN);
  });

  it('Slack\'s retry of a stored event (X-Slack-Retry-Num) answers 200 at once and stores nothing new', async () => {
    const raw = fixtureText('message-thread-reply.json');
    expect((await post(hook(), raw, slackHeaders(raw))).status).toBe(200);
    const before = (await storedReceived(nats.url, ns)).length;
    const retry = await post(hook(), raw, { ...slackHeaders(raw), 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' });
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ duplicate: true });
    expect((await storedReceived(nats.url, ns)).length).toBe(before);
  });

  it('url_verification is answered with the challenge; nothing is stored', async () => {
    const raw = fixtureText('url-verification.json');
    const before = (await storedReceived(nats.url, ns)).length;
    const res = await post(hook(), raw, slackHeaders(raw));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
    expect((await storedReceived(nats.url, ns)).length).toBe(before);
  });

  it('a wrong signature, a stale timestamp, or another secret → 401, nothing stored', async () => {
    const raw = fixtureText('app-mention.json');
    const before = (await storedReceived(nats.url, ns)).length;
    expect((await post(hook(), raw, slackHeaders(raw, 'not-the-secret'))).status).toBe(401);
    expect((await post(hook(), raw, slackHeaders(raw, SIGNING_SECRET, Math.floor(Date.now() / 1000) - 3600))).status).toBe(401);
    expect((await post(hook(), `${raw} `, slackHeaders(raw))).status).toBe(401); // one byte changed
    expect((await storedReceived(nats.url, ns)).length).toBe(before);
  });

  it('a slash command (form body, signed over its raw bytes) is stored as a command and acknowledged with an empty 200', async () => {
    const raw = fixtureText('slash-command.form');
    const res = await post(hook(), raw, { ...slackHeaders(raw), 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(200);
    expect(res.body).toBe(''); // Slack would show a body to the user
    const stored = (await storedReceived(nats.url, ns)).find((m) => m.eventId === '13345224609.738474920.8088930838d88f008e0')!;
    expect((stored.message as { content: unknown }).content).toEqual({ type: 'command', command: 'weather', text: '94070' });
    const tampered = raw.replace('94070', '94071');
    expect((await post(hook(), tampered, { ...slackHeaders(raw), 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(401);
  });

  it('a block_actions interaction (form field payload=<json>) is stored as an interactive reply', async () => {
    const raw = `payload=${encodeURIComponent(JSON.stringify(JSON.parse(fixtureText('block-actions.json'))))}`;
    const res = await post(hook(), raw, { ...slackHeaders(raw), 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(200);
    const stored = (await storedReceived(nats.url, ns)).find((m) => m.eventId === '12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3')!;
    expect((stored.message as { content: unknown }).content).toEqual({ type: 'interactive_reply', replyId: 'click_me_123', title: 'View' });
  });

  it('a bot message is acknowledged and stores nothing', async () => {
    const raw = fixtureText('bot-message.json');
    const res = await post(hook(), raw, slackHeaders(raw));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, messages: 0 });
  });

  it('rate limits, as HTTP 429 and as 200 ok:false ratelimited, are both waited out and the send succeeds', async () => {
    api.script({ http429: 1 }, { okFalse: 'ratelimited', retryAfter: 1 });
    const started = Date.now();
    const result = await broker.call('slack.i_sendMessage', { channelId: 'ws1', message: { conversationId: 'C9', content: { type: 'text', text: 'after the limit' } } }) as { messageId: string; attempts: number };
    expect(result.attempts).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900); // two Retry-After: 1 waits, not the 50 ms backoff
    expect(api.requests.filter((r) => r.method === 'chat.postMessage' && r.body.text === 'after the limit')).toHaveLength(3);
  });

  it('channel_not_found is permanent: one call, 4xx to the caller, message.failed with Slack\'s code', async () => {
    api.script({ okFalse: 'channel_not_found' });
    const before = api.requests.length;
    const err = await broker.call('slack.i_sendMessage', { channelId: 'ws1', message: { conversationId: 'C404', content: { type: 'text', text: 'nowhere' } } }).then(() => null, (e: unknown) => e as { data?: unknown; message: string });
    expect(err).not.toBeNull();
    expect(api.requests.length - before).toBe(1);
    const failed = await waitFor(() => failedEvents(nats.url, ns), (items) => items.length >= 1);
    const event = failed.find((f) => (f.data.message as { conversationId: string }).conversationId === 'C404')!;
    expect(JSON.stringify(event.data.error)).toContain('channel_not_found');
  });

  it('a reaction and an edit go to reactions.add and chat.update', async () => {
    await broker.call('slack.i_sendMessage', { channelId: 'ws1', message: { conversationId: 'C1', content: { type: 'reaction', emoji: 'eyes', targetMessageId: '1.000001' } } });
    await broker.call('slack.i_sendMessage', { channelId: 'ws1', message: { conversationId: 'C1', content: { type: 'edit', targetMessageId: '1.000001', content: { type: 'text', text: 'fixed' } } } });
    expect(api.requests.find((r) => r.method === 'reactions.add')?.body).toEqual({ channel: 'C1', timestamp: '1.000001', name: 'eyes' });
    expect(api.requests.find((r) => r.method === 'chat.update')?.body).toEqual({ channel: 'C1', ts: '1.000001', text: 'fixed' });
  });

  it('health: auth.test ok → healthy; a revoked token → unhealthy with a message naming the credential', async () => {
    expect(await broker.call('slack.i_healthCheck', { channelId: 'ws1' })).toMatchObject({ healthy: true });
    await channelRegistry(broker).create({
      id: 'ws-revoked', tenantId: 'acme', platform: 'slack', credentials: { botToken: 'xoxb-revoked' }, secrets: [SIGNING_SECRET], settings: { apiBaseUrl: api.url },
    });
    const health = await broker.call('slack.i_healthCheck', { channelId: 'ws-revoked' }) as { healthy: boolean; message: string };
    expect(health.healthy).toBe(false);
    expect(health.message).toContain('credentials.botToken');
    expect(health.message).not.toContain('xoxb-revoked');
  });
});
