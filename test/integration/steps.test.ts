/** Unit tests of the small inbound steps: options, request decoding, channel, verify, parse, event id, normalize, publish. */
import { ConfigError, PublishError } from '../../src/errors';
import { memoizeChannelLookup } from '../../src/integration/inbound/channel-cache';
import { resolveEventId } from '../../src/integration/inbound/event-id';
import { normalizeWebhook } from '../../src/integration/inbound/normalize';
import { jsonDepthWithin, parsePayload, validatePayload } from '../../src/integration/inbound/parse';
import { messageId, publishMessages } from '../../src/integration/inbound/publish';
import { decodeRequest } from '../../src/integration/inbound/request';
import { resolveChannel } from '../../src/integration/inbound/resolve-channel';
import { customVerifier, schemeVerifier, verifySignature } from '../../src/integration/inbound/verify';
import { metaChallenge } from '../../src/integration/inbound/verify-webhook';
import { DEFAULT_DONE_TTL_MS, resolveInboundOptions } from '../../src/integration/options';
import { hmacSignature } from '../../src/security';
import type { IntegrationConfig, NormalizedMessage, WebhookEvent } from '../../src/types';

const ch = (o: Partial<IntegrationConfig> = {}): IntegrationConfig => ({ id: 'c', tenantId: 't', platform: 'p', credentials: {}, secrets: ['s'], settings: {}, status: 'active', ...o });
const req = (raw: string, headers: Record<string, string> = {}) => ({ channelId: 'c', rawBody: Buffer.from(raw), headers, query: {}, receivedAt: 1 });
const webhook = (payload: unknown): WebhookEvent<unknown> => ({ integration: 'i', channelId: 'c', tenantId: 't', headers: {}, query: {}, rawBody: Buffer.from(JSON.stringify(payload)), payload, receivedAt: 5 });
const msg = (id: string): NormalizedMessage => ({ id, platform: 'p', conversationId: 'c', from: { id: 'u' }, timestamp: 1, content: { type: 'text', text: 'x' } });
const status = async (p: Promise<unknown>) => { try { await p; return 0; } catch (e) { return (e as { code: number }).code; } };

describe('resolveInboundOptions', () => {
  it('defaults and overrides', () => {
    expect(resolveInboundOptions('x').doneTtlMs).toBe(DEFAULT_DONE_TTL_MS);
    expect(resolveInboundOptions('x', { claimTtlMs: 500 }).claimTtlMs).toBe(500);
  });
  it('rejects bad values naming the option, and doneTtlMs < claimTtlMs', () => {
    expect(() => resolveInboundOptions('x', { maxBodyBytes: 0 })).toThrow(/inbound\.maxBodyBytes/);
    expect(() => resolveInboundOptions('x', { claimTtlMs: 1.5 })).toThrow(ConfigError);
    expect(() => resolveInboundOptions('x', { claimTtlMs: 10_000, doneTtlMs: 1_000 })).toThrow(/doneTtlMs/);
  });
});

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
  });
});

describe('resolveChannel', () => {
  it('unknown, disabled, other platform → 404; a failing lookup → 503', async () => {
    expect(await status(resolveChannel(async () => null, 'c', 'p'))).toBe(404);
    expect(await status(resolveChannel(async () => ch({ status: 'disabled' }), 'c', 'p'))).toBe(404);
    expect(await status(resolveChannel(async () => ch({ platform: 'q' }), 'c', 'p'))).toBe(404);
    expect(await status(resolveChannel(async () => { throw new Error('redis down'); }, 'c', 'p'))).toBe(503);
    await expect(resolveChannel(async () => ch(), 'c', 'p')).resolves.toMatchObject({ tenantId: 't' });
  });
});

describe('memoizeChannelLookup', () => {
  it('shares concurrent misses, caches for ttl, does not cache failures, invalidates', async () => {
    let t = 0;
    let calls = 0;
    let fail = false;
    const lookup = memoizeChannelLookup(async () => { calls++; if (fail) throw new Error('x'); return ch(); }, 1000, 10, () => t);
    await Promise.all([lookup('c', null), lookup('c', null)]);
    expect(calls).toBe(1);
    t = 999; await lookup('c', null); expect(calls).toBe(1);
    t = 1000; await lookup('c', null); expect(calls).toBe(2);
    lookup.invalidate('c'); fail = true;
    await expect(lookup('c', null)).rejects.toThrow();
    fail = false; await lookup('c', null); expect(calls).toBe(4);
  });
});

