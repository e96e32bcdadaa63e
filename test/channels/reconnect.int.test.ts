/**
 * Promise 7 and the restart fault test on a real nats-server: after NATS is killed and restarted,
 * consumers keep consuming and publishing resumes without restarting the broker; no message whose
 * publish resolved is lost, and msg-id de-duplication stores each exactly once.
 */
import type { ServiceBroker } from 'moleculer';
import { suiteServers } from '../harness/suite';
import { channelNames, streamNameFor } from '../../src/channels';
import { PublishError } from '../../src/errors';
import { freshNamespace, itFor, KINDS, makeBroker, manager, sleep, stockChannelNats, waitFor } from './helpers';

const stack = suiteServers({ redis: false });

async function publishUntilStored(broker: ServiceBroker, channel: string, payload: unknown, msgID: string, deadline: number) {
  for (;;) {
    try {
      return await broker.sendToChannel(channel, payload, { msgID });
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(100);
    }
  }
}

describe.each(KINDS)('reconnect (%s adapter)', (kind) => {
  const it = itFor(kind);

  it('after a 2.5 s NATS outage consumers keep consuming and publishing resumes, no broker restart — defect: stock keeps the nats default of 10 reconnect attempts, then the connection is closed for good', async () => {
    const ns = freshNamespace(`rc${kind[1]}`);
    const ch = channelNames(ns);
    const got: number[] = [];
    const broker = makeBroker({
      kind, url: stack.nats().url, namespace: ns,
      services: [{ name: 'c', channels: { [ch.MESSAGE_RECEIVED]: { group: 'c', ...stockChannelNats(), handler: (p: { i: number }) => { got.push(p.i); } } } }],
    });
    stack.brokers.push(broker);
    await broker.start();
    await broker.sendToChannel(ch.MESSAGE_RECEIVED, { i: 0 });
    await waitFor(() => got.length === 1, 3_000);

    await stack.nats().kill();
    await sleep(2_500);
    await stack.nats().start();

    await publishUntilStored(broker, ch.MESSAGE_RECEIVED, { i: 1 }, 'after-restart', Date.now() + 8_000);
    await waitFor(() => got.includes(1), 8_000);
  }, 30_000);
});

describe('restart with lost server state (switchboard adapter)', () => {
  it('a stream and consumer the restarted server no longer has (memory storage) are re-created on reconnect; publishing and consuming resume', async () => {
    const ns = freshNamespace('lost');
    const ch = channelNames(ns);
    const got: number[] = [];
    const broker = makeBroker({
      kind: 'switchboard', url: stack.nats().url, namespace: ns,
      options: { streams: { [ch.MESSAGE_SENT]: { storage: 'memory' } } },
      services: [{ name: 'c', channels: { [ch.MESSAGE_SENT]: { group: 'c', handler: (p: { i: number }) => { got.push(p.i); } } } }],
    });
    stack.brokers.push(broker);
    await broker.start();
    await broker.sendToChannel(ch.MESSAGE_SENT, { i: 0 });
    await waitFor(() => got.length === 1, 3_000);
    await stack.nats().kill();
    await stack.nats().start();
    await publishUntilStored(broker, ch.MESSAGE_SENT, { i: 1 }, 'after-lost-state', Date.now() + 10_000);
    await waitFor(() => got.includes(1), 8_000);
  }, 30_000);
});

