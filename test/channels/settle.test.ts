/**
 * The settle policy alone, on fake deliveries: what each outcome does (ack, nak with the backoff
 * delay, dead letter then ack, nak when the dead letter fails), and that two members sharing one
 * failure count run a message 1 + maxRetries times in all.
 */
import { LocalFailureCounts, type FailureCounts } from '../../src/channels/failure-counts';
import { Settler, type Settleable } from '../../src/channels/settle';
import { resolveConsumerOptions, parseDeadLetterError } from '../../src/channels';
import type { Chan } from '../../src/channels/channel';

const enc = new TextEncoder();
const BACKOFF = { initialDelayMs: 100, multiplier: 2, maxDelayMs: 10_000, jitter: 0 };

interface Sent { queue: string; headers: Record<string, string>; body: Uint8Array; msgID: string }

/** A delivery that records what was done to it. */
function delivery(deliveryCount: number, over: Partial<Settleable> = {}) {
  const done: string[] = [];
  const d: Settleable = {
    stream: 'S', seq: 7, deliveryCount, storedAt: '1700', data: enc.encode('{"n":1}'),
    originalHeaders: () => [['Nats-Msg-Id', 'm-7'], ['x-tenant', 't1']],
    ack: () => { done.push('ack'); },
    nak: (ms) => { done.push(`nak ${ms}`); },
    ...over,
  };
  return { d, done };
}

function settler(o: { counts?: FailureCounts; publish?: (s: Sent) => Promise<void>; maxPayload?: number } = {}) {
  const sent: Sent[] = [];
  const logs: string[] = [];
  const metrics: string[] = [];
  const log = { warn: (...a: unknown[]) => logs.push(`warn ${a.join(' ')}`), error: (...a: unknown[]) => logs.push(`error ${a.join(' ')}`), debug: () => undefined };
  const s = new Settler({
    counts: o.counts ?? new LocalFailureCounts(),
    deadLetters: {
      publish: async (queue, dl) => { const x = { queue, ...dl }; if (o.publish) await o.publish(x); sent.push(x); },
      maxPayload: () => o.maxPayload,
    },
    deserialize: (data) => JSON.parse(new TextDecoder().decode(data)),
    logger: () => log as never,
    metric: (name) => { metrics.push(name); },
    random: () => 0.5,
    now: () => 42,
  });
  return { s, sent, logs, metrics };
}

const chan = (handler: Chan['handler'], extra: Partial<Chan> = {}): Chan => ({ id: 'c1', name: 'ns.outbound.send', group: 'workers', handler, ...extra });
const cfg = (o: Record<string, unknown> = {}) => resolveConsumerOptions('t', { retryBackoff: BACKOFF, ...o }, {}, 'ns.deadletter');
const fail = async () => { throw new Error('down'); };

it('a handler that succeeds: ack, nothing counted', async () => {
  const { s } = settler();
  const { d, done } = delivery(1);
  let got: unknown;
  await s.process(chan(async (p) => { got = p; }), cfg(), d, 'raw');
  expect(got).toEqual({ n: 1 });
  expect(done).toEqual(['ack']);
});

it('a failure within maxRetries: nak with the backoff delay of that failure', async () => {
  const counts = new LocalFailureCounts();
  const { s, metrics } = settler({ counts });
  const first = delivery(1);
  await s.process(chan(fail), cfg({ maxRetries: 2 }), first.d, null);
  const second = delivery(2);
  await s.process(chan(fail), cfg({ maxRetries: 2 }), second.d, null);
  expect([first.done, second.done]).toEqual([['nak 100'], ['nak 200']]);
  expect(metrics.filter((m) => m.endsWith('retries.total'))).toHaveLength(2);
});

