/** Building and fitting a dead letter: what `fitDeadLetter` cut is said explicitly, and only a real cut warns. */
import { buildDeadLetter, fitDeadLetter, sendDeadLetter, type DeadLetterSource } from '../../src/channels/dead-letter';
import { errorHeaders } from '../../src/channels';
import { PayloadTooLargeError } from '../../src/errors';

const bytes = (n: number) => new Uint8Array(n).fill(120);

/** A source whose `data` is a getter returning a new view on every read, as nats.js's `JsMsg.data` is. */
function source(size: number): DeadLetterSource {
  const buf = bytes(size);
  return {
    channel: 'ns.outbound.send', group: 'g', stream: 'ns_outbound_send', seq: 3, deliveryCount: 4,
    headers: [['Nats-Msg-Id', 'm-3']],
    get data() { return new Uint8Array(buf.buffer, 0, buf.byteLength); },
  };
}

const bigError = () => errorHeaders(Object.assign(new Error('boom'), { stack: 's'.repeat(20_000) }), 1);

describe('fitDeadLetter', () => {
  it("says 'none' when it fits, 'headers' when error headers were cut, 'body' when the body was left out", () => {
    const dl = buildDeadLetter(source(1_800), () => errorHeaders(new Error('x'), 1), 1);
    expect(fitDeadLetter(dl.headers, dl.body, 1024 * 1024, dl.basic).cut).toBe('none');
    const big = buildDeadLetter(source(1_800), bigError, 1);
    const cutHeaders = fitDeadLetter(big.headers, big.body, 10_000, big.basic);
    expect(cutHeaders.cut).toBe('headers');
    expect(cutHeaders.headers['x-dead-letter-truncated']).toContain('x-error-stack');
    const cutBody = fitDeadLetter(big.headers, bytes(50_000), 10_000, big.basic);
    expect(cutBody.cut).toBe('body');
    expect(cutBody.body.byteLength).toBe(0);
    expect(cutBody.headers['x-dead-letter-body-omitted']).toBe('50000');
  });
});

describe('sendDeadLetter', () => {
  it('a dead letter that fits is sent as built and without a warning, even when the source hands out a new data view per read', async () => {
    const dl = buildDeadLetter(source(1_800), () => errorHeaders(new Error('x'), 1), 1);
    const warnings: string[] = [];
    const sent: Array<{ headers: Record<string, string>; body: Uint8Array }> = [];
    await sendDeadLetter({ publish: async (_q, d) => { sent.push(d); }, maxPayload: () => 1024 * 1024 }, 'dlq', dl, (m) => warnings.push(m), 'w');
    expect(warnings).toEqual([]);
    expect(sent[0]!.body.byteLength).toBe(1_800);
    expect(sent[0]!.headers).toMatchObject({ 'x-original-msg-id': 'm-3', 'x-delivery-count': '4' });
  });

  it('a dead letter the server still refuses as too large goes out in its smallest form, with a warning', async () => {
    const dl = buildDeadLetter(source(1_800), bigError, 1);
    const warnings: string[] = [];
    const sent: Array<{ body: Uint8Array }> = [];
    let refused = 0;
    await sendDeadLetter({
      publish: async (_q, d) => { if (d.body.byteLength > 0) { refused++; throw new PayloadTooLargeError('too big'); } sent.push(d); },
      maxPayload: () => 1024 * 1024,
    }, 'dlq', dl, (m) => warnings.push(m), 'w');
    expect(refused).toBe(1);
    expect(sent).toHaveLength(1);
    expect(warnings.join('\n')).toMatch(/sent without its body: read it at stream "ns_outbound_send" seq 3/);
  });

  it('an original header that cannot be read makes the basic dead letter (where it came from), not a failure', () => {
    const src = source(10);
    src.headers = { [Symbol.iterator]: () => { throw new Error('bad header'); } } as never;
    const why: unknown[] = [];
    const dl = buildDeadLetter(src, () => errorHeaders(new Error('x'), 1), 1, (e) => why.push(e));
    expect(dl.headers).toBe(dl.basic);
    expect(dl.headers).toMatchObject({ 'x-original-stream': 'ns_outbound_send', 'x-original-seq': '3' });
    expect(why).toHaveLength(1);
  });
});
