/**
 * An unconfirmed publish (`maybeStored`) recorded in the claim and resolved on the retry, on the in-memory
 * channels adapter (its `findMessage` answers like the JetStream one): a lost PubAck is not stored again
 * after the duplicate window, a lost message is stored by the retry, a lookup that fails keeps the mark.
 */
import { ServiceBroker } from 'moleculer';
import { channelNames, createChannelsMiddleware, MemoryAdapter } from '../../../src/channels';
import { PublishError } from '../../../src/errors';
import { claimEvent, releaseClaim, unsureMark, type HeldClaim } from '../../../src/integration/inbound/claim';
import { receiveWebhook, type InboundPipeline } from '../../../src/integration/inbound/receive-webhook';
import { DEFAULT_UNSURE_LOOKBACK_MS, resolveUnsure } from '../../../src/integration/inbound/resolve-unsure';
import { schemeVerifier } from '../../../src/integration/inbound/verify';
import { resolveInboundOptions } from '../../../src/integration/options';
import { brokerMessageFinder, brokerPublisher } from '../../../src/integration/runtime';
import { hmacSignature } from '../../../src/security';
import { MemoryStore } from '../../../src/store';
import type { IntegrationConfig } from '../../../src/types';

const NS = 'unsure';
const RECEIVED = channelNames(NS).MESSAGE_RECEIVED;
const WINDOW_MS = 1_000;
const KEY = 'inbound:i:t:c:e';
const scheme = hmacSignature({ header: 'x-sig', algorithm: 'sha256', encoding: 'hex' });
const channel: IntegrationConfig = { id: 'c', tenantId: 't', platform: 'p', credentials: {}, secrets: ['s'], settings: {}, status: 'active' };
const raw = Buffer.from(JSON.stringify({ id: 'e', texts: ['a', 'b'] }));
const delivery = () => ({ channelId: 'c', rawBody: raw, headers: scheme.sign({ rawBody: raw, secret: 's' }), query: {}, receivedAt: 9 });
const lostAck = () => new PublishError('publish not confirmed (it may have been stored)', { maybeStored: true });

let now = 1_000_000_000_000;
const clock = () => now;
let broker: ServiceBroker;
let adapter: MemoryAdapter;

beforeEach(async () => {
  const mw = createChannelsMiddleware({ namespace: NS, now: clock, streamDefaults: { duplicateWindowMs: WINDOW_MS } });
  broker = new ServiceBroker({ logger: false, middlewares: [mw as never] });
  adapter = mw.adapter as MemoryAdapter;
  await broker.start();
});
afterEach(() => broker.stop());

const storedIds = () => adapter.stored(RECEIVED).map((m) => m.headers['Nats-Msg-Id']);

/** A pipeline on the broker's memory adapter; `fault(index)` decides what the publish of that message does. */
function pipeline(fault: (index: number) => 'ok' | 'ack-lost' | 'message-lost', over: Partial<InboundPipeline> = {}): InboundPipeline {
  const publish = brokerPublisher(broker);
  return {
    integration: 'i', platform: 'p', lookupChannel: async () => channel, verify: schemeVerifier(scheme),
    eventId: (w) => (w.payload as { id: string }).id,
    normalize: (w) => (w.payload as { texts: string[] }).texts.map((text, n) => ({ id: `m${n}`, platform: 'p', conversationId: 'c', from: { id: 'u' }, timestamp: 1, content: { type: 'text' as const, text } })),
    store: new MemoryStore({ now: clock }),
    publish: async (c, payload, o) => {
      const what = fault(payload.index);
      if (what === 'message-lost') throw lostAck();
      const ack = await publish(c, payload, o);
      if (what === 'ack-lost') throw lostAck();
      return ack;
    },
    findMessage: brokerMessageFinder(broker),
    receivedChannel: RECEIVED, options: resolveInboundOptions('t'), now: clock, ...over,
  };
}

it('PubAck lost for message 1 (it is stored) → 503 and `unsure:1:<time>`; a retry after the duplicate window stores nothing again', async () => {
  let faulty = true;
  const p = pipeline((i) => (faulty && i === 1 ? 'ack-lost' : 'ok'));
  await expect(receiveWebhook(p, delivery())).rejects.toMatchObject({ code: 503, type: 'PUBLISH_FAILED' });
  expect(await p.store.get(KEY)).toBe(unsureMark(1, now));
  expect(await p.store.ttl(KEY)).toBe(p.options.doneTtlMs);
  expect(storedIds()).toEqual(['i:c:e:0', 'i:c:e:1']);

  now += 3 * 60 * 60 * 1000; // 3 h: far past the window (and the claim TTL)
  faulty = false;
  await expect(receiveWebhook(p, delivery())).resolves.toEqual({ success: true, messages: 2, eventId: 'e' });
  expect(storedIds()).toEqual(['i:c:e:0', 'i:c:e:1']);
  expect(await p.store.get(KEY)).toBe('done');
});

