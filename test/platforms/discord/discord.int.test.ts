/**
 * Discord end to end on real NATS (JetStream) + Redis: interactions signed with an Ed25519 key made by
 * node:crypto (each signature cross-checked with discord-interactions' `verifyKey`) → PING answered PONG,
 * a slash command stored then answered "deferred" (type 5) → a consumer completes it with i_sendMessage →
 * the fake Discord API gets `PATCH /webhooks/<app>/<token>/messages/@original` → message.sent; a bad
 * signature is 401 and stores nothing; a channel message with the bot token; a 429 waits `retry_after`.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyKey } from 'discord-interactions';
import type { ServiceBroker } from 'moleculer';
import { channelNames, type IntegrationMessageReceivedPayload } from '../../../src/channels';
import { defineIntegration } from '../../../src/integration';
import { discord } from '../../../src/platforms/discord';
import { channelRegistry } from '../../../src/registry';
import { defineService } from '../../../src/service/define-service';
import { waitFor } from '../../harness/wait';
import { startNats, startRedis, type ServerProcess } from '../../harness/servers';
import { sentEvents } from '../../integration/outbound-stack';
import { freshNamespace, gatewayService, makeBroker, post, storedReceived, uid } from '../../integration/stack';
import { startFakeDiscord, type FakeDiscord } from './fake-discord';

const fixtureText = (name: string) => readFileSync(join(__dirname, '../../fixtures/discord', name), 'utf8');

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const PUBLIC_KEY_HEX = publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('hex');
const BOT_TOKEN = `MTA.bot-token-${uid()}`;

let nats: ServerProcess;
let redis: ServerProcess;
let api: FakeDiscord;
let broker: ServiceBroker;
let gateway: string;
let ns: string;

/** Signs as Discord does: Ed25519 over `timestamp + body`, hex; and checks it with discord-interactions first. */
async function discordHeaders(raw: string, timestamp = String(Math.floor(Date.now() / 1000))): Promise<Record<string, string>> {
  const signature = sign(null, Buffer.from(timestamp + raw), privateKey).toString('hex');
  expect(await verifyKey(raw, signature, timestamp, PUBLIC_KEY_HEX)).toBe(true);
  return { 'x-signature-ed25519': signature, 'x-signature-timestamp': timestamp };
}

beforeAll(async () => {
  [nats, redis, api] = await Promise.all([startNats(), startRedis(), startFakeDiscord(BOT_TOKEN)]);
  ns = freshNamespace('discord');
  const gw = await gatewayService();
  gateway = gw.url;
  // A consumer as a team would write it: completes every command with an answer.
  const bot = defineService({
    name: 'cardbot',
    channels: {
      [channelNames(ns).MESSAGE_RECEIVED]: {
        group: 'cardbot',
        async handler(ctx) {
          const { message, channelId } = ctx.params as unknown as IntegrationMessageReceivedPayload;
          if (message.content.type !== 'command') return;
          await ctx.call('discord.i_sendMessage', {
            channelId,
            message: { conversationId: message.conversationId, metadata: message.metadata, content: { type: 'text', text: `Found: ${message.content.text}` } },
          });
        },
      },
    },
  });
  broker = makeBroker({
    nodeID: `discord-${uid()}`, namespace: ns, natsUrl: nats.url, redisUrl: redis.url, transporter: false, allowPrivateNetworks: true,
    services: [
      gw.schema,
      defineIntegration(discord({ outbound: { retry: { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 200, attemptTimeoutMs: 2000 } } })),
      bot,
    ],
  });
  await broker.start();
  await channelRegistry(broker).create({
    id: 'guild1', tenantId: 'acme', platform: 'discord', credentials: { botToken: BOT_TOKEN, applicationId: '775799577604522054' },
    secrets: [PUBLIC_KEY_HEX], settings: { apiBaseUrl: api.url, rateLimit: { capacity: 100, refillPerSecond: 100 } },
  });
});
afterAll(async () => {
  await broker?.stop();
  await Promise.all([nats?.cleanup(), redis?.cleanup(), api?.close()]);
});

const hook = () => `${gateway}/webhooks/discord/guild1`;

