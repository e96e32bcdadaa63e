/**
 * Promises 4, 5 and 6 on a real nats-server: retries wait (growing delay), `maxRetries` counts
 * retries, `max_deliver` is set server-side, long handlers stay in progress, and dead letters
 * carry the evidence and are stored before the original is acked. Run against the stock adapter
 * too, expected to fail.
 */
import { suiteServers } from '../harness/suite';
import { channelNames, deadLetterChannel, parseDeadLetterError, streamNameFor } from '../../src/channels';
import { UnavailableError } from '../../src/errors';
import { freshNamespace, headersOf, itFor, KINDS, makeBroker, manager, sleep, stockChannelNats, waitFor, type AdapterKind } from './helpers';

const stack = suiteServers({ redis: false });

/** Starts a broker with one channel definition on OUTBOUND_SEND; the stock one gets the same DLQ and ack wait. */
async function withHandler(kind: AdapterKind, tag: string, def: Record<string, unknown>, options = {}) {
  const ns = freshNamespace(`${tag}${kind[1]}`);
  const ch = channelNames(ns);
  const dlq = deadLetterChannel(ns);
  const broker = makeBroker({
    kind, url: stack.nats().url, namespace: ns, options,
    services: [{
      name: 'worker',
      channels: { [ch.OUTBOUND_SEND]: { group: 'workers', deadLettering: { enabled: true, queueName: dlq }, ...stockChannelNats(), ...def } },
    }],
  });
  stack.brokers.push(broker);
  await broker.start();
  return { broker, ch, dlq, ns };
}

