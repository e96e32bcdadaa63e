/**
 * Telegram end to end on real NATS (JetStream) + Redis, against the fake Bot API: a webhook signed with the
 * channel's secret token in → message.received stored → a consumer replies with i_sendMessage → the fake
 * gets the exact request → message.sent stored; 429 retry_after waited; 403 blocked → message.failed;
 * callback queries answered after storage; setWebhook registers the gateway URL with the secret.
 */
import type { ServiceBroker } from 'moleculer';
import { channelNames } from '../../../src/channels';
import { defineIntegration } from '../../../src/integration';
import { telegram } from '../../../src/platforms/telegram';
import { channelRegistry } from '../../../src/registry';
import { defineService } from '../../../src/service/define-service';
import { ERROR_TYPES } from '../../../src/errors';
import type { IntegrationMessageReceivedPayload } from '../../../src/channels';
import { startNats, startRedis, type ServerProcess } from '../../harness/servers';
import { failedEvents, sentEvents } from '../../integration/outbound-stack';
import { freshNamespace, gatewayService, makeBroker, post, storedReceived, uid } from '../../integration/stack';
import { ANSWERS, startFakeBotApi, type FakeBotApi } from './fake-bot-api';
import { failure, fixture, newBotToken, newSecretToken, waitFor } from './helpers';

let nats: ServerProcess;
let redis: ServerProcess;
let api: FakeBotApi;
let broker: ServiceBroker;
let ns: string;
let base: string;
const replies: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  [nats, redis, api] = await Promise.all([startNats(), startRedis(), startFakeBotApi()]);
  ns = freshNamespace('tg');
  const gateway = await gatewayService();
  base = gateway.url;
  const received = channelNames(ns).MESSAGE_RECEIVED;
  // A consumer as a product would write it: answer every text with an echo, as a reply to it.
  const replier = defineService({
    name: 'replier',
    channels: {
      [received]: {
        group: 'replier',
        async handler(ctx) {
          const p = ctx.params as unknown as IntegrationMessageReceivedPayload;
          if (p.message.content.type !== 'text') return;
          const result = await ctx.call('telegram.i_sendMessage', {
            channelId: p.channelId, idempotencyKey: `reply-${p.eventId}`,
            message: { conversationId: p.message.conversationId, replyToId: p.message.id, content: { type: 'text', text: `echo: ${p.message.content.text}` } },
          });
          replies.push(result as Record<string, unknown>);
        },
      },
    },
  });
  broker = makeBroker({
    nodeID: `tg-${uid()}`, namespace: ns, natsUrl: nats.url, redisUrl: redis.url, transporter: false, allowPrivateNetworks: true,
    services: [
      gateway.schema,
      defineIntegration(telegram({ inbound: { channelCacheTtlMs: 0 }, outbound: { retry: { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 200, attemptTimeoutMs: 3000 } } })),
      replier,
    ],
  });
  await broker.start();
});
afterAll(async () => {
  await broker?.stop();
  await Promise.all([nats?.cleanup(), redis?.cleanup(), api?.close()]);
});

/** A fresh channel with its own bot on the fake Bot API. */
async function newChannel(settings: Record<string, unknown> = {}) {
  const id = `bot-${uid()}`;
  const token = newBotToken();
  const secret = newSecretToken();
  api.addBot(token);
  await channelRegistry(broker).create({ id, tenantId: 'acme', platform: 'telegram', credentials: { botToken: token }, secrets: [secret], settings: { apiBaseUrl: api.url, ...settings } });
  const calls = (method: string) => api.calls.filter((c) => c.token === token && c.method === method);
  const deliver = (body: unknown, header: string | null = secret) =>
    post(`${base}/webhooks/telegram/${id}`, typeof body === 'string' ? body : JSON.stringify(body), header === null ? {} : { 'x-telegram-bot-api-secret-token': header });
  return { id, token, secret, calls, deliver };
}

const receivedFor = async (channelId: string) => (await storedReceived(nats.url, ns)).filter((m) => m.channelId === channelId);

