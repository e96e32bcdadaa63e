/** One probe round's steps on in-memory state and a local subscriber: lease, re-reads, backoff, enabling, replay. */
import { MemoryStore } from '../../../src/store';
import { resolveDeliveryOptions } from '../../../src/webhooks-out/delivery';
import type { DeliveryRuntime } from '../../../src/webhooks-out/delivery';
import { MemoryHistory } from '../../../src/webhooks-out/history';
import { ProbeStateStore, probeOne, probeRound, resolveProbeOptions, type ProbeRuntime, type ProbeSubscriptions } from '../../../src/webhooks-out/probe';
import type { DisabledReason, Subscription } from '../../../src/webhooks-out/types';
import { TestLookup, newSecret, ok, startSubscriber, status, verifyWith, type Subscriber } from '../delivery/helpers';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
const AT = '2026-12-01T10:00:00.000Z'; // when the subscription was disabled

/** The disabled subscriptions of a TestLookup, with the store's conditional enabling. */
class Subs implements ProbeSubscriptions {
  disabledAt = new Map<string, string>();
  enableCalls = 0;
  constructor(readonly lookup: TestLookup) {}
  async get(id: string) { return this.lookup.get(id); }
  async listDisabled() {
    return [...this.lookup.subs.values()].filter((s) => s.status === 'disabled').map((s) => ({ subscription: s, disabledAt: this.disabledAt.get(s.id) ?? AT }));
  }
  async enableIfDisabled(id: string, e: { reasons: readonly DisabledReason[]; disabledAt: string }) {
    this.enableCalls += 1;
    const s = this.lookup.subs.get(id);
    if (!s || s.status !== 'disabled' || !e.reasons.includes(s.disabledReason!) || (this.disabledAt.get(id) ?? AT) !== e.disabledAt) return null;
    this.lookup.enable(id);
    return this.lookup.subs.get(id)!;
  }
}

let subscriber: Subscriber;
let clock: number;
beforeEach(async () => { subscriber = await startSubscriber(status(503)); clock = Date.now(); });
afterEach(async () => { await subscriber.close(); });

function setup(o: { recover?: ProbeRuntime['recover']; kv?: MemoryStore } = {}) {
  const lookup = new TestLookup();
  const secret = newSecret();
  const sub = lookup.add({ id: 'sub_1', url: subscriber.url, status: 'disabled', disabledReason: 'failing' }, [secret]);
  const subs = new Subs(lookup);
  const history = new MemoryHistory();
  const delivery: DeliveryRuntime = {
    lookup, history, publishJob: async () => undefined, logger: silent,
    options: { ...resolveDeliveryOptions({ attemptDeadlineMs: 2_000, jitter: 0, retryScheduleMs: [1_000], disableAfterFailingMs: 10_000 }, true), now: () => clock },
  };
  const recovered: Array<[string, number]> = [];
  const rt: ProbeRuntime = {
    delivery, subscriptions: subs, state: new ProbeStateStore(o.kv ?? new MemoryStore({ now: () => clock })),
    options: resolveProbeOptions({ intervalMs: 1_000, maxIntervalMs: 4_000 }),
    recover: o.recover ?? (async (id, since) => { recovered.push([id, since]); return 7; }),
    running: () => true,
  };
  return { rt, sub, subs, lookup, secret, history, recovered };
}

test('down: a failed probe is recorded and the next waits intervalMs, then doubles; not due → no request', async () => {
  const { rt, sub, history, secret } = setup();
  expect(await probeOne(rt, sub, AT)).toBe('failed');
  expect(subscriber.received).toHaveLength(1);
  expect(verifyWith(secret, subscriber.received[0]!)).toMatchObject({ type: 'webhook.test', data: { probe: true } });
  expect(await rt.state.get(sub.id)).toEqual({ disabledAt: AT, failures: 1, nextAtMs: clock + 1_000 });
  clock += 500;
  expect(await probeOne(rt, sub, AT)).toBe('notDue');
  clock += 600; // the lease (1 s) has expired too
  expect(await probeOne(rt, sub, AT)).toBe('failed');
  expect(await rt.state.get(sub.id)).toMatchObject({ failures: 2, nextAtMs: clock + 2_000 });
  expect(subscriber.received).toHaveLength(2);
  const id = subscriber.received[0]!.headers['webhook-id']!;
  const d = await history.getDelivery(id);
  expect(d).toMatchObject({ outcome: 'pending', eventType: 'webhook.test', attemptCount: 2, nextAttemptAt: new Date(clock + 2_000).toISOString() });
  expect((await history.attempts(id)).map((a) => [a.attempt, a.outcome, a.response?.status])).toEqual([[1, 'failed', 503], [2, 'failed', 503]]);
});

test('one lease per turn: a second node (same store) does not probe in the same turn, even when its state read said due', async () => {
  const kv = new MemoryStore({ now: () => clock });
  const one = setup({ kv });
  const two = setup({ kv });
  const [a, b] = await Promise.all([probeOne(one.rt, one.sub, AT), probeOne(two.rt, two.sub, AT)]);
  expect([a, b].sort()).toEqual(['failed', 'leased']);
  expect(subscriber.received).toHaveLength(1);
});

