/**
 * Promises 1 and 8 on a real nats-server: a publish resolves only with the PubAck, rejects with
 * PublishError when nothing was stored, reports a msg-id duplicate, and rejects while stopping.
 * Each test also runs on the stock @moleculer/channels NATS adapter, where it is expected to fail.
 */
import { ServiceBroker } from 'moleculer';
import { suiteServers } from '../harness/suite';
import { channelNames, createChannelsMiddleware } from '../../src/channels';
import { BadRequestError, PayloadTooLargeError, PublishError } from '../../src/errors';
import { freshNamespace, headersOf, itFor, KINDS, makeBroker, manager, stockChannelNats, waitFor } from './helpers';

const stack = suiteServers({ redis: false });

/** A broker with one consumer on MESSAGE_RECEIVED (so the stock adapter has created its stream too). */
async function started(kind: 'switchboard' | 'stock') {
  const ns = freshNamespace(kind === 'stock' ? 'pubstock' : 'pub');
  const ch = channelNames(ns);
  const got: unknown[] = [];
  const broker = makeBroker({
    kind, url: stack.nats().url, namespace: ns,
    services: [{ name: 'sink', channels: { [ch.MESSAGE_RECEIVED]: { group: 'sink', ...stockChannelNats(), handler: (p: unknown) => { got.push(p); } } } }],
  });
  stack.brokers.push(broker);
  await broker.start();
  return { broker, ch, got, ns };
}

describe.each(KINDS)('publish (%s adapter)', (kind) => {
  const it = itFor(kind);

  it('resolves with the PubAck { stream, seq, duplicate } — defect: stock resolves undefined, the caller cannot know it was stored', async () => {
    const { broker, ch, got } = await started(kind);
    const ack = await broker.sendToChannel(ch.MESSAGE_RECEIVED, { n: 1 });
    expect(ack).toEqual({ stream: expect.any(String), seq: 1, duplicate: false });
    await waitFor(() => got.length === 1, 3_000);
  }, 15_000);

  it('msgID → Nats-Msg-Id; a repeat inside the window is stored once and resolves duplicate: true — defect: stock cannot report the duplicate', async () => {
    const { broker, ch } = await started(kind);
    const first = await broker.sendToChannel(ch.MESSAGE_RECEIVED, { n: 1 }, { msgID: 'evt-1', headers: { 'x-tenant': 't1' } });
    const again = await broker.sendToChannel(ch.MESSAGE_RECEIVED, { n: 1 }, { msgID: 'evt-1' });
    expect(first).toMatchObject({ seq: 1, duplicate: false });
    expect(again).toMatchObject({ seq: 1, duplicate: true });
    const { nc, jsm } = await manager(stack.nats().url);
    try {
      const stream = first!.stream;
      expect((await jsm.streams.info(stream)).state.messages).toBe(1);
      const stored = await jsm.streams.getMessage(stream, { seq: 1 });
      expect(headersOf(stored.header)).toMatchObject({ 'Nats-Msg-Id': 'evt-1', 'x-tenant': 't1' });
    } finally {
      await nc.close();
    }
  }, 15_000);

  it('rejects with a retryable PublishError (503) when no stream stores the subject — defect: stock rejects with a raw NatsError the gateway cannot map', async () => {
    const { broker, ns } = await started(kind);
    const err = await broker.sendToChannel(`${ns}.not.provisioned`, { n: 1 }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(PublishError);
    expect(err).toMatchObject({ code: 503, type: 'PUBLISH_FAILED', retryable: true });
  }, 15_000);

  it('rejects while the adapter is stopping — defect: stock resolves undefined and drops the message silently', async () => {
    const { broker, ch } = await started(kind);
    const adapter = (broker as unknown as { channelAdapter: { disconnect(): Promise<void> } }).channelAdapter;
    const stopping = adapter.disconnect();
    const result = broker.sendToChannel(ch.MESSAGE_RECEIVED, { n: 1 });
    await expect(result).rejects.toBeInstanceOf(PublishError);
    await stopping;
  }, 15_000);
});

describe('injected connection (switchboard adapter)', () => {
  it('uses an open NatsConnection given in nats.connection and leaves it open on stop', async () => {
    const { nc } = await manager(stack.nats().url);
    try {
      const ns = freshNamespace('inj');
      const broker = new ServiceBroker({ logger: false, middlewares: [createChannelsMiddleware({ namespace: ns, nats: { connection: nc } }) as never] });
      await broker.start();
      await expect(broker.sendToChannel(channelNames(ns).MESSAGE_SENT, { ok: true })).resolves.toMatchObject({ seq: 1 });
      await broker.stop();
      expect(nc.isClosed()).toBe(false);
    } finally {
      await nc.close();
    }
  }, 15_000);
});

describe('permanent publish failures (switchboard adapter)', () => {
  it('a payload over max_payload rejects with a non-retryable 413 PayloadTooLargeError, an unserializable one with a non-retryable 400 BadRequestError — defect: both were reported as a retryable 503 PublishError, so callers retried forever', async () => {
    const { broker, ch } = await started('switchboard');
    const big = await broker.sendToChannel(ch.MESSAGE_RECEIVED, { big: 'x'.repeat(2 * 1024 * 1024) }).then(() => null, (e: unknown) => e);
    expect(big).toBeInstanceOf(PayloadTooLargeError);
    expect(big).toMatchObject({ code: 413, retryable: false, data: { maxPayload: 1024 * 1024 } });
    const bigint = await broker.sendToChannel(ch.MESSAGE_RECEIVED, { n: 1n }).then(() => null, (e: unknown) => e);
    expect(bigint).toBeInstanceOf(BadRequestError);
    expect(bigint).toMatchObject({ code: 400, retryable: false });
  }, 15_000);
});
