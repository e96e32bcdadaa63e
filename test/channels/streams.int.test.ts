/**
 * Promises 2 and 3 on a real nats-server: streams are provisioned at start-up (idempotently,
 * conflicts reported), a message published before any consumer is delivered to every group, and
 * retention is bounded and configurable. Run against the stock adapter too, expected to fail.
 */
import type { ServiceBroker } from 'moleculer';
import { suiteServers } from '../harness/suite';
import {
  channelNames, deadLetterChannel, streamNameFor, DEFAULT_DUPLICATE_WINDOW_MS, DEFAULT_MAX_AGE_MS, DEFAULT_MAX_BYTES, DEFAULT_MAX_MSGS,
} from '../../src/channels';
import { ConfigError } from '../../src/errors';
import { freshNamespace, itFor, KINDS, makeBroker, manager, stockChannelNats, waitFor } from './helpers';

const stack = suiteServers({ redis: false });
const NANOS = 1_000_000;

function track(b: ServiceBroker): ServiceBroker { stack.brokers.push(b); return b; }

describe.each(KINDS)('streams (%s adapter)', (kind) => {
  const it = itFor(kind);

  it('the SDK channels and the dead-letter channel have streams right after start, before any subscription — defect: stock creates a stream only when someone subscribes', async () => {
    const ns = freshNamespace(`st${kind[1]}`);
    await track(makeBroker({ kind, url: stack.nats().url, namespace: ns })).start();
    const { nc, jsm } = await manager(stack.nats().url);
    try {
      for (const c of [...Object.values(channelNames(ns)), deadLetterChannel(ns)]) {
        const info = await jsm.streams.info(streamNameFor(c));
        expect(info.config.subjects).toContain(c);
      }
    } finally {
      await nc.close();
    }
  }, 15_000);

  it('a message published before any consumer subscribed is stored, then delivered to every group — defect: stock rejects the publish (no stream) and its groups start at "new"', async () => {
    const ns = freshNamespace(`pre${kind[1]}`);
    const ch = channelNames(ns);
    const publisher = track(makeBroker({ kind, url: stack.nats().url, namespace: ns }));
    await publisher.start();
    const acks = [];
    for (let i = 0; i < 3; i++) acks.push(await publisher.sendToChannel(ch.MESSAGE_RECEIVED, { i }, { msgID: `m${i}` }));
    const seen: Record<string, number[]> = { a: [], b: [] };
    const consumer = track(makeBroker({
      kind, url: stack.nats().url, namespace: ns,
      services: ['a', 'b'].map((g) => ({
        name: `svc-${g}`,
        channels: { [ch.MESSAGE_RECEIVED]: { group: g, ...stockChannelNats(), handler: (p: { i: number }) => { seen[g]!.push(p.i); } } },
      })),
    }));
    await consumer.start();
    await waitFor(() => seen.a!.length === 3 && seen.b!.length === 3, 4_000);
    expect(seen.a!.sort()).toEqual([0, 1, 2]);
    expect(seen.b!.sort()).toEqual([0, 1, 2]);
  }, 15_000);

  it('an existing stream with a conflicting config is reported: start rejects with ConfigError naming the field — defect: stock logs the error and carries on', async () => {
    const ns = freshNamespace(`cf${kind[1]}`);
    const ch = channelNames(ns);
    const { nc, jsm } = await manager(stack.nats().url);
    try {
      // e.g. made by hand or by an older deployment: no age limit, 1 s duplicate window
      await jsm.streams.add({ name: streamNameFor(ch.MESSAGE_SENT), subjects: [ch.MESSAGE_SENT], max_age: 0, duplicate_window: 1_000 * NANOS });
    } finally {
      await nc.close();
    }
    const broker = track(makeBroker({
      kind, url: stack.nats().url, namespace: ns,
      services: [{ name: 'sent', channels: { [ch.MESSAGE_SENT]: { group: 'sent', handler: () => undefined } } }],
    }));
    const err = await broker.start().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/max_age/);
    expect((err as Error).message).toMatch(/duplicate_window/);
  }, 15_000);

  it('retention is bounded by default: max age 7 d, max msgs, max bytes, file storage, 2 min duplicate window — defect: stock streams are unbounded', async () => {
    const ns = freshNamespace(`rt${kind[1]}`);
    const ch = channelNames(ns);
    await track(makeBroker({
      kind, url: stack.nats().url, namespace: ns,
      services: [{ name: 'r', channels: { [ch.MESSAGE_RECEIVED]: { group: 'r', handler: () => undefined } } }],
    })).start();
    const { nc, jsm } = await manager(stack.nats().url);
    try {
      const { config } = await jsm.streams.info(streamNameFor(ch.MESSAGE_RECEIVED));
      expect(config).toMatchObject({
        max_age: DEFAULT_MAX_AGE_MS * NANOS,
        max_msgs: DEFAULT_MAX_MSGS,
        max_bytes: DEFAULT_MAX_BYTES,
        storage: 'file',
        duplicate_window: DEFAULT_DUPLICATE_WINDOW_MS * NANOS,
      });
    } finally {
      await nc.close();
    }
  }, 15_000);
});

