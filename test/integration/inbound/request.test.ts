/** Unit tests — decoding the i_receiveWebhook params. */
import { decodeRequest } from '../../../src/integration/inbound/request';

describe('decodeRequest', () => {
  it('decodes base64 bytes exactly, with null-prototype header and query maps', () => {
    const bytes = Buffer.from([0, 255, 0xf0, 0x9f, 0x91, 0x8b]);
    const r = decodeRequest({ channelId: 'c', body: bytes.toString('base64'), headers: { 'X-A': 'b', n: 1 as unknown as string }, query: { __proto__: 'x' } as Record<string, string> }, 100);
    expect(r.rawBody.equals(bytes)).toBe(true);
    expect(r.headers['x-a']).toBe('b');
    expect(r.headers.n).toBeUndefined();
    expect(Object.getPrototypeOf(r.query)).toBeNull();
  });
  it('413 over the limit (decoded size), 400 on non-base64', () => {
    expect(() => decodeRequest({ channelId: 'c', body: Buffer.alloc(11).toString('base64') }, 10)).toThrow(expect.objectContaining({ code: 413 }));
    expect(() => decodeRequest({ channelId: 'c', body: Buffer.alloc(10).toString('base64') }, 10)).not.toThrow();
    expect(() => decodeRequest({ channelId: 'c', body: 'not base64!' }, 10)).toThrow(expect.objectContaining({ code: 400 }));
    expect(() => decodeRequest({ channelId: 'c', body: 42 as unknown as string }, 10)).toThrow(expect.objectContaining({ code: 400 }));
    expect(() => decodeRequest({ channelId: 'a:b', body: '' }, 10)).toThrow(expect.objectContaining({ code: 400 }));
  });
});
