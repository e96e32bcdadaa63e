/**
 * The send pipeline on real NATS (JetStream) + Redis against a fake Telegram Bot API: retries,
 * Retry-After, fatal 4xx, ambiguous timeouts, idempotency under concurrency, events stored with
 * the right payloads, tenant isolation and secrets never returned.
 */
import type { ServiceBroker } from 'moleculer';
import { channelRegistry } from '../../src/registry';
import { startNats, startRedis, type ServerProcess } from '../harness/servers';
import { startFakeTelegram, type FakeTelegram } from './outbound-platform';
import { FAST_OUTBOUND, failedEvents, sentEvents, telegramIntegration, text } from './outbound-stack';
import { freshNamespace, makeBroker, uid } from './stack';

let nats: ServerProcess;
let redis: ServerProcess;
let platform: FakeTelegram;
let broker: ServiceBroker;
let ns: string;

beforeAll(async () => {
  [nats, redis, platform] = await Promise.all([startNats(), startRedis(), startFakeTelegram()]);
  ns = freshNamespace('out');
  broker = makeBroker({
    nodeID: `out-${uid()}`, namespace: ns, natsUrl: nats.url, redisUrl: redis.url, transporter: false,
    // The fake platform is on loopback: allow it, as a deployment with an internal platform would.
    allowPrivateNetworks: true,
    services: [
      telegramIntegration('tg'),
      telegramIntegration('tgidem', { ...FAST_OUTBOUND, idempotent: true }),
      telegramIntegration('tgtight', { ...FAST_OUTBOUND, maxRateLimitWaitMs: 300 }),
    ],
  });
  await broker.start();
});
afterAll(async () => {
  await broker?.stop();
  await Promise.all([nats?.cleanup(), redis?.cleanup(), platform?.close()]);
});

/** A fresh channel (own bot token, so scripts and request counts never mix between tests). */
async function newChannel(tenantId = 'acme') {
  const id = `ch-${uid()}`;
  const token = `${Math.floor(Math.random() * 1e9)}:SECRET-${uid()}`;
  platform.tokens.add(token);
  await channelRegistry(broker).create({
    id, tenantId, platform: 'telegram', credentials: { token }, secrets: [`whsec-${uid()}`],
    settings: { apiBase: platform.url, rateLimit: { capacity: 1000, refillPerSecond: 1000 } },
  });
  const requests = () => platform.requests.filter((r) => r.token === token && r.method === 'sendMessage');
  return { id, token, requests };
}

const send = (service: string, channelId: string, extra: Record<string, unknown> = {}, meta: Record<string, unknown> = {}) =>
  broker.call(`${service}.i_sendMessage`, { channelId, message: text('chat-1', 'hello'), ...extra }, { meta }) as Promise<Record<string, unknown>>;

const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as Error & { code: number; type: string; data: Record<string, unknown> });