describe.each(KINDS)('retries and dead letters (%s adapter)', (kind) => {
  const it = itFor(kind);

  it('a failed handler is redelivered after a growing delay, not at once — defect: stock nak() redelivers immediately', async () => {
    const at: number[] = [];
    const { broker, ch } = await withHandler(kind, 'bo', {
      maxRetries: 3,
      handler: () => { at.push(Date.now()); throw new Error('down'); },
    }, { retryBackoff: { initialDelayMs: 300, multiplier: 2, maxDelayMs: 5_000, jitter: 0 } });
    await broker.sendToChannel(ch.OUTBOUND_SEND, { n: 1 });
    await waitFor(() => at.length >= 3, 4_000);
    const gaps = [at[1]! - at[0]!, at[2]! - at[1]!];
    expect(gaps[0]).toBeGreaterThanOrEqual(250);
    expect(gaps[1]).toBeGreaterThanOrEqual(550);
  }, 15_000);

  it('maxRetries: 2 means 1 attempt + 2 retries, then the dead letter — defect: stock counts deliveries (2 runs in all)', async () => {
    let runs = 0;
    const { broker, ch, dlq } = await withHandler(kind, 'mr', { maxRetries: 2, handler: () => { runs++; throw new Error('nope'); } });
    await broker.sendToChannel(ch.OUTBOUND_SEND, { n: 1 });
    const { nc, jsm } = await manager(stack.nats().url);
    try {
      await waitFor(async () => (await jsm.streams.info(streamNameFor(dlq)).catch(() => null))?.state.messages === 1, 5_000);
      await sleep(300);
      expect(runs).toBe(3);
    } finally {
      await nc.close();
    }
  }, 15_000);

  it('server-side max_deliver is set (1 + maxRetries + deadLetterAttempts) so a message that kills the process cannot loop forever — defect: stock leaves it unlimited (-1)', async () => {
    const { ch } = await withHandler(kind, 'md', { maxRetries: 2, handler: () => undefined }, { deadLetterAttempts: 3 });
    const { nc, jsm } = await manager(stack.nats().url);
    try {
      const info = await jsm.consumers.info(streamNameFor(ch.OUTBOUND_SEND), 'workers');
      expect(info.config.max_deliver).toBe(1 + 2 + 3);
    } finally {
      await nc.close();
    }
  }, 15_000);

  it('a handler running 3× the ack wait is processed once (working() while it runs) — defect: stock sends working() once, the message is redelivered and run twice', async () => {
    let runs = 0;
    let done = 0;
    const { broker, ch } = await withHandler(kind, 'lh', {
      maxInFlight: 2,
      handler: async () => { runs++; await sleep(3_000); done++; },
    });
    await broker.sendToChannel(ch.OUTBOUND_SEND, { n: 1 });
    await waitFor(() => done >= 1, 6_000);
    await sleep(1_200); // a redelivery would have started by now
    expect(runs).toBe(1);
  }, 15_000);

  it('the dead letter keeps the original headers, the msg id and the error (name, message, code, type, retryable, stack); the original is acked after — defect: stock keeps only the channel and group', async () => {
    const { broker, ch, dlq } = await withHandler(kind, 'dl', {
      maxRetries: 1,
      handler: () => { throw new UnavailableError('platform down\nsecond line', { platform: 'x' }); },
    });
    await broker.sendToChannel(ch.OUTBOUND_SEND, { n: 1 }, { msgID: 'send-42', headers: { 'x-tenant': 't1' } });
    const { nc, jsm } = await manager(stack.nats().url);
    try {
      await waitFor(async () => (await jsm.streams.info(streamNameFor(dlq)).catch(() => null))?.state.messages === 1, 5_000);
      const m = await jsm.streams.getMessage(streamNameFor(dlq), { seq: 1 });
      const h = headersOf(m.header);
      expect(h).toMatchObject({
        'x-tenant': 't1',
        'x-original-msg-id': 'send-42',
        'x-original-channel': ch.OUTBOUND_SEND,
        'x-original-group': 'workers',
      });
      expect(JSON.parse(new TextDecoder().decode(m.data))).toEqual({ n: 1 });
      const err = parseDeadLetterError(h);
      expect(err).toMatchObject({ name: 'UnavailableError', message: 'platform down\nsecond line', code: '503', type: 'UNAVAILABLE', retryable: true, data: { platform: 'x' } });
      expect(err.stack).toContain('platform down');
      await waitFor(async () => (await jsm.consumers.info(streamNameFor(ch.OUTBOUND_SEND), 'workers')).num_ack_pending === 0, 3_000);
    } finally {
      await nc.close();
    }
  }, 15_000);

  it('when the dead-letter publish fails the original is not acked and comes back; once the dead-letter stream is back it lands there — defect: stock acks it anyway and the message is lost', async () => {
    let runs = 0;
    const { broker, ch, dlq } = await withHandler(kind, 'df', { maxRetries: 0, handler: () => { runs++; throw new Error('poison'); } }, { deadLetterAttempts: 20 });
    const { nc, jsm } = await manager(stack.nats().url);
    try {
      // the dead-letter publish now has no stream; one of that name holding another subject keeps the
      // adapter from re-creating it (a deleted stream alone would be re-created on the 503)
      await jsm.streams.delete(streamNameFor(dlq)).catch(() => undefined);
      await jsm.streams.add({ name: streamNameFor(dlq), subjects: [`${dlq}.elsewhere`] });
      await broker.sendToChannel(ch.OUTBOUND_SEND, { n: 1 });
      await waitFor(() => runs === 1, 3_000);
      await sleep(600);
      const pending = await jsm.consumers.info(streamNameFor(ch.OUTBOUND_SEND), 'workers');
      expect(pending.num_ack_pending + pending.num_pending).toBe(1); // not acked
      await jsm.streams.update(streamNameFor(dlq), { subjects: [dlq] });
      await waitFor(async () => (await jsm.streams.info(streamNameFor(dlq))).state.messages === 1, 6_000);
      await waitFor(async () => (await jsm.consumers.info(streamNameFor(ch.OUTBOUND_SEND), 'workers')).num_ack_pending === 0, 3_000);
      expect(runs).toBe(1); // the handler is not run again for a dead-letter retry
    } finally {
      await nc.close();
    }
  }, 20_000);
});

describe('consumer filter (switchboard adapter)', () => {
  it('a message the filter rejects is acked and skipped, never retried', async () => {
    const seen: string[] = [];
    const { broker, ch } = await withHandler('switchboard', 'fl', {
      filter: (p: unknown) => (p as { kind?: string }).kind === 'text',
      handler: (p: { id: string }) => { seen.push(p.id); },
    });
    await broker.sendToChannel(ch.OUTBOUND_SEND, { id: 'a', kind: 'image' });
    await broker.sendToChannel(ch.OUTBOUND_SEND, { id: 'b', kind: 'text' });
    const { nc, jsm } = await manager(stack.nats().url);
    try {
      await waitFor(() => seen.length === 1, 3_000);
      await waitFor(async () => {
        const i = await jsm.consumers.info(streamNameFor(ch.OUTBOUND_SEND), 'workers');
        return i.num_ack_pending === 0 && i.num_pending === 0 && i.num_redelivered === 0;
      }, 3_000);
      expect(seen).toEqual(['b']);
    } finally {
      await nc.close();
    }
  }, 15_000);
});

