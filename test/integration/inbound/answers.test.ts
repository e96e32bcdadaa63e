/** Answers after storage: routing by event type and JSON-key filter, the time budget, fallbacks; run only after the messages are stored. */
import { answerStoredWebhook, checkAnswers } from '../../../src/integration/inbound/answers';
import { receiveWebhook, type InboundPipeline } from '../../../src/integration/inbound/receive-webhook';
import { schemeVerifier } from '../../../src/integration/inbound/verify';
import { resolveInboundOptions } from '../../../src/integration/options';
import { jsonKeyEquals } from '../../../src/filters';
import { hmacSignature } from '../../../src/security';
import { MemoryStore } from '../../../src/store';
import type { WebhookEvent } from '../../../src/types';

const webhook = (payload: unknown): WebhookEvent<unknown> => ({ integration: 'i', channelId: 'c', tenantId: 't', headers: {}, query: {}, rawBody: Buffer.alloc(0), payload, receivedAt: 0 });
const stored = { eventId: 'e1', messages: 1, duplicate: false };
const fallback = { success: true, messages: 1, eventId: 'e1' };

describe('answerStoredWebhook', () => {
  const routing = (answers: unknown[], extra: Record<string, unknown> = {}) => ({
    answers: answers as never, eventType: (w: WebhookEvent<unknown>) => (w.payload as { type?: string }).type, timeoutMs: 50, ...extra,
  });
  it('the first entry whose event and filter match answers; stored facts are passed', async () => {
    const r = routing([
      { event: 'cmd', filter: jsonKeyEquals('name', 'a'), handler: () => 'A' },
      { event: ['cmd', 'other'], handler: (_w: unknown, s: typeof stored) => ({ got: s.messages }) },
      { event: '*', handler: () => 'star' },
    ]);
    expect(await answerStoredWebhook(r, webhook({ type: 'cmd', name: 'a' }), stored, fallback)).toBe('A');
    expect(await answerStoredWebhook(r, webhook({ type: 'cmd', name: 'b' }), stored, fallback)).toEqual({ got: 1 });
    expect(await answerStoredWebhook(r, webhook({ type: 'zzz' }), stored, fallback)).toBe('star');
  });
  it('no match, undefined, a throw or the budget running out → the default answer (and told why)', async () => {
    const told: string[] = [];
    const onFallback = (reason: string) => told.push(reason);
    expect(await answerStoredWebhook(routing([{ event: 'x', handler: () => 'x' }]), webhook({ type: 'y' }), stored, fallback)).toBe(fallback);
    expect(await answerStoredWebhook(routing([{ event: '*', handler: () => undefined }]), webhook({}), stored, fallback)).toBe(fallback);
    expect(await answerStoredWebhook(routing([{ event: '*', handler: () => { throw new Error('boom'); } }], { onFallback }), webhook({}), stored, fallback)).toBe(fallback);
    let late: NodeJS.Timeout | undefined;
    const slow = { event: '*', handler: () => new Promise((r) => { late = setTimeout(() => r('late'), 500); }) };
    expect(await answerStoredWebhook(routing([slow], { onFallback }), webhook({}), stored, fallback)).toBe(fallback);
    clearTimeout(late); // the answer was given up on; its timer must not outlive the test
    expect(await answerStoredWebhook(routing([{ event: '*', handler: () => 'x' }], { eventType: () => { throw new Error('bad'); }, onFallback }), webhook({}), stored, fallback)).toBe(fallback);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const odd of [cyclic, { n: BigInt(1) }, 42, true]) {
      expect(await answerStoredWebhook(routing([{ event: '*', handler: () => odd }], { onFallback }), webhook({}), stored, fallback)).toBe(fallback);
    }
    expect(told).toEqual([
      expect.stringContaining('threw'), expect.stringContaining('ran over 50 ms'), 'eventType threw',
      ...Array(4).fill(expect.stringContaining('not JSON')),
    ]);
  });
  it('checkAnswers names the bad entry; event types need eventType unless "*"', () => {
    expect(() => checkAnswers('w', {}, undefined)).toThrow(/answers/);
    expect(() => checkAnswers('w', [{ event: '', handler: () => 1 }], () => 'x')).toThrow(/answers\[0\]\.event/);
    expect(() => checkAnswers('w', [{ event: 'a', handler: 1 }], () => 'x')).toThrow(/answers\[0\]\.handler/);
    expect(() => checkAnswers('w', [{ event: 'a', filter: 'x', handler: () => 1 }], () => 'x')).toThrow(/filter/);
    expect(() => checkAnswers('w', [{ event: 'a', handler: () => 1 }], undefined)).toThrow(/eventType/);
    expect(() => checkAnswers('w', [{ event: '*', handler: () => 1 }], undefined)).not.toThrow();
  });
});

describe('receiveWebhook answers only after the messages are stored', () => {
  const scheme = hmacSignature({ header: 'x-sig' });
  function pipeline(events: string[], publishFails = false): InboundPipeline {
    const channel = { id: 'c1', tenantId: 't', platform: 'p', credentials: {}, secrets: ['s'], settings: {}, status: 'active' as const };
    return {
      integration: 'i', platform: 'p', lookupChannel: async () => channel, verify: schemeVerifier(scheme), store: new MemoryStore(),
      eventId: (w) => (w.payload as { id: string }).id,
      normalize: (w) => [{ id: (w.payload as { id: string }).id, platform: 'p', conversationId: 'c', from: { id: 'u' }, timestamp: 1, content: { type: 'text', text: 'x' } }],
      publish: async () => { events.push('published'); if (publishFails) throw new Error('nats down'); },
      receivedChannel: 'ns.processing.message.received', options: resolveInboundOptions('t'),
      answer: async (_w, s, fb) => { events.push(`answered:${s.messages}:${s.duplicate}`); return { custom: true, fb }; },
    };
  }
  const request = (id: string) => {
    const rawBody = Buffer.from(JSON.stringify({ id }));
    return { channelId: 'c1', rawBody, headers: scheme.sign({ rawBody, secret: 's' }), query: {}, receivedAt: 0 };
  };
  it('stored → answered (also for a duplicate); a failed publish is a 503, never an answer', async () => {
    const events: string[] = [];
    const p = pipeline(events);
    expect(await receiveWebhook(p, request('e1'))).toMatchObject({ custom: true, fb: { success: true, messages: 1 } });
    expect(await receiveWebhook(p, request('e1'))).toMatchObject({ custom: true, fb: { duplicate: true } });
    expect(events).toEqual(['published', 'answered:1:false', 'answered:0:true']);
    const failing: string[] = [];
    await expect(receiveWebhook(pipeline(failing, true), request('e2'))).rejects.toMatchObject({ code: 503 });
    expect(failing).toEqual(['published']);
  });
});
