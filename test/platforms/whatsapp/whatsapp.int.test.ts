/**
 * WhatsApp end to end on real NATS (JetStream) + Redis, through the moleculer-web gateway, against a fake
 * Graph API: signed webhook → message.received → a consumer replies with i_sendMessage → the exact Graph
 * request → message.sent; status webhook → message.status; the 24-hour window (inside, outside, template).
 */
import { createHmac, randomInt } from 'node:crypto';
import type { ServiceBroker } from 'moleculer';
import { channelNames, type IntegrationMessageReceivedPayload } from '../../../src/channels';
import { defineIntegration } from '../../../src/integration';
import { whatsapp, type WhatsAppWebhookBody } from '../../../src/platforms/whatsapp';
import { channelRegistry } from '../../../src/registry';
import { defineService } from '../../../src/service/define-service';
import { waitFor } from '../../harness/wait';
import { startNats, startRedis, type ServerProcess } from '../../harness/servers';
import { failedEvents, readStream, sentEvents } from '../../integration/outbound-stack';
import { freshNamespace, gatewayService, makeBroker, post, uid } from '../../integration/stack';
import { GRAPH_ERRORS, startFakeGraph, type FakeGraph } from './fake-graph';
import { fixture } from './fixtures';

let nats: ServerProcess;
let redis: ServerProcess;
let graph: FakeGraph;
let broker: ServiceBroker;
let ns: string;
let gateway: string;

const FAST = { retry: { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 200, attemptTimeoutMs: 5_000 } };

/** Replies to every text that starts with "echo", as a product's consumer would. */
const replier = (namespace: string) => defineService({
  name: 'replier',
  channels: {
    [channelNames(namespace).MESSAGE_RECEIVED]: {
      group: 'replier',
      async handler(ctx) {
        const { channelId, message } = ctx.params as unknown as IntegrationMessageReceivedPayload;
        if (message.content.type !== 'text' || !message.content.text.startsWith('echo')) return;
        await ctx.call('whatsapp.i_sendMessage', {
          channelId, idempotencyKey: `reply:${message.id}`,
          message: { conversationId: message.conversationId, replyToId: message.id, content: { type: 'text', text: `You said: ${message.content.text}` } },
        });
      },
    },
  },
});

beforeAll(async () => {
  [nats, redis, graph] = await Promise.all([startNats(), startRedis(), startFakeGraph()]);
  ns = freshNamespace('wa');
  const gw = await gatewayService();
  gateway = gw.url;
  broker = makeBroker({
    nodeID: `wa-${uid()}`, namespace: ns, natsUrl: nats.url, redisUrl: redis.url, transporter: false, allowPrivateNetworks: true,
    services: [
      gw.schema,
      defineIntegration(whatsapp({ inbound: { channelCacheTtlMs: 0 }, outbound: FAST })),
      defineIntegration(whatsapp({
        name: 'badwa',
        getChannelConfig: (_ctx, id) => ({ id, tenantId: 't', platform: 'whatsapp', credentials: {}, secrets: ['s'], settings: {}, status: 'ACTIVE' as 'active' }),
      })),
      replier(ns),
    ],
  });
  await broker.start();
});
afterAll(async () => {
  await broker?.stop();
  await Promise.all([nats?.cleanup(), redis?.cleanup(), graph?.close()]);
});

/** A fresh channel with its own phone number id, token and app secret. */
async function newChannel(settings: Record<string, unknown> = {}) {
  const id = `wa-${uid()}`;
  const phoneNumberId = String(randomInt(1e11, 9e11));
  const accessToken = `EAAG${uid()}${uid()}`;
  const appSecret = `app-secret-${uid()}`;
  graph.tokens.set(phoneNumberId, accessToken);
  await channelRegistry(broker).create({
    id, tenantId: 'lucky-shrub', platform: 'whatsapp', credentials: { accessToken, phoneNumberId }, secrets: [appSecret],
    settings: { verifyToken: `vt-${id}`, apiVersion: 'v21.0', apiBaseUrl: graph.url, ...settings },
  });
  return { id, phoneNumberId, accessToken, appSecret };
}

/** POSTs a body signed as Meta signs it (`x-hub-signature-256: sha256=<hex HMAC of the raw bytes>`). */
function postSigned(channelId: string, appSecret: string, body: unknown) {
  const raw = JSON.stringify(body);
  return post(`${gateway}/webhooks/whatsapp/${channelId}`, raw, { 'x-hub-signature-256': `sha256=${createHmac('sha256', appSecret).update(raw).digest('hex')}` });
}

