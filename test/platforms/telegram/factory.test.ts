/** `telegram(options?)`: what defineIntegration gets, and how options override hooks (and add to lifecycle hooks). */
import { ServiceBroker } from 'moleculer';
import { createChannelsMiddleware } from '../../../src/channels';
import { defineIntegration } from '../../../src/integration';
import { telegram, telegramConversationRateLimit } from '../../../src/platforms/telegram';
import { telegramSecretToken } from '../../../src/security';
import type { IntegrationConfig, NormalizedMessage, WebhookEvent } from '../../../src/types';
import { fixture } from './helpers';

const channel: IntegrationConfig = { id: 'bot', tenantId: 't', platform: 'telegram', credentials: { botToken: '1:AAAAAAAAAAAA' }, secrets: ['s'], settings: {}, status: 'active' };
const webhook = (payload: unknown): WebhookEvent<never> => ({ integration: 'telegram', channelId: 'bot', tenantId: 't', headers: {}, query: {}, rawBody: Buffer.from(''), payload: payload as never, receivedAt: 1 });

describe('telegram()', () => {
  it('defaults: name, platform, the secret-token scheme, update_id as event id, the normalizer, no POST challenge', () => {
    const config = telegram();
    expect(config.name).toBe('telegram');
    expect(config.spec).toMatchObject({ platform: 'telegram', status: 'ACTIVE' });
    expect(config.webhookSignature?.name).toBe(telegramSecretToken().name);
    expect(config.webhookChallenge).toBe(false);
    const update = fixture('text-message.json');
    expect(config.eventId!.call({} as never, webhook(update))).toBe(10000);
    const [message] = config.normalize.call({} as never, webhook(update), channel as never) as NormalizedMessage[];
    expect(message).toMatchObject({ id: '1365', content: { type: 'text' } });
    expect(() => config.validateWebhook!.call({} as never, webhook({ nope: 1 }))).toThrow(/update_id/);
    expect(Object.keys(config.actions ?? {})).toEqual(expect.arrayContaining(['setWebhook', 'deleteWebhook', 'answerCallbackQuery']));
    expect(config.outbound).toEqual({ maxRateLimitWaitMs: 30_000, conversationRateLimit: telegramConversationRateLimit });
    // outbound options merge over it
    expect(telegram({ outbound: { idempotent: false } }).outbound).toMatchObject({ maxRateLimitWaitMs: 30_000, idempotent: false });
  });

  it('options override any hook; actions and lifecycle hooks are added to the built-in ones', () => {
    const normalize = () => [] as NormalizedMessage[];
    const started = jest.fn();
    const config = telegram({ name: 'support_bot', normalize, started, actions: { ping: () => 'pong' } });
    expect(config.name).toBe('support_bot');
    expect(config.normalize).toBe(normalize);
    expect(Object.keys(config.actions ?? {})).toEqual(expect.arrayContaining(['setWebhook', 'ping']));
    expect(config.started).toHaveLength(2);
    expect((config.started as unknown[])[1]).toBe(started);
    // hooks of yours sit beside the built-in after-hook that answers button presses
    const before = () => undefined;
    const hooked = telegram({ hooks: { before: { i_sendMessage: before } } });
    expect(hooked.hooks).toMatchObject({ before: { i_sendMessage: before }, after: { i_receiveWebhook: expect.any(Function) } });
  });

  it('defineIntegration takes it: a service with the standard actions and Telegram\'s own', async () => {
    const broker = new ServiceBroker({ logger: false, transporter: null, middlewares: [createChannelsMiddleware({ namespace: `fac${process.pid}` })] });
    const service = broker.createService(defineIntegration(telegram({ polling: { enabled: false } })));
    await broker.start();
    try {
      for (const action of ['i_receiveWebhook', 'i_sendMessage', 'i_healthCheck', 'i_validateCredentials', 'setWebhook', 'deleteWebhook', 'answerCallbackQuery']) {
        expect(broker.registry.actions.isAvailable(`${service.name}.${action}`)).toBe(true);
      }
      expect(await broker.call('telegram.i_status')).toMatchObject({ spec: { platform: 'telegram' } });
    } finally {
      await broker.stop();
    }
  });
});