describe('dead-letter headers of odd errors (switchboard adapter)', () => {
  it('an Error whose name/message are not strings (undefined, a number) is still dead-lettered with readable headers — defect: encoding undefined threw inside the dead-letter publish, so the message was never dead-lettered', async () => {
    const odd = [
      () => Object.assign(new Error('n'), { name: undefined }),
      () => Object.assign(new Error('m'), { message: undefined }),
      () => Object.assign(new Error('x'), { message: 42, code: { nested: true } }),
    ];
    const { broker, ch, dlq } = await withHandler('switchboard', 'oe', {
      maxRetries: 0,
      handler: (p: { i: number }) => { throw odd[p.i]!(); },
    }, { deadLetterAttempts: 2 });
    for (let i = 0; i < odd.length; i++) await broker.sendToChannel(ch.OUTBOUND_SEND, { i }, { msgID: `odd-${i}` });
    const { nc, jsm } = await manager(stack.nats().url);
    try {
      await waitFor(async () => (await jsm.streams.info(streamNameFor(dlq))).state.messages === odd.length, 5_000);
      const byI: Record<number, ReturnType<typeof parseDeadLetterError>> = {};
      for (let seq = 1; seq <= odd.length; seq++) {
        const m = await jsm.streams.getMessage(streamNameFor(dlq), { seq });
        byI[(JSON.parse(new TextDecoder().decode(m.data)) as { i: number }).i] = parseDeadLetterError(headersOf(m.header));
      }
      expect(byI[0]).toMatchObject({ name: 'Error', message: 'n' });
      expect(byI[1]).toMatchObject({ name: 'Error', message: '' });
      expect(byI[2]).toMatchObject({ name: 'Error', message: '42', code: '[object Object]' });
      await waitFor(async () => (await jsm.consumers.info(streamNameFor(ch.OUTBOUND_SEND), 'workers')).num_ack_pending === 0, 3_000);
    } finally {
      await nc.close();
    }
  }, 15_000);
});

describe('dead letters near max_payload (switchboard adapter)', () => {
  it('a message near max_payload is dead-lettered: error headers cut first, then without its body (pointing to the original stream/seq) — defect: the dead letter was over max_payload, retried as transient and the message stuck until max_age', async () => {
    const { broker, ch, dlq } = await withHandler('switchboard', 'mp', {
      maxRetries: 0,
      handler: (p: { k: string }) => { throw Object.assign(new Error(`boom ${'x'.repeat(9_000)}`), { data: { blob: 'd'.repeat(9_000) } }); },
    }, { deadLetterAttempts: 2 });
    const MAX = 1024 * 1024;
    const cut = await broker.sendToChannel(ch.OUTBOUND_SEND, { k: 'cut', big: 'y'.repeat(MAX - 20_000) }, { msgID: 'mp-cut' }) as { seq: number };
    const bodyless = await broker.sendToChannel(ch.OUTBOUND_SEND, { k: 'bodyless', big: 'y'.repeat(MAX - 1_000) }, { msgID: 'mp-bodyless' }) as { seq: number };
    const { nc, jsm } = await manager(stack.nats().url);
    try {
      await waitFor(async () => (await jsm.streams.info(streamNameFor(dlq))).state.messages === 2, 6_000);
      const byId: Record<string, { h: Record<string, string>; size: number }> = {};
      for (const seq of [1, 2]) {
        const m = await jsm.streams.getMessage(streamNameFor(dlq), { seq });
        const h = headersOf(m.header);
        byId[h['x-original-msg-id']!] = { h, size: m.data.byteLength };
      }
      expect(byId['mp-cut']!.size).toBeGreaterThan(MAX - 20_000);
      expect(byId['mp-cut']!.h['x-dead-letter-truncated']).toMatch(/x-error-stack/);
      expect(parseDeadLetterError(byId['mp-cut']!.h).message).toMatch(/^boom x+$/);
      expect(byId['mp-bodyless']!.size).toBe(0);
      expect(byId['mp-bodyless']!.h).toMatchObject({
        'x-original-stream': streamNameFor(ch.OUTBOUND_SEND),
        'x-original-seq': String(bodyless.seq),
        'x-dead-letter-body-omitted': expect.stringMatching(/^\d+$/),
      });
      expect(cut.seq).toBe(1);
      // the original, still in its stream, is where the body is
      const original = await jsm.streams.getMessage(streamNameFor(ch.OUTBOUND_SEND), { seq: bodyless.seq });
      expect(original.data.byteLength).toBe(Number(byId['mp-bodyless']!.h['x-dead-letter-body-omitted']));
      await waitFor(async () => (await jsm.consumers.info(streamNameFor(ch.OUTBOUND_SEND), 'workers')).num_ack_pending === 0, 3_000);
    } finally {
      await nc.close();
    }
  }, 20_000);
});
