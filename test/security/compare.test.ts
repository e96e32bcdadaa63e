/** constantTimeEqual and the strict hex/base64 decoders that run before it. */
import { constantTimeEqual } from '../../src/security';
import { decodeBase64, decodeHex } from '../../src/security/compare';

describe('constantTimeEqual', () => {
  it('is true for equal bytes and false for any difference', () => {
    expect(constantTimeEqual(Buffer.from('abc'), Buffer.from('abc'))).toBe(true);
    expect(constantTimeEqual(Buffer.from('abc'), Buffer.from('abd'))).toBe(false);
    expect(constantTimeEqual(Buffer.alloc(0), Buffer.alloc(0))).toBe(true);
  });

  it('returns false on a length mismatch instead of throwing like timingSafeEqual', () => {
    expect(constantTimeEqual(Buffer.from('abc'), Buffer.from('abcd'))).toBe(false);
    expect(constantTimeEqual(Buffer.from('é'), Buffer.from('e'))).toBe(false);
  });

  it('returns false for non-buffers', () => {
    expect(constantTimeEqual('abc' as unknown as Buffer, Buffer.from('abc'))).toBe(false);
    expect(constantTimeEqual(Buffer.from('abc'), undefined as unknown as Buffer)).toBe(false);
  });
});

describe('decodeHex', () => {
  it('decodes even-length hex of either case', () => {
    expect(decodeHex('00ff')).toEqual(Buffer.from([0, 255]));
    expect(decodeHex('00FF')).toEqual(Buffer.from([0, 255]));
  });

  it.each(['', 'a', 'abc', 'zz', '00zz', '0x00', ' 00', '00 ', 'ab\u0000c'])('rejects %j (Buffer.from would stop silently)', (text) => {
    expect(decodeHex(text)).toBeUndefined();
  });
});

describe('decodeBase64', () => {
  it('decodes canonical padded base64', () => {
    expect(decodeBase64('AAEC')).toEqual(Buffer.from([0, 1, 2]));
    expect(decodeBase64('AAE=')).toEqual(Buffer.from([0, 1]));
    expect(decodeBase64('AA==')).toEqual(Buffer.from([0]));
  });

  it.each(['', 'AA', 'AAE', 'A===', 'AA=A', '!!!!', 'AA-_', 'AA E', 'AAEC\n'])('rejects %j', (text) => {
    expect(decodeBase64(text)).toBeUndefined();
  });

  it('rejects non-zero padding bits, which decode to the same bytes as the canonical form', () => {
    expect(Buffer.from('AB==', 'base64')).toEqual(Buffer.from('AA==', 'base64'));
    expect(decodeBase64('AB==')).toBeUndefined();
    expect(decodeBase64('AAF=')).toBeUndefined();
  });
});
