/**
 * The shipped Slack and Meta schemes through the real pipeline (HTTP → gateway → NATS → integration → JetStream):
 * Slack's url_verification answered only after its v0 signature and timestamp check; Meta's signed event
 * and GET hub challenge; a custom `validateSignature` that throws is a 401.
 */
import type { ServiceBroker } from 'moleculer';
import { defineIntegration } from '../../src/integration';
import { metaSignature, slackSignature } from '../../src/security';
import type { IntegrationConfig, NormalizedMessage, WebhookEvent } from '../../src/types';
import { suiteServers } from '../harness/suite';
import { freshNamespace, gatewayService, makeBroker, post, storedReceived, uid } from './stack';

const stack = suiteServers();
let gw: ServiceBroker;
let int: ServiceBroker;
let base: string;
let ns: string;
const slack = slackSignature();
const meta = metaSignature();
const chan = (id: string, platform: string): IntegrationConfig => ({ id, tenantId: `t-${id}`, platform, credentials: {}, secrets: [`sec-${id}`], settings: { verifyToken: 'meta-vt' }, status: 'active' });
const spec = (platform: string) => ({ id: platform, name: platform, platform, version: '1', status: 'ACTIVE' as const, capabilities: [] });

type SlackBody = { type: string; event_id?: string; event?: { type: string; text: string; user: string; channel: string; ts: string } };
type MetaBody = { entry: Array<{ id: string; changes: Array<{ value: { messages?: Array<{ id: string; from: string; timestamp: string; text: { body: string } }> } }> }> };

const slackish = defineIntegration({
  name: 'slackish', spec: spec('slack'), webhookSignature: slack,
  getChannelConfig: (_c, id) => (id === 'ws1' ? chan('ws1', 'slack') : null),
  eventId: (w: WebhookEvent<SlackBody>) => w.payload.event_id,
  normalize: (w: WebhookEvent<SlackBody>): NormalizedMessage[] => (w.payload.event?.type === 'message' ? [{
    id: w.payload.event.ts, platform: 'slack', conversationId: w.payload.event.channel, from: { id: w.payload.event.user },
    timestamp: Math.round(Number(w.payload.event.ts) * 1000), content: { type: 'text', text: w.payload.event.text },
  }] : []),
});

const metaish = defineIntegration({
  name: 'metaish', spec: spec('whatsapp'), webhookSignature: meta,
  getChannelConfig: (_c, id) => (id === 'wa1' ? chan('wa1', 'whatsapp') : null),
  eventId: (w: WebhookEvent<MetaBody>) => w.payload.entry.flatMap((e) => e.changes.flatMap((c) => c.value.messages ?? [])).map((m) => m.id).join(',') || undefined,
  normalize: (w: WebhookEvent<MetaBody>): NormalizedMessage[] => w.payload.entry.flatMap((e) => e.changes.flatMap((c) => c.value.messages ?? [])).map((m) => ({
    id: m.id, platform: 'whatsapp', conversationId: m.from, from: { id: m.from }, timestamp: Number(m.timestamp) * 1000, content: { type: 'text', text: m.text.body },
  })),
});

const custom = defineIntegration({
  name: 'custom', spec: spec('custom'),
  validateSignature: (input) => { if (!input.headers['x-token']) throw new Error('boom'); return input.headers['x-token'] === input.secrets[0]; },
  getChannelConfig: (_c, id) => (id === 'k1' ? chan('k1', 'custom') : null),
  eventId: (w: WebhookEvent<{ id: string }>) => w.payload.id,
  normalize: () => [],
});

beforeAll(async () => {
  ns = freshNamespace('plat');
  const g = await gatewayService();
  base = g.url;
  gw = makeBroker({ nodeID: 'pgw', namespace: ns, natsUrl: stack.nats().url, redisUrl: stack.redis().url, services: [g.schema] });
  int = makeBroker({ nodeID: 'pint', namespace: ns, natsUrl: stack.nats().url, redisUrl: stack.redis().url, services: [slackish, metaish, custom] });
  stack.suiteBrokers.push(gw, int);
  await Promise.all([gw.start(), int.start()]);
  await gw.waitForServices(['slackish', 'metaish', 'custom']);
}, 60_000);