/** The text fixture, from `waId`, sent `ageMs` ago, with a fresh wamid. */
function textFrom(waId: string, text: string, ageMs = 0): WhatsAppWebhookBody & { wamid: string } {
  const payload = fixture('text-message').payload;
  const value = payload.entry![0].changes![0].value!;
  const wamid = `wamid.${uid()}${uid()}`;
  value.contacts![0].wa_id = waId;
  Object.assign(value.messages![0], { id: wamid, from: waId, timestamp: String(Math.floor((Date.now() - ageMs) / 1000)), text: { body: text } });
  return Object.assign(payload, { wamid });
}

const received = () => readStream(nats.url, channelNames(ns).MESSAGE_RECEIVED);
const statuses = () => readStream(nats.url, channelNames(ns).MESSAGE_STATUS);
const send = (channelId: string, message: Record<string, unknown>) => broker.call('whatsapp.i_sendMessage', { channelId, message }) as Promise<Record<string, unknown>>;
const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as Error & { code: number; type: string; data: Record<string, unknown> });

describe('whatsapp end to end', () => {
  it('answers the hub.challenge GET with the verify token, 403 with another', async () => {
    const ch = await newChannel();
    const ok = await fetch(`${gateway}/webhooks/whatsapp/${ch.id}?hub.mode=subscribe&hub.verify_token=vt-${ch.id}&hub.challenge=1158201444`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    const bad = await fetch(`${gateway}/webhooks/whatsapp/${ch.id}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`);
    expect(bad.status).toBe(403);
  });

  it('signed text in → message.received → the consumer replies → the exact Graph request → message.sent', async () => {
    const ch = await newChannel();
    const waId = String(randomInt(1e10, 9e10));
    const body = textFrom(waId, 'echo: does it come in blue?');
    const answer = await postSigned(ch.id, ch.appSecret, body);
    expect(answer).toMatchObject({ status: 200, body: { success: true, messages: 1, eventId: body.wamid } });

    const stored = (await received()).filter((m) => m.data.channelId === ch.id);
    expect(stored).toHaveLength(1);
    expect(stored[0].headers['nats-msg-id']).toBe(`whatsapp:${ch.id}:${body.wamid}:0`);
    expect(stored[0].data).toMatchObject({
      tenantId: 'lucky-shrub', channelId: ch.id, integration: 'whatsapp', platform: 'whatsapp', eventId: body.wamid, index: 0,
      timestamp: Number(body.entry![0].changes![0].value!.messages![0].timestamp) * 1000,
      message: { id: body.wamid, conversationId: waId, from: { id: waId, name: 'Sheena Nelson' }, content: { type: 'text', text: 'echo: does it come in blue?' } },
    });

    const sends = await waitFor(() => graph.sends(ch.phoneNumberId), (s) => s.length >= 1);
    expect(sends).toHaveLength(1);
    expect(sends[0].path).toBe(`/v21.0/${ch.phoneNumberId}/messages`);
    expect(sends[0].headers.authorization).toBe(`Bearer ${ch.accessToken}`);
    expect(sends[0].headers['content-type']).toBe('application/json');
    expect(sends[0].body).toEqual({
      messaging_product: 'whatsapp', recipient_type: 'individual', to: waId, context: { message_id: body.wamid },
      type: 'text', text: { body: 'You said: echo: does it come in blue?', preview_url: false },
    });
    const sent = await waitFor(async () => (await sentEvents(nats.url, ns)).filter((e) => e.data.channelId === ch.id), (e) => e.length >= 1);
    expect(sent).toHaveLength(1);
    expect(sent[0].data).toMatchObject({ tenantId: 'lucky-shrub', integration: 'whatsapp', messageId: sends[0].answer, attempts: 1, idempotencyKey: `reply:${body.wamid}`, metadata: { waId } });

    // Meta retries the same webhook: nothing stored twice, no second reply.
    expect(await postSigned(ch.id, ch.appSecret, body)).toMatchObject({ status: 200, body: { duplicate: true } });
    await new Promise((r) => setTimeout(r, 300));
    expect((await received()).filter((m) => m.data.channelId === ch.id)).toHaveLength(1);
    expect(graph.sends(ch.phoneNumberId)).toHaveLength(1);
  });

  it('a batch (2 entries, 3 changes) stores every message and receipt; Meta\'s escaped unicode verifies over the raw bytes', async () => {
    const ch = await newChannel();
    expect(await postSigned(ch.id, ch.appSecret, fixture('batched').payload)).toMatchObject({ status: 200, body: { messages: 3, eventId: 'wamid.BATCH-1' } });
    const stored = (await received()).filter((m) => m.data.channelId === ch.id);
    expect(stored.map((m) => [m.headers['nats-msg-id'], (m.data.message as { conversationId: string }).conversationId])).toEqual([
      [`whatsapp:${ch.id}:wamid.BATCH-1:0`, '16505551234'], [`whatsapp:${ch.id}:wamid.BATCH-1:1`, '447700900123'], [`whatsapp:${ch.id}:wamid.BATCH-1:2`, '8613800138000'],
    ]);
    expect((await statuses()).filter((m) => m.data.channelId === ch.id).map((m) => m.data.messageId)).toEqual(['wamid.OUT-1']);

    // Meta escapes non-ASCII as \uXXXX: the signature is over those bytes, the parsed emoji is the real one.
    const escaped = JSON.stringify(fixture('reaction-message').payload).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    expect(escaped).toContain('\\ud83d\\udc4d');
    const answer = await post(`${gateway}/webhooks/whatsapp/${ch.id}`, escaped, { 'x-hub-signature-256': `sha256=${createHmac('sha256', ch.appSecret).update(escaped).digest('hex')}` });
    expect(answer.status).toBe(200);
    const reaction = (await received()).filter((m) => m.data.channelId === ch.id).pop();
    expect((reaction?.data.message as { content: unknown }).content).toEqual({ type: 'reaction', emoji: '👍', targetMessageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3N0EyQUJERjQxNkM3QTVCOTEA' });
  });

  it('getMedia: a received image\'s details and bytes, with the channel\'s token; another tenant gets 403', async () => {
    const ch = await newChannel();
    const bytes = Buffer.from('\u00ff\u00d8\u00ff fake jpeg bytes', 'latin1');
    graph.media.set('1003383421387256', { bytes, mimeType: 'image/jpeg' });
    expect(await postSigned(ch.id, ch.appSecret, fixture('image-message').payload)).toMatchObject({ status: 200 });
    const stored = (await received()).filter((m) => m.data.channelId === ch.id);
    const mediaId = (stored[0].data.message as { content: { mediaId: string } }).content.mediaId;
    const info = await broker.call('whatsapp.getMedia', { channelId: ch.id, mediaId }) as Record<string, unknown>;
    expect(info).toMatchObject({ mediaId: '1003383421387256', mimeType: 'image/jpeg', size: bytes.length, url: `${graph.url}/media-bytes/1003383421387256` });
    expect(info.data).toBeUndefined();
    const full = await broker.call('whatsapp.getMedia', { channelId: ch.id, mediaId, download: true }) as { data: string };
    expect(Buffer.from(full.data, 'base64').equals(bytes)).toBe(true);
    await expect(broker.call('whatsapp.getMedia', { channelId: ch.id, mediaId }, { meta: { tenantId: 'someone-else' } })).rejects.toMatchObject({ code: 403 });
    await expect(broker.call('whatsapp.getMedia', { channelId: ch.id, mediaId: '999' })).rejects.toMatchObject({ data: { platformCode: 100 } });
  });

  it('markRead: the read receipt (and typing indicator) in Meta\'s shape', async () => {
    const ch = await newChannel();
    expect(await broker.call('whatsapp.markRead', { channelId: ch.id, messageId: 'wamid.IN-1', typing: true })).toEqual({ success: true });
    expect(graph.sends(ch.phoneNumberId).map((r) => r.body)).toEqual([
      { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.IN-1', typing_indicator: { type: 'text' } },
    ]);
  });

  it('a bad signature is 401 and stores nothing', async () => {
    const ch = await newChannel();
    const body = textFrom('15550001111', 'hi');
    expect((await postSigned(ch.id, 'not-the-app-secret', body)).status).toBe(401);
    expect((await received()).filter((m) => m.data.channelId === ch.id)).toHaveLength(0);
  });

  it('a status webhook → message.status, one event per (message id, status), never a message', async () => {
    const ch = await newChannel();
    const payload = fixture('statuses').payload;
    const list = payload.entry![0].changes![0].value!.statuses!;
    const sentId = `wamid.${uid()}`;
    const failedId = `wamid.${uid()}`;
    list.forEach((s, i) => { s.id = i < 3 ? sentId : failedId; });
    expect(await postSigned(ch.id, ch.appSecret, payload)).toMatchObject({ status: 200, body: { success: true, messages: 0 } });

    const mine = async () => (await statuses()).filter((m) => m.data.channelId === ch.id);
    const events = await mine();
    expect(events.map((e) => [e.data.messageId, e.data.status, e.headers['nats-msg-id']])).toEqual([
      [sentId, 'sent', `whatsapp:${ch.id}:status:${sentId}:sent`],
      [sentId, 'delivered', `whatsapp:${ch.id}:status:${sentId}:delivered`],
      [sentId, 'read', `whatsapp:${ch.id}:status:${sentId}:read`],
      [failedId, 'failed', `whatsapp:${ch.id}:status:${failedId}:failed`],
    ]);
    expect(events[3].data).toEqual({
      tenantId: 'lucky-shrub', channelId: ch.id, integration: 'whatsapp', platform: 'whatsapp', messageId: failedId, status: 'failed',
      timestamp: 1750263790000, conversationId: '16505551234', error: { code: 131026, message: 'Message undeliverable: Message Undeliverable.' },
      eventId: expect.stringMatching(/^sha256:/), receivedAt: expect.any(Number),
    });
    expect((await received()).filter((m) => m.data.channelId === ch.id)).toHaveLength(0);

    // Another webhook repeating "read" (other bytes, so another event id): still one "read" event.
    const again = { object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: { statuses: [{ ...list[2] }] } }] }] };
    expect(await postSigned(ch.id, ch.appSecret, again)).toMatchObject({ status: 200, body: { success: true, messages: 0 } });
    expect((await mine()).filter((e) => e.data.status === 'read')).toHaveLength(1);
  });

  describe('the 24-hour window', () => {
    it('inside: a free-form send goes out', async () => {
      const ch = await newChannel();
      await postSigned(ch.id, ch.appSecret, textFrom('15550002222', 'hello', 23 * 60 * 60 * 1000));
      const state = await broker.call('whatsapp.windowState', { channelId: ch.id, conversationId: '15550002222' }) as { open: boolean; closesAt: number };
      expect(state.open).toBe(true);
      expect(state.closesAt - Date.now()).toBeGreaterThan(50 * 60 * 1000);
      expect(state.closesAt - Date.now()).toBeLessThanOrEqual(60 * 60 * 1000);
      expect(await broker.call('whatsapp.windowState', { channelId: ch.id, conversationId: '15550009999' })).toEqual({ open: false });
      const result = await send(ch.id, { conversationId: '15550002222', content: { type: 'media', kind: 'image', url: 'https://example.com/jacket.jpg', caption: 'Blue' } });
      expect(result.messageId).toBe(graph.sends(ch.phoneNumberId)[0].answer);
      expect(graph.sends(ch.phoneNumberId)[0].body).toMatchObject({ to: '15550002222', type: 'image', image: { link: 'https://example.com/jacket.jpg', caption: 'Blue' } });
    });

    it('outside: WINDOW_CLOSED (400), no Graph call, message.failed says why; a template still goes out', async () => {
      const ch = await newChannel();
      // The user wrote 25 h ago: the message is stored, the window is not open.
      expect(await postSigned(ch.id, ch.appSecret, textFrom('15550003333', 'old', 25 * 60 * 60 * 1000))).toMatchObject({ status: 200, body: { messages: 1 } });
      const err = await failure(send(ch.id, { conversationId: '15550003333', content: { type: 'text', text: 'late reply' } }));
      expect(err).toMatchObject({ code: 400, type: 'WINDOW_CLOSED' });
      expect(graph.sends(ch.phoneNumberId)).toHaveLength(0);
      const failed = (await failedEvents(nats.url, ns)).filter((e) => e.data.channelId === ch.id);
      expect(failed).toHaveLength(1);
      expect(failed[0].data).toMatchObject({ error: { type: 'WINDOW_CLOSED', code: 400 }, retryCount: 0 });

      await send(ch.id, { conversationId: '15550003333', content: { type: 'template', name: 'order_update', language: 'en_US' } });
      expect(graph.sends(ch.phoneNumberId).map((r) => r.body?.type)).toEqual(['template']);
    });

    it('outside with settings.windowTemplate: the template is sent instead, and said so', async () => {
      const components = [{ type: 'body', parameters: [{ type: 'text', text: 'Lucky Shrub' }] }];
      const ch = await newChannel({ windowTemplate: { name: 'reopen_conversation', language: 'en_US', components } });
      const result = await send(ch.id, { conversationId: '15550004444', content: { type: 'text', text: 'are you still there?' } });
      const [request] = graph.sends(ch.phoneNumberId);
      expect(request.body).toEqual({
        messaging_product: 'whatsapp', recipient_type: 'individual', to: '15550004444',
        type: 'template', template: { name: 'reopen_conversation', language: { code: 'en_US' }, components },
      });
      expect(result).toMatchObject({ messageId: request.answer, metadata: { sentAs: 'windowTemplate', template: 'reopen_conversation', messageStatus: 'accepted' } });
    });
  });

  it('Graph errors: 130429 waits and retries; 131047 from Meta is WINDOW_CLOSED; 190 fails and marks the channel unhealthy', async () => {
    const ch = await newChannel();
    await postSigned(ch.id, ch.appSecret, textFrom('15550005555', 'hi'));
    graph.script(ch.phoneNumberId, GRAPH_ERRORS.throughput);
    const started = Date.now();
    const ok = await send(ch.id, { conversationId: '15550005555', content: { type: 'text', text: 'one' } });
    expect(ok.attempts).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);

    graph.script(ch.phoneNumberId, GRAPH_ERRORS.window);
    expect(await failure(send(ch.id, { conversationId: '15550005555', content: { type: 'text', text: 'two' } }))).toMatchObject({ code: 400, type: 'WINDOW_CLOSED' });

    graph.script(ch.phoneNumberId, GRAPH_ERRORS.undeliverable);
    const undeliverable = await failure(send(ch.id, { conversationId: '15550005555', content: { type: 'text', text: 'three' } }));
    expect(undeliverable).toMatchObject({ type: 'PLATFORM_ERROR', data: { platformCode: 131026 } });
    expect(graph.sends(ch.phoneNumberId)).toHaveLength(4); // no retry of a permanent error

    expect(await broker.call('whatsapp.i_healthCheck', { channelId: ch.id })).toMatchObject({ healthy: true, details: { qualityRating: 'GREEN' } });
    graph.tokens.set(ch.phoneNumberId, 'a-rotated-token'); // the channel's token is no longer valid
    expect(await failure(send(ch.id, { conversationId: '15550005555', content: { type: 'text', text: 'four' } }))).toMatchObject({ data: { platformCode: 190 } });
    const lookups = graph.requests.filter((r) => r.phoneNumberId === ch.phoneNumberId && r.method === 'GET').length;
    const health = await broker.call('whatsapp.i_healthCheck', { channelId: ch.id }) as Record<string, unknown>;
    expect(health).toMatchObject({ healthy: false, message: expect.stringMatching(/access token was rejected \(Graph error 190\)/) });
    expect(graph.requests.filter((r) => r.phoneNumberId === ch.phoneNumberId && r.method === 'GET')).toHaveLength(lookups); // told without a call
    expect(JSON.stringify(health)).not.toContain(ch.accessToken);
    expect(await broker.call('whatsapp.i_validateCredentials', { channelId: ch.id })).toMatchObject({ valid: false, checked: true });
  });

  it('a getChannelConfig returning an invalid config (status "ACTIVE") is a 500 with a log line naming the field', async () => {
    const service = broker.getLocalService('badwa') as unknown as { logger: { error: (...a: unknown[]) => void } };
    const logged: string[] = [];
    const spy = jest.spyOn(service.logger, 'error').mockImplementation((...args: unknown[]) => { logged.push(args.map(String).join(' ')); });
    try {
      const raw = JSON.stringify(fixture('text-message').payload);
      const answer = await post(`${gateway}/webhooks/badwa/any`, raw, { 'x-hub-signature-256': `sha256=${createHmac('sha256', 's').update(raw).digest('hex')}` });
      expect(answer.status).toBe(500);
      expect(logged.join('\n')).toMatch(/getChannelConfig\("any"\) returned an invalid channel config: `status` must be one of 'active', 'disabled', got "ACTIVE"/);
    } finally {
      spy.mockRestore();
    }
  });
});
