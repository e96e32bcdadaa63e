/** `whatsapp(options)`: a config `defineIntegration` takes; options override hooks; the window policy stays whatever normalize is used. */
import { ServiceBroker } from 'moleculer';
import { createChannelsMiddleware } from '../../../src/channels';
import { defineIntegration } from '../../../src/integration';
import { whatsapp, WHATSAPP_PAIR_RATE_LIMIT, WHATSAPP_RATE_LIMIT, windowKey } from '../../../src/platforms/whatsapp';
import { acquireStore, releaseStore } from '../../../src/store';
import type { IntegrationConfig, NormalizedMessage, WebhookEvent } from '../../../src/types';
import { fixture, webhookOf } from './fixtures';

const channel: IntegrationConfig = {
  id: 'wa1', tenantId: 't1', platform: 'whatsapp', credentials: { accessToken: 'T', phoneNumberId: '1' }, secrets: ['app'], settings: { verifyToken: 'vt' }, status: 'active',
};

describe('whatsapp() factory', () => {
  it('ships every hook, Meta signature, statuses, pacing; defineIntegration accepts it', () => {
    const config = whatsapp();
    expect(config).toMatchObject({ name: 'whatsapp', spec: { platform: 'whatsapp' }, webhookSignature: { name: 'meta' }, webhookChallenge: false, outbound: { rateLimit: WHATSAPP_RATE_LIMIT } });
    for (const hook of ['normalize', 'statuses', 'eventId', 'verifyWebhook', 'sendMessage', 'checkHealth', 'validateCredentials'] as const) expect(typeof config[hook]).toBe('function');
    const schema = defineIntegration(whatsapp());
    expect(Object.keys(schema.actions)).toEqual(expect.arrayContaining(['i_receiveWebhook', 'i_verifyWebhook', 'i_sendMessage', 'i_healthCheck']));
    expect(WHATSAPP_PAIR_RATE_LIMIT.refillPerSecond).toBeCloseTo(1 / 6);
    expect(WHATSAPP_RATE_LIMIT).toEqual({ capacity: 80, refillPerSecond: 80, perConversation: { capacity: 45, refillPerSecond: 1 / 6 } });
  });

  it('options override hooks and the name; outbound options merge over the shipped ones', () => {
    const sendMessage = async () => ({ messageId: 'x' });
    const config = whatsapp({ name: 'wa-eu', sendMessage, outbound: { maxRateLimitWaitMs: 1 } });
    expect(config.name).toBe('wa-eu');
    expect(config.sendMessage).toBe(sendMessage);
    expect(config.outbound).toEqual({ rateLimit: WHATSAPP_RATE_LIMIT, maxRateLimitWaitMs: 1 });
    expect(whatsapp({ outbound: { rateLimit: false } }).outbound?.rateLimit).toBe(false);
    // Meta retries a webhook for up to 7 days: its event id is remembered that long, unless told otherwise.
    expect(whatsapp().inbound).toEqual({ doneTtlMs: 7 * 24 * 60 * 60 * 1000 });
    expect(whatsapp({ inbound: { channelCacheTtlMs: 0, doneTtlMs: 60_000 } }).inbound).toEqual({ channelCacheTtlMs: 0, doneTtlMs: 60_000 });
  });

  it('the messages any normalize returns open their users\' windows (own normalize included)', async () => {
    const broker = new ServiceBroker({ logger: false, middlewares: [createChannelsMiddleware({ namespace: 'fx' })] });
    const own = jest.fn((webhook: WebhookEvent<unknown>): NormalizedMessage[] => [
      { id: 'm', platform: 'whatsapp', conversationId: 'u-own', from: { id: 'u-own' }, timestamp: webhook.receivedAt, content: { type: 'text', text: 'x' } },
    ]);
    const shipped = broker.createService(defineIntegration(whatsapp({ name: 'wa-a' })));
    const custom = broker.createService(defineIntegration(whatsapp({ name: 'wa-b', normalize: own })));
    await broker.start();
    const store = acquireStore(broker);
    try {
      const now = Date.now();
      const body = fixture('text-message').payload;
      body.entry![0].changes![0].value!.messages![0].timestamp = String(Math.floor(now / 1000));
      await whatsapp().normalize.call(shipped, webhookOf(body, { receivedAt: now }), channel);
      expect(await store.get(windowKey(channel, '16505551234'))).toBe(String(Math.floor(now / 1000) * 1000));
      await whatsapp({ normalize: own }).normalize.call(custom, webhookOf(body, { receivedAt: now }), channel);
      expect(own).toHaveBeenCalledTimes(1);
      expect(await store.get(windowKey(channel, 'u-own'))).toBe(String(now));
    } finally {
      await releaseStore(broker);
      await broker.stop();
    }
  });

  it('enforceWindow: false sends without looking at the window (Meta decides)', async () => {
    const calls: string[] = [];
    const fetch = async (url: string) => { calls.push(url); return new Response(JSON.stringify({ messages: [{ id: 'wamid.OK' }] })); };
    const broker = new ServiceBroker({ logger: false, middlewares: [createChannelsMiddleware({ namespace: 'fy' })] });
    const service = broker.createService(defineIntegration(whatsapp({ name: 'wa-c', fetch, enforceWindow: false })));
    await broker.start();
    try {
      const attempt = { attempt: 1, signal: new AbortController().signal, idempotencyKey: 'k' };
      const result = await whatsapp({ fetch, enforceWindow: false }).sendMessage!.call(service, {} as never, { conversationId: 'never-wrote', content: { type: 'text', text: 'hi' } }, channel, attempt);
      expect(result.messageId).toBe('wamid.OK');
      await expect(whatsapp({ fetch }).sendMessage!.call(service, {} as never, { conversationId: 'never-wrote', content: { type: 'text', text: 'hi' } }, channel, attempt))
        .rejects.toMatchObject({ type: 'WINDOW_CLOSED' });
      expect(calls).toEqual(['https://graph.facebook.com/v21.0/1/messages']);
    } finally {
      await broker.stop();
    }
  });

  it('the challenge uses settings.verifyToken', () => {
    const answer = whatsapp().verifyWebhook!.call({} as never, {} as never, { channelId: 'wa1', headers: {}, query: { 'hub.mode': 'subscribe', 'hub.verify_token': 'vt', 'hub.challenge': '99' } }, channel);
    expect(answer).toBe('99');
    expect(() => whatsapp().verifyWebhook!.call({} as never, {} as never, { channelId: 'wa1', headers: {}, query: { 'hub.mode': 'subscribe', 'hub.verify_token': 'x', 'hub.challenge': '99' } }, channel)).toThrow(/does not match/);
  });
});