describe('streams (switchboard adapter only)', () => {
  it('per-stream retention and declared streams are provisioned as configured', async () => {
    const ns = freshNamespace('cfg');
    const ch = channelNames(ns);
    const extra = `${ns}.audit.events`;
    await track(makeBroker({
      kind: 'switchboard', url: stack.nats().url, namespace: ns,
      options: {
        streamDefaults: { maxAgeMs: 24 * 3600_000 },
        streams: {
          [ch.OUTBOUND_SEND]: { maxAgeMs: 3600_000, maxMsgs: 500, maxBytes: 1_000_000, duplicateWindowMs: 30_000, storage: 'memory' },
          [extra]: { maxMsgs: 10 },
        },
      },
    })).start();
    const { nc, jsm } = await manager(stack.nats().url);
    try {
      expect((await jsm.streams.info(streamNameFor(ch.OUTBOUND_SEND))).config).toMatchObject({
        max_age: 3600_000 * NANOS, max_msgs: 500, max_bytes: 1_000_000, duplicate_window: 30_000 * NANOS, storage: 'memory',
      });
      expect((await jsm.streams.info(streamNameFor(extra))).config).toMatchObject({ max_age: 24 * 3600_000 * NANOS, max_msgs: 10 });
      expect((await jsm.streams.info(streamNameFor(ch.MESSAGE_SENT))).config).toMatchObject({ max_age: 24 * 3600_000 * NANOS });
    } finally {
      await nc.close();
    }
  }, 15_000);

  it('provisioning is idempotent: a second node with the same config starts on the existing streams', async () => {
    const ns = freshNamespace('idem');
    await track(makeBroker({ kind: 'switchboard', url: stack.nats().url, namespace: ns })).start();
    await expect(track(makeBroker({ kind: 'switchboard', url: stack.nats().url, namespace: ns })).start()).resolves.not.toThrow();
  }, 15_000);

  it("onStreamConflict: 'update' applies the wanted limits to an existing stream", async () => {
    const ns = freshNamespace('upd');
    const ch = channelNames(ns);
    const { nc, jsm } = await manager(stack.nats().url);
    try {
      await jsm.streams.add({ name: streamNameFor(ch.MESSAGE_SENT), subjects: [ch.MESSAGE_SENT], max_age: 0 });
      await track(makeBroker({ kind: 'switchboard', url: stack.nats().url, namespace: ns, options: { onStreamConflict: 'update' } })).start();
      expect((await jsm.streams.info(streamNameFor(ch.MESSAGE_SENT))).config.max_age).toBe(DEFAULT_MAX_AGE_MS * NANOS);
    } finally {
      await nc.close();
    }
  }, 15_000);
});
