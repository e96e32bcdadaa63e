/** defineIntegration: config checks that name the option, and the standard actions it builds. */
import { defineIntegration } from '../../src/integration';
import { standardWebhooks } from '../../src/security';
import type { IntegrationServiceConfig } from '../../src/integration';

const base: IntegrationServiceConfig = {
  name: 'x',
  spec: { id: 'x', name: 'X', platform: 'x', version: '1', status: 'ACTIVE', capabilities: [] },
  webhookSignature: standardWebhooks(),
  normalize: () => [],
};

describe('defineIntegration', () => {
  it('builds i_receiveWebhook and i_verifyWebhook beside the author\'s actions', () => {
    const schema = defineIntegration({ ...base, actions: { hello: () => 'hi' } });
    expect(Object.keys(schema.actions)).toEqual(expect.arrayContaining(['hello', 'i_receiveWebhook', 'i_verifyWebhook']));
    expect(schema.name).toBe('x');
  });
  it.each([
    ['a name that is not a service name', { name: 'a.b' }, /name/],
    ['no platform', { spec: { ...base.spec, platform: '' } }, /spec\.platform/],
    ['no normalize', { normalize: undefined }, /normalize/],
    ['no signature check at all', { webhookSignature: undefined }, /webhookSignature/],
    ['both a scheme and a custom check', { validateSignature: () => true }, /exclusive/],
    ['an i_ action of its own', { actions: { i_status: () => 1 } }, /reserved/],
    ['done TTL shorter than the claim TTL', { inbound: { claimTtlMs: 60_000, doneTtlMs: 1_000 } }, /doneTtlMs/],
  ])('rejects %s with a ConfigError naming it', (_n, over, message) => {
    expect(() => defineIntegration({ ...base, ...over } as IntegrationServiceConfig)).toThrow(message);
  });
});

describe('defineIntegration on a broker without the channels middleware', () => {
  it('fails the start with a ConfigError that says what to add', async () => {
    const { ServiceBroker } = await import('moleculer');
    const broker = new ServiceBroker({ logger: false });
    broker.createService(defineIntegration({ ...base, getChannelConfig: () => null }));
    await expect(broker.start()).rejects.toThrow(/createChannelsMiddleware/);
    await broker.stop().catch(() => undefined);
  });
});
