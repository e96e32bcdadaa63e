/** The subscription actions in one in-memory broker (no NATS, no Redis): tenant scoping, static read-only, bad static config at creation, the disabled channel on the memory adapter. */
import { ServiceBroker, type ServiceSchema } from 'moleculer';
import { createChannelsMiddleware } from '../../../src/channels';
import { RUNTIME_METADATA_KEY } from '../../../src/types';
import { subscriptionDisabledChannel, subscriptionsMixin, subscriptionStore } from '../../../src/webhooks-out/subscriptions';
import { WEBHOOKS_ACTIONS, type Subscription, type SubscriptionDisabledPayload } from '../../../src/webhooks-out/types';

const URL_OK = 'https://93.184.215.14/x';
const SECRET = `whsec_${Buffer.alloc(32, 2).toString('base64')}`;
const call = (b: ServiceBroker, action: keyof typeof WEBHOOKS_ACTIONS, params: Record<string, unknown>, meta: Record<string, unknown> = {}) =>
  b.call(`webhooks.${WEBHOOKS_ACTIONS[action]}`, params, { meta });

let broker: ServiceBroker;
const disabled: SubscriptionDisabledPayload[] = [];

beforeAll(async () => {
  broker = new ServiceBroker({
    logger: false, validator: true,
    metadata: { [RUNTIME_METADATA_KEY]: { namespace: 'unit', allowPrivateNetworks: false } },
    middlewares: [createChannelsMiddleware({ namespace: 'unit' })],
  });
  broker.createService({
    name: 'webhooks',
    mixins: [subscriptionsMixin({ maxPerTenant: 3, staticSubscriptions: JSON.stringify([{ id: 'ops', tenantId: 'acme', url: URL_OK, events: ['*'], secret: SECRET }]) })],
  } as ServiceSchema);
  broker.createService({ name: 'watcher', channels: { [subscriptionDisabledChannel('unit')]: { group: 'watcher', handler: (p: SubscriptionDisabledPayload) => { disabled.push(p); } } } } as ServiceSchema);
  await broker.start();
});
afterAll(async () => { await broker.stop(); });

it('acts for params.tenantId; a different ctx.meta.tenantId is a 403; no tenantId is a validation error', async () => {
  const created = (await call(broker, 'create', { tenantId: 'acme', url: URL_OK, events: ['message.sent'] })) as { subscription: Subscription; secret: string };
  expect(created.subscription.tenantId).toBe('acme');
  await expect(call(broker, 'create', { tenantId: 'acme', url: URL_OK, events: ['*'] }, { tenantId: 'globex' })).rejects.toMatchObject({ code: 403 });
  await expect(call(broker, 'get', { tenantId: 'globex', subscriptionId: created.subscription.id })).rejects.toMatchObject({ code: 403 });
  await expect(call(broker, 'list', {})).rejects.toMatchObject({ type: 'VALIDATION_ERROR' });
  await expect(call(broker, 'get', { tenantId: 'acme', subscriptionId: 'sub_missing' })).rejects.toMatchObject({ code: 404 });
  expect(await call(broker, 'get', { tenantId: 'acme', subscriptionId: created.subscription.id }, { tenantId: 'acme' })).toEqual(created.subscription);
  await expect(call(broker, 'rotate', { tenantId: 'acme', subscriptionId: created.subscription.id, keep: true })).rejects.toMatchObject({ code: 400, data: { field: 'keep' } });
});

it('the static subscription is written at start, read-only but for enable/disable, and counts toward the limit', async () => {
  const list = (await call(broker, 'list', { tenantId: 'acme' })) as { subscriptions: Subscription[] };
  expect(list.subscriptions.find((s) => s.id === 'ops')).toMatchObject({ static: true });
  await expect(call(broker, 'update', { tenantId: 'acme', subscriptionId: 'ops', description: 'x' })).rejects.toMatchObject({ code: 403, message: expect.stringContaining('SWITCHBOARD_SUBSCRIPTIONS') });
  await expect(call(broker, 'remove', { tenantId: 'acme', subscriptionId: 'ops' })).rejects.toMatchObject({ code: 403 });
  await expect(call(broker, 'rotate', { tenantId: 'acme', subscriptionId: 'ops' })).rejects.toMatchObject({ code: 403 });
  expect(await call(broker, 'disable', { tenantId: 'acme', subscriptionId: 'ops' })).toMatchObject({ status: 'disabled', disabledReason: 'manual' });
  expect(await call(broker, 'enable', { tenantId: 'acme', subscriptionId: 'ops' })).toMatchObject({ status: 'active' });
  await call(broker, 'create', { tenantId: 'acme', url: URL_OK, events: ['*'] });
  await expect(call(broker, 'create', { tenantId: 'acme', url: URL_OK, events: ['*'] })).rejects.toMatchObject({ code: 400, type: 'SUBSCRIPTION_LIMIT' });
});

it('disabling publishes on <ns>.webhooks.subscription.disabled with the memory adapter too', async () => {
  const sub = (await subscriptionStore(broker).create('other', { url: URL_OK, events: ['*'] })).subscription;
  await subscriptionStore(broker).disable(sub.id, 'failing');
  const deadline = Date.now() + 2_000;
  while (!disabled.some((d) => d.subscriptionId === sub.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(disabled.filter((d) => d.subscriptionId === sub.id)).toEqual([{ subscriptionId: sub.id, tenantId: 'other', reason: 'failing' }]);
});

it('a bad SWITCHBOARD_SUBSCRIPTIONS stops the service at creation, naming the variable and entry', () => {
  const b = new ServiceBroker({ logger: false });
  expect(() => b.createService({ name: 'webhooks', mixins: [subscriptionsMixin({ staticSubscriptions: JSON.stringify([{ id: 'x', tenantId: 't', url: URL_OK, events: ['nope'], secret: SECRET }]) })] } as ServiceSchema))
    .toThrow(/SWITCHBOARD_SUBSCRIPTIONS\[0\]: unknown event type "nope"/);
});