describe('Telegram webhooks in, replies out', () => {
  it('text update → message.received → the consumer replies → exact sendMessage → message.sent', async () => {
    const ch = await newChannel();
    const res = await ch.deliver(fixture('text-message.json'));
    expect(res).toMatchObject({ status: 200, body: { success: true, messages: 1, eventId: '10000' } });

    const [stored] = await receivedFor(ch.id);
    expect(stored).toMatchObject({
      tenantId: 'acme', channelId: ch.id, integration: 'telegram', platform: 'telegram', eventId: '10000', index: 0, timestamp: 1441645532000,
      $msgId: `telegram:${ch.id}:10000:0`,
      message: { id: '1365', conversationId: '1111111', from: { id: '1111111', name: 'Test Test Lastname' }, content: { type: 'text', text: 'Hello, is anyone there?' } },
    });

    const [sendCall] = await waitFor(() => ch.calls('sendMessage'), (c) => c.length === 1);
    expect(sendCall!.body).toEqual({ chat_id: '1111111', text: 'echo: Hello, is anyone there?', reply_parameters: { message_id: 1365, allow_sending_without_reply: true } });

    const sent = await waitFor(async () => (await sentEvents(nats.url, ns)).filter((e) => e.data.channelId === ch.id), (e) => e.length === 1);
    expect(sent[0]!.data).toMatchObject({ tenantId: 'acme', integration: 'telegram', attempts: 1, idempotencyKey: 'reply-10000', metadata: { chatId: '1111111', method: 'sendMessage' } });
    const reply = await waitFor(() => replies.find((r) => r.channelId === ch.id), (r) => r !== undefined);
    expect(sent[0]!.data.messageId).toBe(reply!.messageId);
    // the bot token never reaches an event
    expect(JSON.stringify(sent)).not.toContain(ch.token);
  });

  it('the secret token is checked: missing or wrong → 401, nothing stored; a duplicate delivery is stored once', async () => {
    const ch = await newChannel();
    expect((await ch.deliver(fixture('command.json'), null)).status).toBe(401);
    expect((await ch.deliver(fixture('command.json'), `${ch.secret}x`)).status).toBe(401);
    expect((await ch.deliver(fixture('command.json'), 'not valid!')).status).toBe(401);
    expect(await receivedFor(ch.id)).toHaveLength(0);
    expect((await ch.deliver(fixture('command.json'))).body).toMatchObject({ success: true, messages: 1 });
    expect((await ch.deliver(fixture('command.json'))).body).toMatchObject({ success: true, duplicate: true, messages: 0 });
    const stored = await receivedFor(ch.id);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.message).toMatchObject({ content: { type: 'command', command: 'start', text: 'welcome-campaign' } });
  });

  it('a body that is not an update → 400, nothing stored; an update without a message → 200, nothing stored', async () => {
    const ch = await newChannel();
    const bad = await ch.deliver({ message: { text: 'no update_id' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ message: expect.stringContaining('update_id') });
    expect((await ch.deliver('{"update_id": 1, ')).status).toBe(400);
    expect((await ch.deliver(fixture('my-chat-member.json'))).body).toMatchObject({ success: true, messages: 0 });
    expect(await receivedFor(ch.id)).toHaveLength(0);
  });

  it('a button press is stored, then answered with answerCallbackQuery (once, not on the duplicate)', async () => {
    const ch = await newChannel();
    expect((await ch.deliver(fixture('callback-query.json'))).body).toMatchObject({ messages: 1 });
    const [answer] = await waitFor(() => ch.calls('answerCallbackQuery'), (c) => c.length === 1);
    expect(answer!.body).toEqual({ callback_query_id: '4382bfdwdsb323b2d9' });
    const [stored] = await receivedFor(ch.id);
    expect(stored!.message).toMatchObject({ content: { type: 'interactive_reply', replyId: 'order:confirm', title: 'Yes, confirm' } });
    await ch.deliver(fixture('callback-query.json'));
    await new Promise((r) => setTimeout(r, 200));
    expect(ch.calls('answerCallbackQuery')).toHaveLength(1);
  });

  it('a 429 with parameters.retry_after is waited out, then sent (no option needed)', async () => {
    const ch = await newChannel();
    api.fail(ch.token, 'sendMessage', ANSWERS.tooManyRequests!);
    const result = await broker.call('telegram.i_sendMessage', { channelId: ch.id, message: { conversationId: '42', content: { type: 'text', text: 'patience' } } }) as Record<string, unknown>;
    expect(result).toMatchObject({ attempts: 2, duplicate: false });
    const [first, second] = ch.calls('sendMessage');
    // retry_after is 1 s: the retry came no sooner (the backoff alone would be 50 ms)
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
    expect(second!.body).toEqual({ chat_id: '42', text: 'patience' });
  });

  it('403 bot blocked: permanent, one call, message.failed with the reason', async () => {
    const ch = await newChannel();
    api.fail(ch.token, 'sendMessage', ANSWERS.botBlocked!);
    const err = await failure(broker.call('telegram.i_sendMessage', { channelId: ch.id, message: { conversationId: '42', content: { type: 'text', text: 'hello?' } } }));
    expect(err).toMatchObject({ type: ERROR_TYPES.PLATFORM_ERROR, message: expect.stringContaining('bot was blocked by the user') });
    expect(ch.calls('sendMessage')).toHaveLength(1);
    const failed = await waitFor(async () => (await failedEvents(nats.url, ns)).filter((e) => e.data.channelId === ch.id), (e) => e.length === 1);
    expect(failed[0]!.data).toMatchObject({
      retryCount: 0, message: { conversationId: '42' },
      error: { type: ERROR_TYPES.PLATFORM_ERROR, retryable: false, message: 'telegram sendMessage: Forbidden: bot was blocked by the user (403)' },
    });
  });

  it('photo by URL, document by file_id, typing: the exact Bot API requests', async () => {
    const ch = await newChannel();
    const send = (content: Record<string, unknown>) => broker.call('telegram.i_sendMessage', { channelId: ch.id, message: { conversationId: '-100200', content } });
    await send({ type: 'media', kind: 'image', url: 'https://example.com/receipt.jpg', caption: 'Your receipt' });
    await send({ type: 'media', kind: 'document', mediaId: 'AwADBAADbXXXXXXXXXXXGBdhD2l6_XX' });
    const typing = await send({ type: 'typing' }) as Record<string, unknown>;
    expect(ch.calls('sendPhoto')[0]!.body).toEqual({ chat_id: '-100200', photo: 'https://example.com/receipt.jpg', caption: 'Your receipt' });
    expect(ch.calls('sendDocument')[0]!.body).toEqual({ chat_id: '-100200', document: 'AwADBAADbXXXXXXXXXXXGBdhD2l6_XX' });
    expect(ch.calls('sendChatAction')[0]!.body).toEqual({ chat_id: '-100200', action: 'typing' });
    expect(typing.messageId).toBe('sendChatAction:-100200');
  });

  it('setWebhook registers the gateway URL with the channel secret; Telegram\'s delivery to it is accepted', async () => {
    const ch = await newChannel();
    const answer = await broker.call('telegram.setWebhook', { channelId: ch.id, publicUrl: base }) as { url: string };
    expect(answer.url).toBe(`${base}/webhooks/telegram/${ch.id}`);
    const hook = api.webhook(ch.token)!;
    expect(hook).toMatchObject({ url: answer.url, secret_token: ch.secret });
    expect(hook.allowed_updates).toEqual(expect.arrayContaining(['message', 'edited_message', 'channel_post', 'callback_query']));
    // what Telegram then sends: the update to that URL with the registered secret in the header
    const res = await post(hook.url, JSON.stringify(fixture('photo.json')), { 'x-telegram-bot-api-secret-token': hook.secret_token! });
    expect(res.body).toMatchObject({ success: true, messages: 1, eventId: '10007' });
    await broker.call('telegram.deleteWebhook', { channelId: ch.id });
    expect(api.webhook(ch.token)).toBeUndefined();
    await expect(broker.call('telegram.setWebhook', { channelId: ch.id, publicUrl: base }, { meta: { tenantId: 'globex' } })).rejects.toMatchObject({ code: 403 });
    // a polling channel gets no webhook (it would stop its getUpdates)
    const polled = await newChannel({ mode: 'polling' });
    await expect(broker.call('telegram.setWebhook', { channelId: polled.id, publicUrl: base })).rejects.toMatchObject({ code: 409, message: expect.stringContaining('polling mode') });
    expect(polled.calls('setWebhook')).toHaveLength(0);
  });

  it('health and credentials through getMe; a refused token is reported, never shown', async () => {
    const ch = await newChannel();
    expect(await broker.call('telegram.i_healthCheck', { channelId: ch.id })).toMatchObject({ healthy: true, details: { username: 'fake_bot' } });
    expect(await broker.call('telegram.i_validateCredentials', { channelId: ch.id })).toMatchObject({ valid: true, checked: true });
    const wrong = '555:AAwrong-token-value-000';
    const check = await broker.call('telegram.i_validateCredentials', { channelId: ch.id, credentials: { botToken: wrong } }) as Record<string, unknown>;
    expect(check).toMatchObject({ valid: false, message: expect.stringContaining('401') });
    expect(JSON.stringify(check)).not.toContain('AAwrong');
  });
});
