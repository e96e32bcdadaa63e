/**
 * The shared failure count on a real nats-server: concurrent failures from two connections are
 * all counted (compare-and-set), a record of an older message with the same seq is not read as
 * this one's, the bucket is provisioned with its TTL (or not at all with `failureCounts: 'node'`),
 * and a bucket that disappears falls back to the node's count, then is re-created.
 */
import type { KV, NatsConnection } from 'nats';
import { suiteServers } from '../../harness/suite';
import { failureBucketName } from '../../../src/channels';
import { SharedFailureCounts } from '../../../src/channels/jetstream/shared-failure-counts';
import { freshNamespace, makeBroker, manager } from '../helpers';

const stack = suiteServers({ redis: false });
const conns: NatsConnection[] = [];
const NANOS = 1_000_000;

// declared after suiteServers(): runs once its afterEach has stopped the test's brokers
afterEach(async () => { await Promise.allSettled(conns.splice(0).map((c) => c.close())); });

/** A bucket on its own connection, created on first use (as the adapter's provisioning would). */
async function counts(bucket: string, warnings: string[] = []): Promise<SharedFailureCounts> {
  const { nc } = await manager(stack.nats().url);
  conns.push(nc);
  let kv: Promise<KV> | null = null;
  return new SharedFailureCounts({
    bucket: () => (kv ??= nc.jetstream().views.kv(bucket, { history: 1, ttl: 60_000 })),
    reset: () => { kv = null; },
    warn: (m) => warnings.push(m),
  });
}

const ref = { stream: 'S', group: 'workers', seq: 1, storedAt: '1700000000000000000' };
const err = (m: string) => ({ 'x-error-name': 'Error', 'x-error-message': m });

it('40 failures added at once from two connections are all counted: each add gets a different count, 1 to 40', async () => {
  const bucket = freshNamespace('cas');
  const warnings: string[] = [];
  const [a, b] = [await counts(bucket, warnings), await counts(bucket, warnings)];
  await a.get(ref); // the bucket exists before the race (two concurrent creates are the provisioner's test, not this one's)
  const got = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).add(ref, err(`f${i}`))));
  expect([...got].sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  expect(warnings).toEqual([]); // all counted in the bucket, none by a node alone
  expect((await a.get(ref)).count).toBe(40);
  expect((await b.get(ref)).error?.['x-error-message']).toMatch(/^f\d+$/);
}, 30_000);

it('a record of an older message with the same stream seq (a re-created stream) is not this message\'s; exhaust raises, never lowers; clear forgets', async () => {
  const c = await counts(freshNamespace('stale'));
  await c.add(ref, err('old'));
  await c.add(ref, err('old'));
  const newer = { ...ref, storedAt: '1800000000000000000' };
  expect((await c.get(newer)).count).toBe(0);
  expect(await c.add(newer, err('new'))).toBe(1);
  await c.exhaust(newer, 4, err('ignored'));
  expect(await c.get(newer)).toEqual({ count: 4, error: err('new') });
  await c.exhaust(newer, 2, err('ignored'));
  expect((await c.get(newer)).count).toBe(4);
  await c.clear(newer);
  expect((await c.get(newer)).count).toBe(0);
}, 15_000);

it('a bucket deleted at runtime: the next failure is counted on the node (with a warning), the one after in a re-created bucket', async () => {
  const bucket = freshNamespace('gone');
  const warnings: string[] = [];
  const c = await counts(bucket, warnings);
  expect(await c.add(ref, err('a'))).toBe(1);
  const { nc, jsm } = await manager(stack.nats().url);
  try {
    await jsm.streams.delete(`KV_${bucket}`);
    expect(await c.add(ref, err('b'))).toBe(2); // this node's own count
    expect(warnings.join('\n')).toMatch(/using this node's count/);
    await c.add(ref, err('c'));
    expect((await jsm.streams.info(`KV_${bucket}`)).state.messages).toBe(1); // re-created, written
  } finally {
    await nc.close();
  }
}, 15_000);

it("the adapter provisions the bucket (history 1, the TTL) with shared counts, brings an existing bucket's TTL in line, and makes none with failureCounts: 'node'", async () => {
  const ns = freshNamespace('bkt');
  const { nc, jsm } = await manager(stack.nats().url);
  try {
    const first = makeBroker({ kind: 'switchboard', url: stack.nats().url, namespace: ns, options: { failureCountTtlMs: 3_600_000 } });
    stack.brokers.push(first);
    await first.start();
    const info = await jsm.streams.info(`KV_${failureBucketName(ns)}`);
    expect(info.config).toMatchObject({ max_msgs_per_subject: 1, max_age: 3_600_000 * NANOS });
    const second = makeBroker({ kind: 'switchboard', url: stack.nats().url, namespace: ns, options: { failureCountTtlMs: 7_200_000 } });
    stack.brokers.push(second);
    await second.start();
    expect((await jsm.streams.info(`KV_${failureBucketName(ns)}`)).config.max_age).toBe(7_200_000 * NANOS);

    const local = freshNamespace('nobkt');
    const third = makeBroker({ kind: 'switchboard', url: stack.nats().url, namespace: local, options: { failureCounts: 'node' } });
    stack.brokers.push(third);
    await third.start();
    await expect(jsm.streams.info(`KV_${failureBucketName(local)}`)).rejects.toThrow();
  } finally {
    await nc.close();
  }
}, 20_000);
