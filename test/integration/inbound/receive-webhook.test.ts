/** Unit tests of claim/commit and the `receiveWebhook` composer, with an in-memory store and fake edges. */
import { claimEvent, claimKey, DONE_MARK, releaseClaim } from '../../../src/integration/inbound/claim';
import { commitEvent } from '../../../src/integration/inbound/commit';
import { receiveWebhook, type InboundPipeline } from '../../../src/integration/inbound/receive-webhook';
import { schemeVerifier } from '../../../src/integration/inbound/verify';
import { slackUrlVerification } from '../../../src/integration/inbound/challenge';
import { resolveInboundOptions } from '../../../src/integration/options';
import { hmacSignature } from '../../../src/security';
import { MemoryStore, type KeyValueStore } from '../../../src/store';
import type { IntegrationConfig } from '../../../src/types';

const broken = (): KeyValueStore => new Proxy(new MemoryStore(), { get: (t, k) => (k === 'kind' ? 'redis' : async () => { throw new Error('ECONNREFUSED'); }) });

describe('claimEvent / releaseClaim / commitEvent', () => {
  it('claims once; a second claimer gets 409 while in flight, `done` after the commit', async () => {
    const store = new MemoryStore();
    const first = await claimEvent(store, 'k', 1000);
    expect(first.state).toBe('claimed');
    await expect(claimEvent(store, 'k', 1000)).rejects.toMatchObject({ code: 409 });
    expect(await commitEvent(store, (first as { claim: { key: string; token: string } }).claim, 5000)).toBe(true);
    expect(await store.get('k')).toBe(DONE_MARK);
    expect(await store.ttl('k')).toBeGreaterThan(1000);
    await expect(claimEvent(store, 'k', 1000)).resolves.toEqual({ state: 'done' });
  });
  it('release frees only this request\'s claim; an expired claim can be taken again', async () => {
    let now = 0;
    const store = new MemoryStore({ now: () => now });
    const a = await claimEvent(store, 'k', 100);
    now = 101;
    const b = await claimEvent(store, 'k', 100);
    expect(b.state).toBe('claimed');
    expect(await releaseClaim(store, (a as { claim: { key: string; token: string } }).claim)).toBe(false);
    expect(await commitEvent(store, (a as { claim: { key: string; token: string } }).claim, 1000)).toBe(false);
    expect(await releaseClaim(store, (b as { claim: { key: string; token: string } }).claim)).toBe(true);
    expect(await store.get('k')).toBeNull();
  });
  it('store down → 503 on claim; release and commit never throw', async () => {
    await expect(claimEvent(broken(), 'k', 100)).rejects.toMatchObject({ code: 503, type: 'UNAVAILABLE' });
    expect(await releaseClaim(broken(), { key: 'k', token: 't' })).toBe(false);
    expect(await commitEvent(broken(), { key: 'k', token: 't' }, 100)).toBe(false);
  });
  it('claimKey', () => expect(claimKey('i', 'c', 'e')).toBe('inbound:i:c:e'));
});

describe('receiveWebhook', () => {
  const scheme = hmacSignature({ header: 'x-sig', algorithm: 'sha256', encoding: 'hex' });
  const channel: IntegrationConfig = { id: 'c', tenantId: 't', platform: 'p', credentials: {}, secrets: ['s'], settings: {}, status: 'active' };
  const body = (o: unknown) => Buffer.from(JSON.stringify(o));
  const request = (raw: Buffer, secret = 's') => ({ channelId: 'c', rawBody: raw, headers: scheme.sign({ rawBody: raw, secret }), query: {}, receivedAt: 9 });

  function pipeline(over: Partial<InboundPipeline> = {}) {
    const published: string[] = [];
    const p: InboundPipeline = {
      integration: 'i', platform: 'p', lookupChannel: async () => channel, verify: schemeVerifier(scheme), challenge: slackUrlVerification,
      eventId: (w) => (w.payload as { id?: string }).id,
      normalize: (w) => ((w.payload as { texts?: string[] }).texts ?? []).map((text, n) => ({ id: `m${n}`, platform: 'p', conversationId: 'c', from: { id: 'u' }, timestamp: 1, content: { type: 'text' as const, text } })),
      store: new MemoryStore(), publish: async (_c, _p, o) => { published.push(o.msgID); }, receivedChannel: 'ns.processing.message.received',
      options: resolveInboundOptions('t'), ...over,
    };
    return { p, published };
  }

  it('runs every step: stored, committed, then a duplicate', async () => {
    const { p, published } = pipeline();
    expect(await receiveWebhook(p, request(body({ id: 'e', texts: ['a', 'b'] })))).toEqual({ success: true, messages: 2, eventId: 'e' });
    expect(published).toEqual(['i:c:e:0', 'i:c:e:1']);
    expect(await p.store.get('inbound:i:c:e')).toBe('done');
    expect(await receiveWebhook(p, request(body({ id: 'e', texts: ['a', 'b'] })))).toMatchObject({ duplicate: true, messages: 0 });
    expect(published).toHaveLength(2);
  });

  it('a bad signature or body never claims', async () => {
    const { p } = pipeline();
    await expect(receiveWebhook(p, request(body({ id: 'e' }), 'wrong'))).rejects.toMatchObject({ code: 401 });
    await expect(receiveWebhook(p, request(Buffer.from('{"id":"e",')))).rejects.toMatchObject({ code: 400 });
    expect(await p.store.get('inbound:i:c:e')).toBeNull();
  });

  it('a publish failure releases the claim and answers 503; the retry publishes every message again (msg ids de-duplicate)', async () => {
    let fail = true;
    const { p, published } = pipeline();
    const flaky = pipeline({ store: p.store, publish: async (c, pl, o) => { if (fail && pl.index === 1) throw new Error('no ack'); return p.publish(c, pl, o); } }).p;
    await expect(receiveWebhook(flaky, request(body({ id: 'e', texts: ['a', 'b'] })))).rejects.toMatchObject({ code: 503, type: 'PUBLISH_FAILED' });
    expect(await p.store.get('inbound:i:c:e')).toBeNull();
    fail = false;
    await expect(receiveWebhook(flaky, request(body({ id: 'e', texts: ['a', 'b'] })))).resolves.toMatchObject({ messages: 2 });
    expect(published).toEqual(['i:c:e:0', 'i:c:e:0', 'i:c:e:1']);
  });

  it('a throwing normalize releases the claim', async () => {
    const { p } = pipeline({ normalize: () => { throw new Error('bug'); } });
    await expect(receiveWebhook(p, request(body({ id: 'e' })))).rejects.toThrow('bug');
    expect(await p.store.get('inbound:i:c:e')).toBeNull();
  });

  it('Slack url_verification is answered after the signature, without a claim', async () => {
    const { p } = pipeline();
    expect(await receiveWebhook(p, request(body({ type: 'url_verification', challenge: 'x' })))).toEqual({ challenge: 'x' });
    await expect(receiveWebhook(p, request(body({ type: 'url_verification', challenge: 'x' }), 'bad'))).rejects.toMatchObject({ code: 401 });
  });

  it('a failed commit still answers 200 and reports it', async () => {
    const store = new MemoryStore();
    const onCommitFailed = jest.fn();
    const { p } = pipeline({ store: Object.assign(Object.create(store), { replaceIfEquals: async () => { throw new Error('down'); } }), onCommitFailed });
    await expect(receiveWebhook(p, request(body({ id: 'e', texts: ['a'] })))).resolves.toMatchObject({ messages: 1 });
    expect(onCommitFailed).toHaveBeenCalledWith('inbound:i:c:e');
  });
});