describe('Discord end to end', () => {
  it('a PING is answered PONG ({type:1}) and stores nothing', async () => {
    const raw = fixtureText('ping.json');
    const res = await post(hook(), raw, await discordHeaders(raw));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ type: 1 });
    expect(await storedReceived(nats.url, ns)).toHaveLength(0);
  });

  it('a slash command: stored, answered deferred (type 5), completed by i_sendMessage through the interaction webhook → message.sent', async () => {
    const raw = fixtureText('application-command.json');
    const res = await post(hook(), raw, await discordHeaders(raw));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ type: 5 });

    const stored = await storedReceived(nats.url, ns);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ eventId: '786008729715212338', platform: 'discord', tenantId: 'acme' });
    expect((stored[0].message as { content: unknown }).content).toEqual({ type: 'command', command: 'cardsearch', text: 'The Gitrog Monster' });

    const sent = await waitFor(() => sentEvents(nats.url, ns), (items) => items.length >= 1);
    expect(sent).toHaveLength(1);
    const completion = api.requests.find((r) => r.path.startsWith('/webhooks/'))!;
    expect(completion.method).toBe('PATCH');
    expect(completion.path).toBe('/webhooks/775799577604522054/A_UNIQUE_TOKEN/messages/@original');
    expect(completion.body).toEqual({ content: 'Found: The Gitrog Monster' });
    expect(completion.authorization).toBeUndefined(); // interaction webhooks take no bot token
    expect(sent[0].data).toMatchObject({ integration: 'discord', messageId: expect.stringMatching(/^\d+$/) });
    expect(JSON.stringify(sent[0].data)).not.toContain(BOT_TOKEN);
  });

  it('a button press is stored and acknowledged without a new message (type 6)', async () => {
    const raw = fixtureText('message-component.json');
    const res = await post(hook(), raw, await discordHeaders(raw));
    expect(res.body).toEqual({ type: 6 });
    const stored = await storedReceived(nats.url, ns);
    expect(stored.some((m) => (m.message as { content: { type: string } }).content.type === 'interactive_reply')).toBe(true);
  });

  it('a wrong signature, another key, a stale timestamp, a changed byte → 401, nothing stored', async () => {
    const raw = fixtureText('dm-command.json');
    const before = (await storedReceived(nats.url, ns)).length;
    const other = generateKeyPairSync('ed25519').privateKey;
    const ts = String(Math.floor(Date.now() / 1000));
    const foreign = { 'x-signature-ed25519': sign(null, Buffer.from(ts + raw), other).toString('hex'), 'x-signature-timestamp': ts };
    expect(await verifyKey(raw, foreign['x-signature-ed25519'], ts, PUBLIC_KEY_HEX)).toBe(false);
    expect((await post(hook(), raw, foreign)).status).toBe(401);
    expect((await post(hook(), raw, await discordHeaders(raw, String(Math.floor(Date.now() / 1000) - 3600)))).status).toBe(401);
    expect((await post(hook(), `${raw}\n`, await discordHeaders(raw))).status).toBe(401);
    expect((await post(hook(), raw, {})).status).toBe(401);
    expect((await storedReceived(nats.url, ns)).length).toBe(before);
  });

  it('a channel message goes with the bot token; a 429 waits the body\'s retry_after', async () => {
    api.rateLimit(1, 0.8);
    const started = Date.now();
    const result = await broker.call('discord.i_sendMessage', {
      channelId: 'guild1', message: { conversationId: '645027906669510667', replyToId: '846462638757642270', content: { type: 'text', text: 'hello channel' } },
    }) as { messageId: string; attempts: number };
    expect(result.attempts).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(750);
    const calls = api.requests.filter((r) => r.path === '/channels/645027906669510667/messages');
    expect(calls).toHaveLength(2);
    expect(calls[1].authorization).toBe(`Bot ${BOT_TOKEN}`);
    expect(calls[1].body).toEqual({ content: 'hello channel', message_reference: { message_id: '846462638757642270' } });
  });

  it('Unknown Channel (404, code 10003) is permanent; health with the bot token', async () => {
    const err = await broker.call('discord.i_sendMessage', { channelId: 'guild1', message: { conversationId: '404', content: { type: 'text', text: 'x' } } })
      .then(() => null, (e: unknown) => e as { data?: { lastError?: unknown } });
    expect(err).not.toBeNull();
    expect(api.requests.filter((r) => r.path === '/channels/404/messages')).toHaveLength(1);
    expect(await broker.call('discord.i_healthCheck', { channelId: 'guild1' })).toMatchObject({ healthy: true });
  });
});