describe('verifySignature', () => {
  const scheme = hmacSignature({ header: 'x-sig', algorithm: 'sha256', encoding: 'hex' });
  it('accepts a valid signature, 401 with the reason otherwise', async () => {
    const headers = scheme.sign({ rawBody: '{}', secret: 's' });
    await expect(verifySignature(schemeVerifier(scheme), req('{}', headers), ch())).resolves.toMatchObject({ valid: true });
    await expect(verifySignature(schemeVerifier(scheme), req('{ }', headers), ch())).rejects.toMatchObject({ code: 401, data: { reason: 'mismatch' } });
    await expect(verifySignature(schemeVerifier(scheme), req('{}', headers), ch({ secrets: [] }))).rejects.toMatchObject({ code: 401 });
  });
  it('a custom check that throws or answers junk is a 401, never a 500', async () => {
    await expect(verifySignature(customVerifier(() => { throw new Error('boom'); }), req('{}'), ch())).rejects.toMatchObject({ code: 401 });
    await expect(verifySignature(customVerifier(() => 'yes' as unknown as boolean), req('{}'), ch())).rejects.toMatchObject({ code: 401 });
    await expect(verifySignature(customVerifier(() => false), req('{}'), ch())).rejects.toMatchObject({ code: 401 });
    await expect(verifySignature(customVerifier(async () => true), req('{}'), ch())).resolves.toEqual({ valid: true });
  });
});

describe('parsePayload', () => {
  it('objects and arrays; malformed, scalar, too deep → 400', () => {
    expect(parsePayload(Buffer.from('{"a":[1]}'), 5)).toEqual({ a: [1] });
    for (const raw of ['{"a":', '"s"', '1', 'null', '', '\u0000']) expect(() => parsePayload(Buffer.from(raw), 5)).toThrow(expect.objectContaining({ code: 400 }));
    expect(() => parsePayload(Buffer.from('[[[[[[1]]]]]]'), 5)).toThrow(/deeper than 5/);
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

describe('resolveEventId', () => {
  it('hook first, then the scheme id, then a hash of the bytes', async () => {
    expect(await resolveEventId((w) => (w.payload as { id: number }).id, webhook({ id: 7 }), { valid: true, eventId: 'x' })).toBe('7');
    expect(await resolveEventId(undefined, webhook({}), { valid: true, eventId: 'msg_1' })).toBe('msg_1');
    expect(await resolveEventId(undefined, webhook({}), { valid: true })).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
  it('unusable ids or a throwing hook → 400', async () => {
    for (const v of [undefined, null, '', {}, NaN, 'x'.repeat(257)]) expect(await status(resolveEventId(() => v, webhook({}), { valid: true }))).toBe(400);
    expect(await status(resolveEventId(() => { throw new TypeError('no id'); }, webhook({}), { valid: true }))).toBe(400);
  });
});

describe('normalizeWebhook', () => {
  it('fills platform, accepts none, caps the count (400), rejects malformed messages', async () => {
    const noPlatform = { ...msg('a'), platform: '' };
    expect((await normalizeWebhook(() => [noPlatform], webhook({}), ch(), 'p', 5))[0].platform).toBe('p');
    expect(await normalizeWebhook(() => [], webhook({}), ch(), 'p', 5)).toEqual([]);
    expect(await status(normalizeWebhook(() => [msg('a'), msg('b')], webhook({}), ch(), 'p', 1))).toBe(400);
    await expect(normalizeWebhook(() => [{ ...msg('a'), timestamp: 'now' } as unknown as NormalizedMessage], webhook({}), ch(), 'p', 5)).rejects.toThrow(/timestamp/);
  });
});

describe('publishMessages', () => {
  const ctx = { integration: 'i', channelId: 'c', tenantId: 't', eventId: 'e', receivedAt: 1 };
  it('publishes in order with msg ids <integration>:<channel>:<event>:<index>', async () => {
    const sent: string[] = [];
    await publishMessages(async (_c, p, o) => { sent.push(`${o.msgID}/${p.message.id}`); }, 'ns.x', [msg('a'), msg('b')], ctx);
    expect(sent).toEqual(['i:c:e:0/a', 'i:c:e:1/b']);
    expect(messageId('i', 'c', 'e', 3)).toBe('i:c:e:3');
  });
  it('stops at the first failure with a PublishError (503) naming the msg id', async () => {
    let n = 0;
    const err = await publishMessages(async () => { if (n++ === 1) throw new Error('no ack'); }, 'x', [msg('a'), msg('b'), msg('c')], ctx).catch((e) => e);
    expect(err).toBeInstanceOf(PublishError);
    expect(err).toMatchObject({ code: 503, data: { msgID: 'i:c:e:1' } });
    expect(n).toBe(2);
  });
});

describe('metaChallenge', () => {
  const q = (query: Record<string, string>) => ({ channelId: 'c', query, headers: {} });
  it('answers the challenge with the right token; 403 wrong/unset token; 400 no challenge', () => {
    const channel = ch({ settings: { verifyToken: 'tok' } });
    expect(metaChallenge(q({ 'hub.mode': 'subscribe', 'hub.verify_token': 'tok', 'hub.challenge': '42' }), channel)).toBe('42');
    expect(() => metaChallenge(q({ 'hub.mode': 'subscribe', 'hub.verify_token': 'tak', 'hub.challenge': '42' }), channel)).toThrow(expect.objectContaining({ code: 403 }));
    expect(() => metaChallenge(q({ 'hub.mode': 'subscribe', 'hub.verify_token': '', 'hub.challenge': '42' }), ch())).toThrow(expect.objectContaining({ code: 403 }));
    expect(() => metaChallenge(q({ 'hub.mode': 'unsubscribe', 'hub.verify_token': 'tok', 'hub.challenge': '42' }), channel)).toThrow(expect.objectContaining({ code: 400 }));
  });
});
