/**
 * Faults on the inbound path, through real HTTP: nats-server stopped → 503 and nothing marked done, then
 * after restart the same deliveries succeed and each message is stored once; a publish failing part-way
 * is resumed from the first unstored message, also after the stream's duplicate window; Redis down → 503
 * (fail closed).
 */
import { ServiceBroker } from 'moleculer';
import { channelNames, createChannelsMiddleware } from '../../src/channels';
import { RedisStore } from '../../src/store';
import { RUNTIME_METADATA_KEY, type IntegrationConfig } from '../../src/types';
import { startNats, startRedis, type ServerProcess } from '../harness/servers';
import { acmeBody, acmeIntegration, channel, freshNamespace, gatewayService, makeBroker, postAcme, storedReceived, uid } from './stack';

let nats: ServerProcess;
let redis: ServerProcess;
let broker: ServiceBroker;
let base: string;
let ns: string;
let store: RedisStore;
const channels = new Map<string, IntegrationConfig>([['c1', channel('c1')]]);

beforeAll(async () => {
  [nats, redis] = await Promise.all([startNats(), startRedis()]);
  ns = freshNamespace('fault');
  const { schema, url } = await gatewayService();
  base = url;
  // One node: the gateway calls the integration locally, so only JetStream and Redis are in the way.
  broker = makeBroker({ nodeID: 'one', namespace: ns, natsUrl: nats.url, redisUrl: redis.url, transporter: false, services: [schema, acmeIntegration(channels)] });
  await broker.start();
  store = new RedisStore({ redis: redis.url, prefix: `${ns}:` });
}, 60_000);

afterAll(async () => {
  await store?.close();
  await broker?.stop();
  await Promise.allSettled([nats?.cleanup(), redis?.cleanup()]);
});

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

it('nats-server stopped → 503 and nothing marked done; after restart the same deliveries are stored once each', async () => {
  const ids = [1, 2, 3].map((n) => `nats-${n}-${uid()}`);
  await nats.stop();
  try {
    const down = await Promise.all(ids.map((id) => postAcme(base, 'c1', acmeBody(id, 'a', 'b'))));
    for (const res of down) expect(res).toMatchObject({ status: 503, body: { error: 'PUBLISH_FAILED', code: 503 } });
    // no PubAck while the client reconnects: the publish may still go out later, so the claim says so (looked up on the retry)
    for (const id of ids) expect(await store.get(`inbound:acme:tenant-c1:c1:${id}`)).toMatch(/^unsure:0:\d+$/);
  } finally {
    await nats.start();
  }
  // the platform retries until the stream answers again
  const answers = new Map<string, number>();
  await until(async () => {
    for (const id of ids) if (answers.get(id) !== 200) answers.set(id, (await postAcme(base, 'c1', acmeBody(id, 'a', 'b'))).status);
    return ids.every((id) => answers.get(id) === 200);
  }, 20_000);
  for (const id of ids) expect(await store.get(`inbound:acme:tenant-c1:c1:${id}`)).toBe('done');
  // one more retry of each is a duplicate
  for (const id of ids) expect((await postAcme(base, 'c1', acmeBody(id, 'a', 'b'))).body).toMatchObject({ duplicate: true });
  const stored = (await storedReceived(nats.url, ns)).filter((m) => ids.includes(m.eventId as string));
  expect(stored.map((m) => m.$msgId).sort()).toEqual(ids.flatMap((id) => [`acme:c1:${id}:0`, `acme:c1:${id}:1`]).sort());
}, 60_000);

it('a publish failing at message 2 of 3 → 503; a retry after the duplicate window stores messages 2 and 3 only — message 1 once', async () => {
  // Its own namespace and broker: the received stream's duplicate window is 1 s, so "later than the window" takes 1.5 s.
  const windowMs = 1_000;
  const ns2 = freshNamespace('partial');
  const { schema, url } = await gatewayService();
  const own = new ServiceBroker({
    nodeID: 'partial', logger: false, transporter: null, serializer: 'JSON', validator: true,
    metadata: { [RUNTIME_METADATA_KEY]: { namespace: ns2, natsUrl: nats.url, redisUrl: redis.url } },
    middlewares: [createChannelsMiddleware({
      namespace: ns2, nats: nats.url, publishTimeoutMs: 1_500,
      streams: { [channelNames(ns2).MESSAGE_RECEIVED]: { duplicateWindowMs: windowMs } },
    })],
  });
  own.createService(schema);
  own.createService(acmeIntegration(channels));
  await own.start();
  const ownStore = new RedisStore({ redis: redis.url, prefix: `${ns2}:` });
  try {
    // the second message's PubAck never comes (as if the stream went away between the two publishes)
    const id = `partial-${uid()}`;
    let failSecond = true;
    const real = own.sendToChannel.bind(own);
    own.sendToChannel = (name, payload, opts) => {
      const p = payload as { eventId?: string; index?: number };
      if (failSecond && p.eventId === id && p.index === 1) return Promise.reject(new Error('no PubAck'));
      return real(name, payload, opts);
    };
    const key = `inbound:acme:${channel('c1').tenantId}:c1:${id}`;
    const first = await postAcme(url, 'c1', acmeBody(id, 'a', 'b', 'c'));
    expect(first).toMatchObject({ status: 503, body: { error: 'PUBLISH_FAILED' } });
    expect(await ownStore.get(key)).toBe('partial:1');
    expect(await ownStore.ttl(key)).toBeGreaterThan(60 * 60 * 1000); // kept for the done TTL, not the claim TTL

    await new Promise((r) => setTimeout(r, windowMs + 500)); // the platform retries after JetStream's window
    failSecond = false;
    const retry = await postAcme(url, 'c1', acmeBody(id, 'a', 'b', 'c'));
    expect(retry).toMatchObject({ status: 200, body: { success: true, messages: 3, eventId: id } });
    expect(await ownStore.get(key)).toBe('done');
    expect((await postAcme(url, 'c1', acmeBody(id, 'a', 'b', 'c'))).body).toMatchObject({ duplicate: true });

    const stored = (await storedReceived(nats.url, ns2)).filter((m) => m.eventId === id);
    expect(stored.map((m) => m.$msgId)).toEqual([`acme:c1:${id}:0`, `acme:c1:${id}:1`, `acme:c1:${id}:2`]);
  } finally {
    await ownStore.close();
    await own.stop();
  }
}, 60_000);

it('Redis down → 503 UNAVAILABLE, nothing stored (fail closed); after Redis is back the delivery is stored once', async () => {
  const id = `redis-${uid()}`;
  await redis.kill();
  try {
    const res = await postAcme(base, 'c1', acmeBody(id, 'x'));
    expect(res).toMatchObject({ status: 503, body: { error: 'UNAVAILABLE', code: 503 } });
    expect(res.headers.get('retry-after')).toBe('5');
  } finally {
    await redis.start();
  }
  let last = 0;
  await until(async () => (last = (await postAcme(base, 'c1', acmeBody(id, 'x'))).status) === 200, 20_000);
  expect(last).toBe(200);
  expect((await storedReceived(nats.url, ns)).filter((m) => m.eventId === id)).toHaveLength(1);
}, 60_000);