test('a probe whose record was lost (node stopped mid-probe) is recorded as interrupted before the next one', async () => {
  const { rt, sub, history } = setup();
  expect(await probeOne(rt, sub, AT)).toBe('failed');
  const id = subscriber.received[0]!.headers['webhook-id']!;
  await history.beginAttempt(id, { trigger: 'scheduled', at: new Date(clock).toISOString(), url: sub.url }); // attempt 2, never finished
  clock += 1_100;
  expect(await probeOne(rt, sub, AT)).toBe('failed');
  expect((await history.attempts(id)).map((a) => [a.attempt, a.error?.code])).toEqual([[1, 'HTTP_ERROR'], [2, 'INTERRUPTED'], [3, 'HTTP_ERROR']]);
});

test('a 410 to a probe ends the probing of that disabling (gone is not probed); with gone probed, it is one more failure', async () => {
  subscriber.fallback = status(410);
  const { rt, sub, history } = setup();
  expect(await probeOne(rt, sub, AT)).toBe('stopped');
  const id = subscriber.received[0]!.headers['webhook-id']!;
  expect(await history.getDelivery(id)).toMatchObject({ outcome: 'failed' });
  expect(await history.getDelivery(id)).not.toHaveProperty('nextAttemptAt');
  clock += 10 * 24 * 3_600_000;
  expect(await probeOne(rt, sub, AT)).toBe('notDue');
  expect(subscriber.received).toHaveLength(1);

  const withGone = setup();
  withGone.rt.options = resolveProbeOptions({ intervalMs: 1_000, reasons: ['failing', 'gone'] });
  expect(await probeOne(withGone.rt, withGone.sub, AT)).toBe('failed');
});

test('a state of an earlier disabling does not hold a new one back', async () => {
  const { rt, sub } = setup();
  await rt.state.put(sub.id, { disabledAt: '2026-11-01T00:00:00.000Z', failures: 5, nextAtMs: clock + 1e9 });
  expect(await probeOne(rt, sub, AT)).toBe('failed');
  expect(await rt.state.get(sub.id)).toMatchObject({ disabledAt: AT, failures: 1 });
});

test('up: enabled, its failed deliveries recovered from the outage\'s start, the state cleared', async () => {
  subscriber.fallback = ok;
  const { rt, sub, lookup, recovered, history } = setup();
  expect(await probeOne(rt, sub, AT)).toBe('enabled');
  expect(lookup.subs.get(sub.id)).toMatchObject({ status: 'active' });
  expect(recovered).toEqual([[sub.id, Date.parse(AT) - 10_000 - 1_000 - 3_600_000]]);
  expect(await rt.state.get(sub.id)).toBeNull();
  expect(await history.getDelivery(subscriber.received[0]!.headers['webhook-id']!)).toMatchObject({ outcome: 'succeeded', attemptCount: 1 });
});

test('disabled by hand between the listing and the probe: not probed; changed between the probe and the enabling: not enabled, nothing recovered', async () => {
  subscriber.fallback = ok;
  const first = setup();
  first.lookup.subs.set(first.sub.id, { ...first.sub, disabledReason: 'manual' });
  expect(await probeOne(first.rt, first.sub, AT)).toBe('changed');
  expect(subscriber.received).toHaveLength(0);

  const second = setup();
  second.subs.disabledAt.set(second.sub.id, '2026-12-01T11:00:00.000Z'); // enabled and disabled again meanwhile
  expect(await probeOne(second.rt, second.sub, AT)).toBe('changed');
  expect(second.lookup.subs.get(second.sub.id)).toMatchObject({ status: 'disabled' });
  expect(second.recovered).toEqual([]);
});

test('recover is retried after an enabling; a round probes only what may be probed and survives one subscription\'s error', async () => {
  subscriber.fallback = ok;
  let calls = 0;
  const { rt, sub, lookup } = setup({ recover: async () => { calls += 1; if (calls < 2) throw new Error('redis away'); return 1; } });
  lookup.add({ id: 'sub_manual', url: subscriber.url, status: 'disabled', disabledReason: 'manual' });
  lookup.add({ id: 'sub_gone', url: subscriber.url, status: 'disabled', disabledReason: 'gone' });
  lookup.add({ id: 'sub_broken', url: subscriber.url, status: 'disabled', disabledReason: 'failing' });
  const real = lookup.signingSecrets.bind(lookup);
  lookup.signingSecrets = async (id: string) => { if (id === 'sub_broken') throw new Error('boom'); return real(id); };
  const outcomes = await probeRound(rt);
  expect([...outcomes]).toEqual([[sub.id, 'enabled']]);
  expect(calls).toBe(2);
  expect(subscriber.received.map((r) => (r.body.data as { subscriptionId: string }).subscriptionId)).toEqual([sub.id]);
  expect((lookup.subs.get('sub_manual') as Subscription).status).toBe('disabled');
});
