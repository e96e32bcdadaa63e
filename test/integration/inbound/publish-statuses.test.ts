/** The receipts step inside `receiveWebhook`: after the messages, one msg id per (message id, status), resumed like messages. */
import { receiveWebhook, type InboundPipeline } from '../../../src/integration/inbound/receive-webhook';
import { publishStatuses, readStatuses, statusMessageId } from '../../../src/integration/inbound/publish-statuses';
import { schemeVerifier } from '../../../src/integration/inbound/verify';
import { resolveInboundOptions } from '../../../src/integration/options';
import { hmacSignature } from '../../../src/security';
import { MemoryStore } from '../../../src/store';
import type { IntegrationConfig, NormalizedStatus } from '../../../src/types';

const scheme = hmacSignature({ header: 'x-sig', algorithm: 'sha256', encoding: 'hex' });
const channel: IntegrationConfig = { id: 'c', tenantId: 't', platform: 'p', credentials: {}, secrets: ['s'], settings: {}, status: 'active' };
const request = (o: unknown) => {
  const raw = Buffer.from(JSON.stringify(o));
  return { channelId: 'c', rawBody: raw, headers: scheme.sign({ rawBody: raw, secret: 's' }), query: {}, receivedAt: 9 };
};
type Body = { id: string; texts?: string[]; receipts?: Array<[string, NormalizedStatus['status']]> };

function pipeline(failOn?: (msgID: string) => boolean) {
  const published: Array<{ channel: string; msgID: string; payload: Record<string, unknown> }> = [];
  const p: InboundPipeline = {
    integration: 'i', platform: 'p', lookupChannel: async () => channel, verify: schemeVerifier(scheme),
    eventId: (w) => (w.payload as Body).id,
    normalize: (w) => ((w.payload as Body).texts ?? []).map((text, n) => ({ id: `m${n}`, platform: 'p', conversationId: 'c', from: { id: 'u' }, timestamp: 1, content: { type: 'text' as const, text } })),
    statuses: (w) => ((w.payload as Body).receipts ?? []).map(([messageId, status]) => ({ messageId, status, timestamp: 5, ...(status === 'failed' ? { error: { code: 131026, message: 'undeliverable' } } : {}) })),
    store: new MemoryStore(),
    publish: async (c, payload, o) => {
      if (failOn?.(o.msgID)) throw new Error('no ack');
      published.push({ channel: c, msgID: o.msgID, payload: payload as unknown as Record<string, unknown> });
    },
    receivedChannel: 'ns.processing.message.received', statusChannel: 'ns.processing.message.status',
    options: resolveInboundOptions('t'),
  };
  return { p, published };
}

describe('statuses step', () => {
  it('publishes messages, then each receipt to the status channel with its own msg id, then commits', async () => {
    const { p, published } = pipeline();
    const answer = await receiveWebhook(p, request({ id: 'e', texts: ['a'], receipts: [['w1', 'delivered'], ['w1', 'read'], ['w2', 'failed']] }));
    expect(answer).toEqual({ success: true, messages: 1, eventId: 'e' });
    expect(published.map((x) => [x.channel, x.msgID])).toEqual([
      ['ns.processing.message.received', 'i:c:e:0'],
      ['ns.processing.message.status', 'i:c:status:w1:delivered'],
      ['ns.processing.message.status', 'i:c:status:w1:read'],
      ['ns.processing.message.status', 'i:c:status:w2:failed'],
    ]);
    expect(published[3].payload).toEqual({
      tenantId: 't', channelId: 'c', integration: 'i', platform: 'p', messageId: 'w2', status: 'failed', timestamp: 5,
      error: { code: 131026, message: 'undeliverable' }, eventId: 'e', receivedAt: 9,
    });
    expect(await p.store.get('inbound:i:t:c:e')).toBe('done');
  });

  it('a status-only webhook stores receipts and no message', async () => {
    const { p, published } = pipeline();
    expect(await receiveWebhook(p, request({ id: 's', receipts: [['w1', 'sent']] }))).toEqual({ success: true, messages: 0, eventId: 's' });
    expect(published.map((x) => x.msgID)).toEqual(['i:c:status:w1:sent']);
  });

  it('a failed receipt publish is a 503 like a message publish; the retry resumes at that receipt', async () => {
    let failing = true;
    const { p, published } = pipeline((id) => failing && id === 'i:c:status:w1:read');
    const body = { id: 'e', texts: ['a', 'b'], receipts: [['w1', 'delivered'], ['w1', 'read']] };
    await expect(receiveWebhook(p, request(body))).rejects.toMatchObject({ code: 503, type: 'PUBLISH_FAILED' });
    expect(await p.store.get('inbound:i:t:c:e')).toBe('partial:3'); // 2 messages + 1 receipt stored
    failing = false;
    await expect(receiveWebhook(p, request(body))).resolves.toEqual({ success: true, messages: 2, eventId: 'e' });
    expect(published.map((x) => x.msgID)).toEqual(['i:c:e:0', 'i:c:e:1', 'i:c:status:w1:delivered', 'i:c:status:w1:read']);
  });

  it('a receipt repeated by another webhook (hours later, past the stream window) is not published again', async () => {
    const { p, published } = pipeline();
    await receiveWebhook(p, request({ id: 'e1', receipts: [['w1', 'delivered']] }));
    const answer = await receiveWebhook(p, request({ id: 'e2', receipts: [['w1', 'delivered'], ['w1', 'read']] }));
    expect(answer).toMatchObject({ success: true, messages: 0 });
    expect(published.map((x) => x.msgID)).toEqual(['i:c:status:w1:delivered', 'i:c:status:w1:read']);
    const ttl = await p.store.ttl('status:i:t:c:w1:read'); // remembered for the done TTL (the store's clock runs)
    expect(ttl).toBeGreaterThan(p.options.doneTtlMs - 5_000);
    expect(ttl).toBeLessThanOrEqual(p.options.doneTtlMs);
  });

  it('a malformed receipt is the integration bug (500): no receipt published, the stored messages kept for the retry', async () => {
    const { p, published } = pipeline();
    const bad = { ...p, statuses: () => [{ messageId: 'w', status: 'seen', timestamp: 1 }] as unknown as NormalizedStatus[] };
    await expect(receiveWebhook(bad, request({ id: 'e', texts: ['a'] }))).rejects.toThrow(/status.*must be one of/);
    expect(published.map((x) => x.msgID)).toEqual(['i:c:e:0']);
    expect(await p.store.get('inbound:i:t:c:e')).toBe('partial:1');
  });

  it('helpers: no hook → none; msg ids per (message id, status)', async () => {
    expect(await readStatuses(undefined, {} as never, channel)).toEqual([]);
    expect(statusMessageId('whatsapp', 'c1', 'wamid.X', 'read')).toBe('whatsapp:c1:status:wamid.X:read');
    const seen: string[] = [];
    const progress = { stored: 3 };
    const n = await publishStatuses(async (_c, _p, o) => { seen.push(o.msgID); }, 'st', [
      { messageId: 'a', status: 'sent', timestamp: 1 }, { messageId: 'a', status: 'read', timestamp: 2 },
    ], { integration: 'i', channelId: 'c', tenantId: 't', eventId: 'e', receivedAt: 0, platform: 'p' }, progress, 2);
    expect(n).toBe(2);
    expect(seen).toEqual(['i:c:status:a:read']); // item 2 (the first receipt) was stored by an earlier delivery
    expect(progress.stored).toBe(4);
  });
});
