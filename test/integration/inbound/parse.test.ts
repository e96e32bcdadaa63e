/** Unit tests — step 4: parse and validate. */
import { jsonDepthWithin, parsePayload, validatePayload } from '../../../src/integration/inbound/parse';

const status = async (p: Promise<unknown>) => { try { await p; return 0; } catch (e) { return (e as { code: number }).code; } };

describe('parsePayload', () => {
  it('objects and arrays; malformed, scalar, too deep → 400', () => {
    expect(parsePayload(Buffer.from('{"a":[1]}'), 5)).toEqual({ a: [1] });
    for (const raw of ['{"a":', '"s"', '1', 'null', '', '\u0000']) expect(() => parsePayload(Buffer.from(raw), 5)).toThrow(expect.objectContaining({ code: 400 }));
    expect(() => parsePayload(Buffer.from('[[[[[[1]]]]]]'), 5)).toThrow(/deeper than 5/);
  });
  it('invalid UTF-8 (Latin-1 byte, truncated sequence, overlong form, UTF-8-encoded surrogate) → 400, never U+FFFD (issue 8.8)', () => {
    for (const bytes of [[0xe9], [0xe2, 0x82], [0xc0, 0xaf], [0xed, 0xa0, 0x80]]) {
      const raw = Buffer.concat([Buffer.from('{"text":"caf'), Buffer.from(bytes), Buffer.from('"}')]);
      expect(() => parsePayload(raw, 5)).toThrow(expect.objectContaining({ code: 400, message: expect.stringContaining('UTF-8') }));
    }
    expect(parsePayload(Buffer.from('{"text":"café 👋 \\ud800"}'), 5)).toEqual({ text: 'café 👋 \ud800' });
  });
  it('depth scan ignores brackets inside strings and escaped quotes', () => {
    expect(jsonDepthWithin('{"a":"[[[[[[\\"[[["}', 1)).toBe(true);
    expect(jsonDepthWithin('[[', 1)).toBe(false);
  });
  it('drops __proto__ keys, including the \\u-escaped spelling, and never touches a prototype', () => {
    const p = parsePayload(Buffer.from('{"__proto__":{"x":1},"b":{"\\u005f_proto__":{"x":1}}}'), 5) as Record<string, Record<string, unknown>>;
    expect(Object.prototype.hasOwnProperty.call(p, '__proto__')).toBe(false);
    expect(Object.prototype.hasOwnProperty.call(p.b, '__proto__')).toBe(false);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
  it('validatePayload: false or a throw → 400', async () => {
    expect(await status(validatePayload(() => false, {}))).toBe(400);
    expect(await status(validatePayload(() => { throw new Error('no'); }, {}))).toBe(400);
    expect(await status(validatePayload(async () => true, {}))).toBe(0);
  });
});
