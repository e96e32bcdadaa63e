/**
 * Outbound faults on real servers: NATS down after the platform accepted a message → the send still
 * answers, the `message.sent` event waits in the outbox and is stored once NATS is back; Redis down →
 * 503 before anything reaches the platform.
 */
import type { ServiceBroker } from 'moleculer';
import { channelRegistry } from '../../src/registry';
import { startNats, startRedis, type ServerProcess } from '../harness/servers';
import { startFakeTelegram, type FakeTelegram } from './outbound-platform';
import { FAST_OUTBOUND, sentEvents, telegramIntegration, text } from './outbound-stack';
import { freshNamespace, makeBroker, uid } from './stack';

let nats: ServerProcess;
let redis: ServerProcess;
let platform: FakeTelegram;
let broker: ServiceBroker;
let ns: string;

beforeAll(async () => {
  [nats, redis, platform] = await Promise.all([startNats(), startRedis(), startFakeTelegram()]);
  ns = freshNamespace('faults');
  broker = makeBroker({
    nodeID: `faults-${uid()}`, namespace: ns, natsUrl: nats.url, redisUrl: redis.url, transporter: false,
    services: [telegramIntegration('tg', { ...FAST_OUTBOUND, eventPublishAttempts: 2, eventRetryIntervalMs: 200 })],
  });
  await broker.start();
});
afterAll(async () => {
  await broker?.stop();
  await Promise.all([nats?.cleanup(), redis?.cleanup(), platform?.close()]);
});

async function newChannel() {
  const id = `ch-${uid()}`;
  const token = `${Math.floor(Math.random() * 1e9)}:T-${uid()}`;
  platform.tokens.add(token);
  await channelRegistry(broker).create({ id, tenantId: 'acme', platform: 'telegram', credentials: { token }, settings: { apiBase: platform.url } });
  return { id, token, requests: () => platform.requests.filter((r) => r.token === token && r.method === 'sendMessage') };
}

it('NATS down after the send: the answer comes, the event is kept and stored when NATS is back', async () => {
  const ch = await newChannel();
  await nats.stop();
  try {
    const result = await broker.call('tg.i_sendMessage', { channelId: ch.id, message: text('c', 'during outage'), idempotencyKey: `k-${uid()}` }) as Record<string, unknown>;
    expect(result).toMatchObject({ messageId: expect.any(String), duplicate: false });
    expect(ch.requests()).toHaveLength(1);
    const status = await broker.call('tg.i_status') as { counters: Record<string, number>; pendingEvents: number };
    expect(status.counters.eventsDeferred).toBe(1);
    expect(status.pendingEvents).toBe(1);
  } finally {
    await nats.start();
  }
  const deadline = Date.now() + 20_000;
  let stored: Awaited<ReturnType<typeof sentEvents>> = [];
  while (Date.now() < deadline) {
    stored = (await sentEvents(nats.url, ns).catch(() => [])).filter((e) => e.data.channelId === ch.id);
    if (stored.length > 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(stored).toHaveLength(1);
  expect(stored[0]!.data).toMatchObject({ channelId: ch.id, message: { content: { text: 'during outage' } } });
  expect(((await broker.call('tg.i_status')) as { pendingEvents: number }).pendingEvents).toBe(0);
}, 60_000);

it('Redis down: 503 before anything reaches the platform', async () => {
  const ch = await newChannel();
  await redis.stop();
  try {
    await expect(broker.call('tg.i_sendMessage', { channelId: ch.id, message: text('c', 'x'), idempotencyKey: 'k1' })).rejects.toMatchObject({ code: 503 });
    await expect(broker.call('tg.i_sendMessage', { channelId: ch.id, message: text('c', 'x') })).rejects.toMatchObject({ code: 503 });
    expect(ch.requests()).toHaveLength(0);
  } finally {
    await redis.start();
  }
}, 30_000);
