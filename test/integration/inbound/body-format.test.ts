/** Body formats: the content type picks JSON or form (415 otherwise); forms parsed with Slack's payload field, limits and no prototype keys. */
import fc from 'fast-check';
import { BadRequestError } from '../../../src/errors';
import { parseBody, parseFormPayload, requestBodyFormat } from '../../../src/integration/inbound/body-format';

const limits = { maxJsonDepth: 8, maxFormFields: 10, formJsonFields: ['payload'] };

describe('requestBodyFormat', () => {
  it.each([
    ['application/json', ['json'], 'json'],
    ['application/vnd.acme+json; charset=utf-8', ['json'], 'json'],
    ['application/x-www-form-urlencoded', ['json', 'form'], 'form'],
    ['Application/X-WWW-Form-Urlencoded;charset=UTF-8', ['form'], 'form'],
    [undefined, ['json', 'form'], 'json'],
  ] as const)('%s with %p → %s', (type, accepted, format) => {
    expect(requestBodyFormat(type ? { 'content-type': type } : {}, accepted)).toBe(format);
  });
  it.each([
    ['application/x-www-form-urlencoded', ['json']],
    ['application/json', ['form']],
    ['text/plain', ['json', 'form']],
    [undefined, ['form']],
  ] as const)('%s with %p → 415 naming what is taken', (type, accepted) => {
    expect(() => requestBodyFormat(type ? { 'content-type': type } : {}, accepted)).toThrow(expect.objectContaining({ code: 415 }));
  });
});

describe('parseFormPayload', () => {
  it('decodes fields (+ and %XX), keeps repeated fields in order, parses payload as JSON', () => {
    const raw = `text=hello+world%21&tag=a&tag=b&tag=c&payload=${encodeURIComponent('{"type":"block_actions","n":[1]}')}&empty=`;
    expect(parseFormPayload(Buffer.from(raw), limits)).toEqual({ text: 'hello world!', tag: ['a', 'b', 'c'], payload: { type: 'block_actions', n: [1] }, empty: '' });
  });
  it('a payload field that is not JSON-looking stays text; broken JSON → 400; too deep → 400', () => {
    expect(parseFormPayload(Buffer.from('payload=plain'), limits)).toEqual({ payload: 'plain' });
    expect(() => parseFormPayload(Buffer.from('payload=%7Bnope'), limits)).toThrow(BadRequestError);
    expect(() => parseFormPayload(Buffer.from(`payload=${encodeURIComponent('['.repeat(20) + ']'.repeat(20))}`), limits)).toThrow(/deeper/);
  });
  it('drops __proto__, constructor and prototype fields, and __proto__ keys inside the payload JSON', () => {
    const json = '{"__proto__":{"polluted":1},"a":{"__proto__":{"polluted":2}}}';
    const out = parseFormPayload(Buffer.from(`__proto__=x&constructor=y&prototype=z&payload=${encodeURIComponent(json)}`), limits);
    expect(Object.keys(out)).toEqual(['payload']);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify(out)).toBe('{"payload":{"a":{}}}');
  });
  it('more fields than maxFormFields → 400; a broken percent-escape → 400', () => {
    expect(() => parseFormPayload(Buffer.from(Array.from({ length: 11 }, (_, i) => `f${i}=1`).join('&')), limits)).toThrow(/limit is 10/);
    expect(() => parseFormPayload(Buffer.from('a=%E0%A4%A'), limits)).toThrow(BadRequestError);
    expect(() => parseFormPayload(Buffer.from([0x61, 0x3d, 0xff, 0xfe]), limits)).toThrow(/not UTF-8/);
  });
  it('arbitrary bytes: an object or a BadRequestError, never another throw, never a polluted prototype', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1'))), (text) => {
      try {
        const out = parseBody(Buffer.from(text), 'form', limits);
        expect(typeof out).toBe('object');
      } catch (err) {
        expect(err).toBeInstanceOf(BadRequestError);
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }), { numRuns: 300 });
  });
});