describe('i_sendMessage', () => {
  it('retries a 500 and succeeds; message.sent is stored with the messageId and attempts', async () => {
    const ch = await newChannel();
    platform.script(ch.token, { status: 500 });
    const result = await send('tg', ch.id);
    expect(result).toMatchObject({ integration: 'tg', channelId: ch.id, messageId: expect.any(String), attempts: 2, duplicate: false });
    expect(ch.requests().map((r) => r.headers['x-attempt'])).toEqual(['1', '2']);
    // one idempotency key across both attempts
    expect(new Set(ch.requests().map((r) => r.headers['idempotency-key'])).size).toBe(1);
    const events = (await sentEvents(nats.url, ns)).filter((e) => e.data.channelId === ch.id);
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({
      tenantId: 'acme', channelId: ch.id, integration: 'tg', messageId: result.messageId, attempts: 2,
      message: { conversationId: 'chat-1', content: { type: 'text', text: 'hello' } }, metadata: { chatId: 'chat-1' },
    });
    expect(events[0]!.headers['nats-msg-id']).toMatch(new RegExp(`^tg:${ch.id}:sent:`));
  });

  it('waits at least Retry-After (1 s) on a 429, then succeeds', async () => {
    const ch = await newChannel();
    platform.script(ch.token, { status: 429, retryAfter: '1', bodyRetryAfter: 1 });
    const started = Date.now();
    await send('tg', ch.id);
    const [first, second] = ch.requests();
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('honours Telegram parameters.retry_after when no Retry-After header is sent', async () => {
    const ch = await newChannel();
    platform.script(ch.token, { status: 429, bodyRetryAfter: 1 });
    await send('tg', ch.id);
    const [first, second] = ch.requests();
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1000);
  });

  it('fails at once on a 400 with one attempt; message.failed is stored with the error and retryCount 0', async () => {
    const ch = await newChannel();
    platform.script(ch.token, { status: 400 });
    const err = await failure(send('tg', ch.id, { idempotencyKey: `k-${uid()}` }));
    expect(err).toMatchObject({ code: 502, type: 'PLATFORM_ERROR', data: { status: 400 } });
    expect(ch.requests()).toHaveLength(1);
    const events = (await failedEvents(nats.url, ns)).filter((e) => e.data.channelId === ch.id);
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({
      tenantId: 'acme', integration: 'tg', retryCount: 0, message: { conversationId: 'chat-1' },
      error: { type: 'PLATFORM_ERROR', message: expect.stringContaining('HTTP 400') },
    });
  });

  it('gives up after maxAttempts on repeated 5xx, with message.failed retryCount = attempts - 1', async () => {
    const ch = await newChannel();
    platform.script(ch.token, { status: 503 }, { status: 503 }, { status: 503 });
    const err = await failure(send('tg', ch.id));
    expect(err).toMatchObject({ type: 'RETRY_EXHAUSTED', data: { attempts: 3 } });
    expect(ch.requests()).toHaveLength(3);
    const events = (await failedEvents(nats.url, ns)).filter((e) => e.data.channelId === ch.id);
    expect(events[0]!.data).toMatchObject({ retryCount: 2, error: { type: 'RETRY_EXHAUSTED' } });
  });

  it('a timeout is ambiguous: not resent unless the integration is idempotent', async () => {
    const ch = await newChannel();
    platform.script(ch.token, { delayMs: 2500 });
    const err = await failure(send('tg', ch.id));
    expect(err).toMatchObject({ type: 'SEND_AMBIGUOUS', data: { attempts: 1 } });
    await new Promise((r) => setTimeout(r, 100));
    expect(ch.requests()).toHaveLength(1);

    const idem = await newChannel();
    platform.script(idem.token, { delayMs: 2500 });
    const result = await send('tgidem', idem.id);
    expect(result).toMatchObject({ attempts: 2 });
    expect(idem.requests()).toHaveLength(2);
  });

  it('an ambiguous outcome is remembered under its idempotency key: a retry with the key does not resend', async () => {
    const ch = await newChannel();
    platform.script(ch.token, { delayMs: 2500 });
    const key = `amb-${uid()}`;
    await expect(send('tg', ch.id, { idempotencyKey: key })).rejects.toMatchObject({ type: 'SEND_AMBIGUOUS' });
    await expect(send('tg', ch.id, { idempotencyKey: key })).rejects.toMatchObject({ type: 'SEND_AMBIGUOUS', data: { replayed: true } });
    expect(ch.requests()).toHaveLength(1);
  });

  it('20 concurrent calls with one idempotency key send once and all get the first result', async () => {
    const ch = await newChannel();
    platform.latencyMs = 100;
    try {
      const key = `order-${uid()}`;
      const results = await Promise.all(Array.from({ length: 20 }, () => send('tg', ch.id, { idempotencyKey: key })));
      expect(ch.requests()).toHaveLength(1);
      expect(new Set(results.map((r) => r.messageId)).size).toBe(1);
      expect(results.filter((r) => r.duplicate === false)).toHaveLength(1);
      expect(results.filter((r) => r.duplicate === true)).toHaveLength(19);
      // later, same key: still the first result, no send
      expect(await send('tg', ch.id, { idempotencyKey: key })).toMatchObject({ messageId: results[0]!.messageId, duplicate: true });
      expect(ch.requests()).toHaveLength(1);
      expect((await sentEvents(nats.url, ns)).filter((e) => e.data.channelId === ch.id)).toHaveLength(1);
    } finally {
      platform.latencyMs = 0;
    }
  });

  it('a definite failure frees the idempotency key, so the same key may be sent again', async () => {
    const ch = await newChannel();
    platform.script(ch.token, { status: 400 });
    const key = `k-${uid()}`;
    await expect(send('tg', ch.id, { idempotencyKey: key })).rejects.toMatchObject({ type: 'PLATFORM_ERROR' });
    await expect(send('tg', ch.id, { idempotencyKey: key })).resolves.toMatchObject({ duplicate: false });
    expect(ch.requests()).toHaveLength(2);
  });

  it('tenant isolation: another tenant gets 403, an unknown or disabled channel 404, nothing sent', async () => {
    const ch = await newChannel('acme');
    await expect(send('tg', ch.id, {}, { tenantId: 'globex' })).rejects.toMatchObject({ code: 403 });
    await expect(send('tg', 'nope', {}, { tenantId: 'acme' })).rejects.toMatchObject({ code: 404 });
    await channelRegistry(broker).disable(ch.id);
    await expect(send('tg', ch.id, {}, { tenantId: 'acme' })).rejects.toMatchObject({ code: 404 });
    expect(ch.requests()).toHaveLength(0);
    await expect(broker.call('tg.i_healthCheck', { channelId: ch.id }, { meta: { tenantId: 'globex' } })).rejects.toMatchObject({ code: 404 });
  });

  it('rate limit: over the bucket a send waits for a token; past the wait bound it fails with 429', async () => {
    const ch = await newChannel();
    await channelRegistry(broker).update(ch.id, { settings: { apiBase: platform.url, rateLimit: { capacity: 1, refillPerSecond: 5 } } });
    const started = Date.now();
    for (let i = 0; i < 3; i++) await send('tg', ch.id);
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    const [a, b, c] = ch.requests();
    expect(b!.at - a!.at).toBeGreaterThanOrEqual(150);
    expect(c!.at - b!.at).toBeGreaterThanOrEqual(150);

    const tight = await newChannel();
    await channelRegistry(broker).update(tight.id, { settings: { apiBase: platform.url, rateLimit: { capacity: 1, refillPerSecond: 0.5 } } });
    await send('tgtight', tight.id);
    const err = await failure(send('tgtight', tight.id));
    expect(err).toMatchObject({ code: 429, type: 'RATE_LIMITED', data: { retryAfterMs: expect.any(Number) } });
    expect(tight.requests()).toHaveLength(1);
  });
});

describe('i_healthCheck, i_validateCredentials, i_status', () => {
  it('health: the default probe reports reachability; another tenant is refused', async () => {
    const ch = await newChannel();
    const health = await broker.call('tg.i_healthCheck', { channelId: ch.id }, { meta: { tenantId: 'acme' } });
    expect(health).toMatchObject({ integration: 'tg', channelId: ch.id, healthy: true, details: { probed: true } });
    await expect(broker.call('tg.i_healthCheck', { channelId: ch.id }, { meta: { tenantId: 'globex' } })).rejects.toMatchObject({ code: 403 });
  });

  it('credentials: checked by the hook, the token never echoed back (valid or not)', async () => {
    const ch = await newChannel();
    const ok = await broker.call('tg.i_validateCredentials', { channelId: ch.id });
    expect(ok).toMatchObject({ valid: true, checked: true });
    expect(JSON.stringify(ok)).not.toContain(ch.token);
    const bad = await broker.call('tg.i_validateCredentials', { channelId: ch.id, credentials: { token: '999:WRONG-TOKEN-VALUE' } });
    expect(bad).toMatchObject({ valid: false });
    expect(JSON.stringify(bad)).not.toContain('WRONG-TOKEN-VALUE');
  });

  it('status: spec, version, capabilities and counters since start', async () => {
    const status = await broker.call('tg.i_status') as Record<string, unknown>;
    expect(status).toMatchObject({ integration: 'tg', version: '1.2.3', capabilities: ['RECEIVE_MESSAGE', 'SEND_MESSAGE'], spec: { platform: 'telegram' } });
    const counters = status.counters as Record<string, number>;
    expect(counters.sent).toBeGreaterThan(0);
    expect(counters.failed).toBeGreaterThan(0);
    expect(counters.duplicates).toBeGreaterThan(0);
  });

  it('no response or event ever carries a credential or secret', async () => {
    const ch = await newChannel();
    platform.script(ch.token, { status: 400 });
    const record = await channelRegistry(broker).getRecord(ch.id);
    const secret = record!.secrets[0]!.value;
    const answers: unknown[] = [
      await failure(send('tg', ch.id)).then((e) => ({ message: e.message, data: e.data })),
      await send('tg', ch.id),
      await broker.call('tg.i_healthCheck', { channelId: ch.id }),
      await broker.call('tg.i_validateCredentials', { channelId: ch.id }),
      await broker.call('tg.i_status'),
      (await sentEvents(nats.url, ns)).concat(await failedEvents(nats.url, ns)),
    ];
    const everything = JSON.stringify(answers);
    expect(everything).not.toContain(ch.token);
    expect(everything).not.toContain(secret);
  });
});
