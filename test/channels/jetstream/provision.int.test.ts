/**
 * Provisioning failures on a real nats-server are typed (a reason, not a message to match), and
 * the one retry loop retries what may pass and stops at what needs an operator.
 */
import type { ServiceBroker } from 'moleculer';
import { suiteServers } from '../../harness/suite';
import { channelNames, isConsumerConflict, isStreamConflict, ProvisionError, ProvisionErrorReason, streamNameFor } from '../../../src/channels';
import { retryProvisioning } from '../../../src/channels/jetstream/provision';
import { ConfigError } from '../../../src/errors';
import { freshNamespace, makeBroker, manager } from '../helpers';

const stack = suiteServers({ redis: false });

const startError = async (b: ServiceBroker) => { stack.brokers.push(b); return b.start().then(() => null, (e: unknown) => e); };

it('a conflicting stream fails the start with a ProvisionError of reason STREAM_CONFLICT, its differences in data', async () => {
  const ns = freshNamespace('pcf');
  const ch = channelNames(ns);
  const { nc, jsm } = await manager(stack.nats().url);
  try {
    await jsm.streams.add({ name: streamNameFor(ch.MESSAGE_SENT), subjects: [ch.MESSAGE_SENT], max_age: 0 });
  } finally {
    await nc.close();
  }
  const err = await startError(makeBroker({ kind: 'switchboard', url: stack.nats().url, namespace: ns }));
  expect(err).toBeInstanceOf(ConfigError);
  expect(isStreamConflict(err)).toBe(true);
  expect((err as ProvisionError).data).toMatchObject({ reason: 'STREAM_CONFLICT', stream: streamNameFor(ch.MESSAGE_SENT), conflicts: expect.arrayContaining([expect.stringMatching(/^max_age is 0 ms/)]) });
}, 15_000);

it("a push consumer under the group's name fails the start with reason CONSUMER_CONFLICT", async () => {
  const ns = freshNamespace('pcc');
  const ch = channelNames(ns);
  const publisher = makeBroker({ kind: 'switchboard', url: stack.nats().url, namespace: ns });
  stack.brokers.push(publisher);
  await publisher.start(); // provisions the streams
  const { nc, jsm } = await manager(stack.nats().url);
  try {
    await jsm.consumers.add(streamNameFor(ch.OUTBOUND_SEND), { durable_name: 'workers', deliver_subject: `push.${ns}`, ack_policy: 'explicit' as never });
  } finally {
    await nc.close();
  }
  const err = await startError(makeBroker({
    kind: 'switchboard', url: stack.nats().url, namespace: ns,
    services: [{ name: 'w', channels: { [ch.OUTBOUND_SEND]: { group: 'workers', handler: () => undefined } } }],
  }));
  expect(isConsumerConflict(err)).toBe(true);
  expect((err as Error).message).toMatch(/push consumer/);
}, 15_000);

describe('retryProvisioning', () => {
  const quiet = { alive: () => true, onGiveUp: () => undefined };

  it('retries a transient failure (and any non-config error) until it passes', async () => {
    let tries = 0;
    const ok = await retryProvisioning(async () => {
      tries++;
      if (tries === 1) throw new ProvisionError(ProvisionErrorReason.StreamUnreadable, 'JetStream starting');
      if (tries === 2) throw new Error('TIMEOUT');
    }, quiet);
    expect([ok, tries]).toEqual([true, 3]);
  }, 10_000);

  it('stops at once on a conflict and hands it to onGiveUp; stops without a word when no longer alive', async () => {
    let tries = 0;
    const gaveUp: unknown[] = [];
    const conflict = new ProvisionError(ProvisionErrorReason.StreamConflict, 'differs');
    expect(await retryProvisioning(async () => { tries++; throw conflict; }, { alive: () => true, onGiveUp: (e) => gaveUp.push(e) })).toBe(false);
    expect([tries, gaveUp]).toEqual([1, [conflict]]);
    expect(await retryProvisioning(async () => { tries++; }, { alive: () => false, onGiveUp: (e) => gaveUp.push(e) })).toBe(false);
    expect([tries, gaveUp.length]).toEqual([1, 1]);
  });
});