describe('Slack', () => {
  const now = () => Math.floor(Date.now() / 1000);
  it('url_verification → { challenge } after the v0 signature checks out; nothing claimed or stored', async () => {
    const raw = JSON.stringify({ type: 'url_verification', challenge: 'ch-123', token: 'x' });
    const res = await post(`${base}/webhooks/slackish/ws1`, raw, slack.sign({ rawBody: raw, secret: 'sec-ws1' }));
    expect(res).toMatchObject({ status: 200, body: { challenge: 'ch-123' } });
  });
  it('url_verification with a stale timestamp or another secret → 401', async () => {
    const raw = JSON.stringify({ type: 'url_verification', challenge: 'ch-123' });
    expect((await post(`${base}/webhooks/slackish/ws1`, raw, slack.sign({ rawBody: raw, secret: 'sec-ws1', timestamp: now() - 600 }))).status).toBe(401);
    expect((await post(`${base}/webhooks/slackish/ws1`, raw, slack.sign({ rawBody: raw, secret: 'nope' }))).status).toBe(401);
  });
  it('a message event is stored once; Slack\'s retry (new timestamp, same event_id) is a duplicate', async () => {
    const eventId = `Ev${uid()}`;
    const raw = JSON.stringify({ type: 'event_callback', event_id: eventId, event: { type: 'message', text: 'hi', user: 'U1', channel: 'C1', ts: '1732250000.000100' } });
    expect((await post(`${base}/webhooks/slackish/ws1`, raw, slack.sign({ rawBody: raw, secret: 'sec-ws1' }))).body).toMatchObject({ messages: 1 });
    const retry = await post(`${base}/webhooks/slackish/ws1`, raw, { ...slack.sign({ rawBody: raw, secret: 'sec-ws1', timestamp: now() + 1 }), 'x-slack-retry-num': '1' });
    expect(retry.body).toMatchObject({ duplicate: true });
    expect((await storedReceived(stack.nats().url, ns)).filter((m) => m.eventId === eventId)).toHaveLength(1);
  });
});

describe('Meta (WhatsApp Cloud API shape)', () => {
  it('a signed event with escaped unicode is stored; the same bytes re-escaped differently → 401', async () => {
    const id = `wamid.${uid()}`;
    const raw = `{"entry":[{"id":"biz","changes":[{"value":{"messages":[{"id":"${id}","from":"4915","timestamp":"1732250000","text":{"body":"\\u00e9t\\u00e9 \\ud83d\\ude00"}}]}}]}]}`;
    const ok = await post(`${base}/webhooks/metaish/wa1`, raw, meta.sign({ rawBody: raw, secret: 'sec-wa1' }));
    expect(ok).toMatchObject({ status: 200, body: { messages: 1 } });
    const [m] = (await storedReceived(stack.nats().url, ns)).filter((x) => x.eventId === id);
    expect(m).toMatchObject({ tenantId: 't-wa1', message: { content: { text: 'été 😀' } } });
    const unescaped = raw.replace('\\u00e9t\\u00e9 \\ud83d\\ude00', 'été 😀');
    expect((await post(`${base}/webhooks/metaish/wa1`, unescaped, meta.sign({ rawBody: raw, secret: 'sec-wa1' }))).status).toBe(401);
  });
  it('GET hub challenge with the channel\'s verify token', async () => {
    const res = await fetch(`${base}/webhooks/metaish/wa1?hub.mode=subscribe&hub.verify_token=meta-vt&hub.challenge=987`);
    expect([res.status, await res.text()]).toEqual([200, '987']);
  });
  it('a status-only webhook (no message ids) → 200 with nothing stored, identified by the hash of its bytes', async () => {
    const raw = JSON.stringify({ entry: [{ id: 'biz', changes: [{ value: { statuses: [{ id: uid() }] } }] }] });
    const res = await post(`${base}/webhooks/metaish/wa1`, raw, meta.sign({ rawBody: raw, secret: 'sec-wa1' }));
    expect(res).toMatchObject({ status: 200, body: { messages: 0, eventId: expect.stringMatching(/^sha256:/) } });
  });
});

describe('custom validateSignature', () => {
  it('true → accepted; false → 401; a throw → 401, never 500', async () => {
    const raw = JSON.stringify({ id: `c-${uid()}` });
    expect((await post(`${base}/webhooks/custom/k1`, raw, { 'x-token': 'sec-k1' })).status).toBe(200);
    expect((await post(`${base}/webhooks/custom/k1`, raw, { 'x-token': 'wrong' })).status).toBe(401);
    expect((await post(`${base}/webhooks/custom/k1`, raw, {})).status).toBe(401);
  });
});
