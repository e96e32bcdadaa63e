/** Ack-subject parsing and dead-letter header encoding. */
import fc from 'fast-check';
import { parseAckSubject } from '../../src/channels/jetstream/delivery';
import { decodeHeaderValue, encodeHeaderValue, errorHeaders, parseDeadLetterError } from '../../src/channels';
import { RateLimitError } from '../../src/errors';

describe('parseAckSubject', () => {
  it('reads stream, consumer, delivery count and stream sequence (plain and domain forms)', () => {
    expect(parseAckSubject('$JS.ACK.S.C.3.42.7.1700000000000000000.0')).toMatchObject({ stream: 'S', consumer: 'C', deliveryCount: 3, streamSequence: 42 });
    expect(parseAckSubject('$JS.ACK.dom.acchash.S.C.1.9.9.1700000000000000000.5.rnd')).toMatchObject({ stream: 'S', consumer: 'C', deliveryCount: 1, streamSequence: 9 });
  });

  it('returns null for anything else', () => {
    expect(parseAckSubject('_INBOX.abc')).toBeNull();
    expect(parseAckSubject('$JS.ACK.S.C.x.1.1.1.0')).toBeNull();
    expect(parseAckSubject('$JS.ACK.S.C')).toBeNull();
  });
});

describe('dead-letter headers', () => {
  it('property: any string survives encode → decode and the encoded value has no CR/LF', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => {
      const e = encodeHeaderValue(s);
      expect(e).not.toMatch(/[\r\n]/);
      expect(decodeHeaderValue(e)).toBe(s);
    }));
  });

  it('carries a Moleculer error and reads it back', () => {
    const err = new RateLimitError('slow down', { retryAfterMs: 1500 });
    const back = parseDeadLetterError(errorHeaders(err, 1));
    expect(back).toMatchObject({ name: 'RateLimitError', message: 'slow down', code: '429', type: 'RATE_LIMITED', retryable: true, data: { retryAfterMs: 1500 } });
    expect(back.stack).toContain('slow down');
  });

  it('a thrown non-Error still yields a name and a message', () => {
    expect(parseDeadLetterError(errorHeaders({ reason: 'x' }))).toMatchObject({ name: 'Error', message: '{"reason":"x"}' });
    expect(parseDeadLetterError(errorHeaders('plain'))).toMatchObject({ name: 'Error', message: 'plain' });
  });
});