it('the failure after the last retry: dead letter (original headers, where, error) then ack, count cleared', async () => {
  const counts = new LocalFailureCounts();
  const { s, sent } = settler({ counts });
  const c = chan(fail);
  for (let n = 1; n <= 2; n++) await s.process(c, cfg({ maxRetries: 1 }), delivery(n).d, null);
  expect(sent).toHaveLength(1);
  expect(sent[0]!).toMatchObject({ queue: 'ns.deadletter', msgID: 'dl:S:7:workers' });
  expect(sent[0]!.headers).toMatchObject({ 'x-tenant': 't1', 'x-original-msg-id': 'm-7', 'x-original-group': 'workers', 'x-original-seq': '7', 'x-delivery-count': '2' });
  expect(parseDeadLetterError(sent[0]!.headers)).toMatchObject({ name: 'Error', message: 'down' });
  expect((await counts.get({ stream: 'S', group: 'workers', seq: 7, storedAt: '1700' })).count).toBe(0);
});

it('a dead letter that cannot be stored: nak; the next delivery (any member) retries the dead letter without running the handler', async () => {
  const counts = new LocalFailureCounts();
  let refuse = true;
  const { s, sent } = settler({ counts, publish: async () => { if (refuse) throw new Error('no stream'); } });
  let runs = 0;
  const c = chan(async () => { runs++; throw new Error('poison'); });
  const first = delivery(1);
  await s.process(c, cfg({ maxRetries: 0 }), first.d, null);
  expect(first.done).toEqual(['nak 100']);
  refuse = false;
  const second = delivery(2);
  await s.process(c, cfg({ maxRetries: 0 }), second.d, null);
  expect(runs).toBe(1);
  expect(second.done).toEqual(['ack']);
  expect(parseDeadLetterError(sent[0]!.headers).message).toBe('poison');
});

it('the last delivery max_deliver allows only dead-letters (a crash loop), with the crash-loop error', async () => {
  const { s, sent } = settler();
  let runs = 0;
  const { d, done } = delivery(1 + 3 + 5);
  await s.process(chan(async () => { runs++; }), cfg({ maxRetries: 3 }), d, null);
  expect(runs).toBe(0);
  expect(done).toEqual(['ack']);
  expect(parseDeadLetterError(sent[0]!.headers).message).toMatch(/delivered 9 times without an ack \(crash loop\?\); max_deliver 9/);
});

it('a body that does not parse is dead-lettered at once; a message the filter rejects is acked unrun', async () => {
  const { s, sent } = settler();
  const bad = delivery(1, { data: enc.encode('{nope') });
  await s.process(chan(fail), cfg(), bad.d, null);
  expect(bad.done).toEqual(['ack']);
  expect(sent).toHaveLength(1);
  let runs = 0;
  const skipped = delivery(1);
  await s.process(chan(async () => { runs++; }), cfg({ filter: () => false }), skipped.d, null);
  expect([runs, skipped.done]).toEqual([0, ['ack']]);
});

it('dead lettering off: after the last retry the message is logged as an error and acked', async () => {
  const { s, sent, logs } = settler();
  const { d, done } = delivery(1);
  await s.process(chan(fail), cfg({ maxRetries: 0, deadLettering: { enabled: false } }), d, null);
  expect(sent).toEqual([]);
  expect(done).toEqual(['ack']);
  expect(logs.some((l) => l.startsWith('error') && /dead lettering is off/.test(l))).toBe(true);
});

it('two members sharing one failure count, each failing every time: 1 + maxRetries runs in all, one dead letter', async () => {
  const shared = new LocalFailureCounts();
  const members = [settler({ counts: shared }), settler({ counts: shared })];
  let runs = 0;
  const c = chan(async () => { runs++; throw new Error('down'); });
  let acked = false;
  for (let n = 1; n <= 9 && !acked; n++) {
    const { d, done } = delivery(n);
    await members[n % 2]!.s.process(c, cfg({ maxRetries: 3 }), d, null);
    acked = done.includes('ack');
  }
  expect(runs).toBe(4);
  expect(members[0]!.sent.length + members[1]!.sent.length).toBe(1);
});