describe('restart fault test (switchboard adapter)', () => {
  it('N messages published while nats-server is killed and restarted mid-way: each resolved publish is stored once and consumed by the group, none missing', async () => {
    const N = 300;
    const ns = freshNamespace('fault');
    const ch = channelNames(ns);
    const deliveries = new Map<string, number[]>(); // msg id → stream seq of each delivery
    const consumerService = (name: string) => ({
      name,
      channels: {
        [ch.MESSAGE_RECEIVED]: {
          group: 'readers', maxInFlight: 10,
          handler: (_p: unknown, raw: { headers?: { get(k: string): string }; seq: number }) => {
            const id = raw.headers?.get('Nats-Msg-Id') ?? '?';
            deliveries.set(id, [...(deliveries.get(id) ?? []), raw.seq]);
          },
        },
      },
    });
    const publisher = makeBroker({ kind: 'switchboard', url: stack.nats().url, namespace: ns });
    const readerA = makeBroker({ kind: 'switchboard', url: stack.nats().url, namespace: ns, services: [consumerService('reader')] });
    const readerB = makeBroker({ kind: 'switchboard', url: stack.nats().url, namespace: ns, services: [consumerService('reader')] });
    stack.brokers.push(publisher, readerA, readerB);
    await Promise.all([publisher.start(), readerA.start(), readerB.start()]);

    let restart: Promise<void> | null = null;
    let rejectedWhileDown = 0;
    const resolved = new Set<string>();
    for (let i = 0; i < N; i++) {
      if (i === Math.floor(N / 3)) restart = (async () => { await stack.nats().kill(); await sleep(1_500); await stack.nats().start(); })();
      const id = `evt-${i}`;
      const deadline = Date.now() + 20_000;
      for (;;) {
        try {
          await publisher.sendToChannel(ch.MESSAGE_RECEIVED, { i }, { msgID: id, timeoutMs: 1_000 });
          resolved.add(id);
          break;
        } catch (err) {
          expect(err).toBeInstanceOf(PublishError); // never a silent drop, never another error type
          rejectedWhileDown++;
          if (Date.now() > deadline) throw err;
          await sleep(50);
        }
      }
    }
    await restart;
    expect(rejectedWhileDown).toBeGreaterThan(0); // the outage really hit the publisher
    expect(resolved.size).toBe(N);

    await waitFor(() => deliveries.size === N, 20_000, 100);
    const { nc, jsm } = await manager(stack.nats().url);
    try {
      // stored exactly once: retried publishes were de-duplicated by msg id
      expect((await jsm.streams.info(streamNameFor(ch.MESSAGE_RECEIVED))).state.messages).toBe(N);
      await waitFor(async () => (await jsm.consumers.info(streamNameFor(ch.MESSAGE_RECEIVED), 'readers')).num_ack_pending === 0, 5_000);
    } finally {
      await nc.close();
    }
    for (const id of resolved) expect(deliveries.has(id)).toBe(true);
    // A message handled twice (nats-server flushes consumer state asynchronously, so acks from the
    // last moments before a SIGKILL are forgotten: at-least-once)
    // is the same stored copy, never a second one: consumers de-duplicate on the msg id.
    for (const seqs of deliveries.values()) expect(new Set(seqs).size).toBe(1);
    const redelivered = [...deliveries.values()].filter((s) => s.length > 1).length;
    if (redelivered) process.stdout.write(`restart fault test: ${redelivered}/${N} delivered again after the crash (same stored copy)\n`);
  }, 60_000);
});

describe('server-side deletions while connected (switchboard adapter)', () => {
  it('a consumer or stream deleted at runtime is re-created and consumption/publishing go on without a reconnect — defect: consumption stopped until the next reconnect and publishes were rejected', async () => {
    const ns = freshNamespace('del');
    const ch = channelNames(ns);
    const got: number[] = [];
    const broker = makeBroker({
      kind: 'switchboard', url: stack.nats().url, namespace: ns,
      services: [{ name: 'c', channels: { [ch.MESSAGE_RECEIVED]: { group: 'c', handler: (p: { i: number }) => { got.push(p.i); } } } }],
    });
    stack.brokers.push(broker);
    await broker.start();
    const S = streamNameFor(ch.MESSAGE_RECEIVED);
    const { nc, jsm } = await manager(stack.nats().url);
    try {
      await broker.sendToChannel(ch.MESSAGE_RECEIVED, { i: 0 }, { msgID: 'd0' });
      await waitFor(() => got.includes(0), 3_000);
      await jsm.consumers.delete(S, 'c');
      await sleep(200);
      await broker.sendToChannel(ch.MESSAGE_RECEIVED, { i: 1 }, { msgID: 'd1' });
      await waitFor(() => got.includes(1), 4_000);

      await jsm.streams.delete(S);
      await sleep(200);
      const ack = await broker.sendToChannel(ch.MESSAGE_RECEIVED, { i: 2 }, { msgID: 'd2' });
      expect(ack).toMatchObject({ stream: S, seq: 1 });
      await waitFor(() => got.includes(2), 6_000);
    } finally {
      await nc.close();
    }
  }, 20_000);
});
