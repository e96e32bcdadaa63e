/** Unit tests of claim/commit and the `receiveWebhook` composer, with an in-memory store and fake edges. */
import { claimEvent, claimKey, DONE_MARK, partialMark, releaseClaim, type HeldClaim } from '../../../src/integration/inbound/claim';
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
    expect(await commitEvent(store, (first as { claim: HeldClaim }).claim, 5000)).toBe(true);
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
    expect(await releaseClaim(store, (a as { claim: HeldClaim }).claim, 0, 1000)).toBe(false);
    expect(await commitEvent(store, (a as { claim: HeldClaim }).claim, 1000)).toBe(false);
    expect(await releaseClaim(store, (b as { claim: HeldClaim }).claim, 0, 1000)).toBe(true);
    expect(await store.get('k')).toBeNull();
  });
  it('store down → 503 on claim; release and commit never throw', async () => {
    await expect(claimEvent(broken(), 'k', 100)).rejects.toMatchObject({ code: 503, type: 'UNAVAILABLE' });
    expect(await releaseClaim(broken(), { key: 'k', token: 't', from: 0 }, 0, 100)).toBe(false);
    expect(await releaseClaim(broken(), { key: 'k', token: 't', from: 0 }, 2, 100)).toBe(false);
    expect(await commitEvent(broken(), { key: 'k', token: 't', from: 0 }, 100)).toBe(false);
  });
  it('a failure after n > 0 messages keeps `partial:n` for the done TTL; the next claim resumes from n, one at a time', async () => {
    let now = 0;
    const store = new MemoryStore({ now: () => now });
    const first = (await claimEvent(store, 'k', 100)) as { claim: HeldClaim };
    expect(first.claim.from).toBe(0);
    expect(await releaseClaim(store, first.claim, 2, 5000)).toBe(true);
    expect(await store.get('k')).toBe(partialMark(2));
    expect(await store.ttl('k')).toBe(5000);
    now = 4000; // long after the claim TTL (and any JetStream duplicate window)
    const retry = await claimEvent(store, 'k', 100);
    expect(retry).toMatchObject({ state: 'claimed', claim: { key: 'k', from: 2 } });
    expect(await store.get('k')).toMatch(/^pending:/);
    expect(await store.ttl('k')).toBe(100); // a crashed resume frees itself like any claim
    await expect(claimEvent(store, 'k', 100)).rejects.toMatchObject({ code: 409 });
    // a resumed request that fails before storing anything more keeps the progress it found
    expect(await releaseClaim(store, (retry as { claim: HeldClaim }).claim, 2, 5000)).toBe(true);
    expect(await store.get('k')).toBe(partialMark(2));
  });
  it('only one of many concurrent retries resumes a partial event; the rest get 409', async () => {
    const store = new MemoryStore();
    await store.set('k', partialMark(1), 5000);
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => claimEvent(store, 'k', 100)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'rejected').every((o) => (o as PromiseRejectedResult).reason.code === 409)).toBe(true);
  });
  it('claimKey is scoped to the tenant', () => {
    expect(claimKey('i', 't', 'c', 'e')).toBe('inbound:i:t:c:e');
    expect(claimKey('i', 'a', 'c', 'e')).not.toBe(claimKey('i', 'b', 'c', 'e'));
    // a `:` in a tenant id cannot make two (tenant, channel, event) triples collide
    expect(claimKey('i', 'a:b', 'c', 'e')).not.toBe(claimKey('i', 'a', 'b', 'c:e'));
  });
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
    expect(await p.store.get('inbound:i:t:c:e')).toBe('done');
    expect(await receiveWebhook(p, request(body({ id: 'e', texts: ['a', 'b'] })))).toMatchObject({ duplicate: true, messages: 0 });
    expect(published).toHaveLength(2);
  });

  it('a bad signature or body never claims', async () => {
    const { p } = pipeline();
    await expect(receiveWebhook(p, request(body({ id: 'e' }), 'wrong'))).rejects.toMatchObject({ code: 401 });
    await expect(receiveWebhook(p, request(Buffer.from('{"id":"e",')))).rejects.toMatchObject({ code: 400 });
    expect(await p.store.get('inbound:i:t:c:e')).toBeNull();
  });

  it('a publish failure before any message is stored releases the claim and answers 503', async () => {
    const { p } = pipeline({ publish: async () => { throw new Error('no ack'); } });
    await expect(receiveWebhook(p, request(body({ id: 'e', texts: ['a', 'b'] })))).rejects.toMatchObject({ code: 503, type: 'PUBLISH_FAILED' });
    expect(await p.store.get('inbound:i:t:c:e')).toBeNull();
  });

  it('a failure at index 1 of 3 records `partial:1`; the retry, even hours later, publishes only indexes 1 and 2', async () => {
    let now = 0;
    const store = new MemoryStore({ now: () => now });
    let failAt: number | undefined = 1;
    const { p, published } = pipeline({ store });
    const flaky = { ...p, publish: async (c: string, pl: Parameters<InboundPipeline['publish']>[1], o: { msgID: string }) => {
      if (pl.index === failAt) throw new Error('no ack');
      return p.publish(c, pl, o);
    } };
    const delivery = () => request(body({ id: 'e', texts: ['a', 'b', 'c'] }));
    await expect(receiveWebhook(flaky, delivery())).rejects.toMatchObject({ code: 503, type: 'PUBLISH_FAILED' });
    expect(published).toEqual(['i:c:e:0']);
    expect(await store.get('inbound:i:t:c:e')).toBe('partial:1');
    expect(await store.ttl('inbound:i:t:c:e')).toBe(p.options.doneTtlMs);

    now += 3 * 60 * 60 * 1000; // 3 h later: far past the claim TTL and JetStream's duplicate window
    failAt = undefined;
    await expect(receiveWebhook(flaky, delivery())).resolves.toEqual({ success: true, messages: 3, eventId: 'e' });
    expect(published).toEqual(['i:c:e:0', 'i:c:e:1', 'i:c:e:2']);
    expect(await store.get('inbound:i:t:c:e')).toBe('done');
    await expect(receiveWebhook(flaky, delivery())).resolves.toMatchObject({ duplicate: true, messages: 0 });
    expect(published).toHaveLength(3);
  });

  it('a resumed delivery that fails again moves the mark forward; one that stores nothing more keeps it', async () => {
    let failAt: number | undefined = 1;
    let normalizeFails = false;
    const { p, published } = pipeline();
    const flaky = { ...p,
      normalize: (w: Parameters<InboundPipeline['normalize']>[0], c: IntegrationConfig) => { if (normalizeFails) throw new Error('bug'); return p.normalize(w, c); },
      publish: async (c: string, pl: Parameters<InboundPipeline['publish']>[1], o: { msgID: string }) => { if (pl.index === failAt) throw new Error('no ack'); return p.publish(c, pl, o); },
    };
    const delivery = () => request(body({ id: 'e', texts: ['a', 'b', 'c', 'd'] }));
    await expect(receiveWebhook(flaky, delivery())).rejects.toMatchObject({ code: 503 });
    failAt = 3;
    await expect(receiveWebhook(flaky, delivery())).rejects.toMatchObject({ code: 503 });
    expect(await p.store.get('inbound:i:t:c:e')).toBe('partial:3');
    normalizeFails = true;
    await expect(receiveWebhook(flaky, delivery())).rejects.toThrow('bug');
    expect(await p.store.get('inbound:i:t:c:e')).toBe('partial:3');
    normalizeFails = false;
    failAt = undefined;
    await expect(receiveWebhook(flaky, delivery())).resolves.toMatchObject({ messages: 4 });
    expect(published).toEqual(['i:c:e:0', 'i:c:e:1', 'i:c:e:2', 'i:c:e:3']);
  });

  it('while a resumed delivery is in flight, another delivery of the event gets 409', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const { p, published } = pipeline();
    await p.store.set('inbound:i:t:c:e', 'partial:1', 60_000);
    const slow = { ...p, publish: async (c: string, pl: Parameters<InboundPipeline['publish']>[1], o: { msgID: string }) => { await gate; return p.publish(c, pl, o); } };
    const first = receiveWebhook(slow, request(body({ id: 'e', texts: ['a', 'b'] })));
    await new Promise((r) => setImmediate(r));
    await expect(receiveWebhook(slow, request(body({ id: 'e', texts: ['a', 'b'] })))).rejects.toMatchObject({ code: 409 });
    release();
    await expect(first).resolves.toMatchObject({ messages: 2 });
    expect(published).toEqual(['i:c:e:1']);
  });

  it('a channel id reused by another tenant shares nothing with the deleted channel\'s events', async () => {
    const { p, published } = pipeline();
    await receiveWebhook(p, request(body({ id: 'e', texts: ['a'] })));
    expect(await p.store.get('inbound:i:t:c:e')).toBe('done');
    // channel "c" deleted, then created again by tenant "t2"; the same event id arrives
    const reused = { ...p, lookupChannel: async () => ({ ...channel, tenantId: 't2' }) };
    await expect(receiveWebhook(reused, request(body({ id: 'e', texts: ['b'] })))).resolves.toEqual({ success: true, messages: 1, eventId: 'e' });
    expect(published).toEqual(['i:c:e:0', 'i:c:e:0']);
    expect(await p.store.get('inbound:i:t2:c:e')).toBe('done');
  });

  it('a throwing normalize releases the claim', async () => {
    const { p } = pipeline({ normalize: () => { throw new Error('bug'); } });
    await expect(receiveWebhook(p, request(body({ id: 'e' })))).rejects.toThrow('bug');
    expect(await p.store.get('inbound:i:t:c:e')).toBeNull();
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
    expect(onCommitFailed).toHaveBeenCalledWith('inbound:i:t:c:e');
  });
});