it('message 0 lost (never stored) → the retry after the window stores both, once each', async () => {
  let faulty = true;
  const p = pipeline((i) => (faulty && i === 0 ? 'message-lost' : 'ok'));
  await expect(receiveWebhook(p, delivery())).rejects.toMatchObject({ code: 503 });
  expect(await p.store.get(KEY)).toBe(unsureMark(0, now));
  expect(storedIds()).toEqual([]);
  now += WINDOW_MS * 10;
  faulty = false;
  await expect(receiveWebhook(p, delivery())).resolves.toEqual({ success: true, messages: 2, eventId: 'e' });
  expect(storedIds()).toEqual(['i:c:e:0', 'i:c:e:1']);
});

it('a lookup that fails → 503, the mark keeps the first attempt\'s time; the next retry resolves it', async () => {
  let faulty = true;
  let findFails = true;
  const base = pipeline((i) => (faulty && i === 0 ? 'ack-lost' : 'ok'));
  const finder = base.findMessage!;
  const p = { ...base, findMessage: async (c: string, m: string, s: number) => { if (findFails) throw new Error('timeout'); return finder(c, m, s); } };
  await expect(receiveWebhook(p, delivery())).rejects.toMatchObject({ code: 503 });
  const mark = unsureMark(0, now);
  now += 60_000;
  faulty = false;
  await expect(receiveWebhook(p, delivery())).rejects.toMatchObject({ code: 503, type: 'PUBLISH_FAILED', data: { msgID: 'i:c:e:0' } });
  expect(await p.store.get(KEY)).toBe(mark);
  expect(storedIds()).toEqual(['i:c:e:0']);
  findFails = false;
  now += 60_000;
  await expect(receiveWebhook(p, delivery())).resolves.toMatchObject({ success: true, messages: 2 });
  expect(storedIds()).toEqual(['i:c:e:0', 'i:c:e:1']);
});

it('an unconfirmed retry of an unconfirmed message keeps the mark on the later attempt; a certain failure (maybeStored false) leaves `partial`/nothing', async () => {
  const p = pipeline(() => 'message-lost');
  await expect(receiveWebhook(p, delivery())).rejects.toMatchObject({ code: 503 });
  now += 5_000;
  await expect(receiveWebhook(p, delivery())).rejects.toMatchObject({ code: 503 });
  expect(await p.store.get(KEY)).toBe(unsureMark(0, now));
  const refused = { ...p, publish: async () => { throw new PublishError('not stored', { maybeStored: false }); } };
  await expect(receiveWebhook(refused, delivery())).rejects.toMatchObject({ code: 503 });
  expect(await p.store.get(KEY)).toBeNull();
});

describe('the claim mark', () => {
  it('`unsure:<n>:<ms>` is claimed like `partial:<n>`, carrying the attempt time; malformed marks count as in flight (409)', async () => {
    const store = new MemoryStore();
    await store.set('k', unsureMark(2, 1234), 5000);
    const c = await claimEvent(store, 'k', 100);
    expect(c).toMatchObject({ state: 'claimed', claim: { from: 2, unsure: { index: 2, since: 1234 } } });
    expect(await releaseClaim(store, (c as { claim: HeldClaim }).claim, { stored: 2, unsure: { index: 2, since: 1234 } }, 5000)).toBe(true);
    expect(await store.get('k')).toBe('unsure:2:1234');
    for (const bad of ['unsure:', 'unsure:1', 'unsure:x:1', 'unsure:1:-5', 'unsure:1.5:3']) {
      await store.set('k', bad, 5000);
      await expect(claimEvent(store, 'k', 100)).rejects.toMatchObject({ code: 409 });
    }
  });

  it('resolveUnsure asks from the attempt time minus the look-back, and without a finder publishes again', async () => {
    const asked: unknown[] = [];
    const progress = { stored: 3, unsure: { index: 3, since: 500_000 } };
    await resolveUnsure(async (...a) => { asked.push(a); return true; }, 'ch', { integration: 'i', channelId: 'c', eventId: 'e' }, progress);
    expect(asked).toEqual([['ch', 'i:c:e:3', 500_000 - DEFAULT_UNSURE_LOOKBACK_MS]]);
    expect(progress).toEqual({ stored: 4, unsure: undefined });
    const again = { stored: 3, unsure: { index: 3, since: 1 } };
    await resolveUnsure(undefined, 'ch', { integration: 'i', channelId: 'c', eventId: 'e' }, again);
    expect(again).toEqual({ stored: 3, unsure: undefined });
  });
});

describe('MemoryAdapter.findMessage', () => {
  it('finds a msg id stored at or after `since`, not before, and not another id; long after the duplicate window', async () => {
    await broker.sendToChannel(RECEIVED, { a: 1 }, { msgID: 'x' });
    const at = now;
    now += 10 * WINDOW_MS;
    await expect(adapter.findMessage(RECEIVED, 'x', at)).resolves.toBe(true);
    await expect(adapter.findMessage(RECEIVED, 'x', at - 1)).resolves.toBe(true);
    await expect(adapter.findMessage(RECEIVED, 'x', at + 1)).resolves.toBe(false);
    await expect(adapter.findMessage(RECEIVED, 'y', 0)).resolves.toBe(false);
  });
  it('rejects with PublishError for a channel without a stream and once stopping', async () => {
    await expect(adapter.findMessage(`${NS}.nowhere`, 'x', 0)).rejects.toBeInstanceOf(PublishError);
    await adapter.disconnect();
    await expect(adapter.findMessage(RECEIVED, 'x', 0)).rejects.toBeInstanceOf(PublishError);
  });
});
