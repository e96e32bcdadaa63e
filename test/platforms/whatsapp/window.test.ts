/** The 24-hour window in the store: recorded from inbound timestamps, latest wins, expires with the window. */
import { MemoryStore } from '../../../src/store';
import { recordInbound, recordMessages, windowKey, windowState, WHATSAPP_WINDOW_MS } from '../../../src/platforms/whatsapp';
import type { IntegrationConfig, NormalizedMessage } from '../../../src/types';

const H = 60 * 60 * 1000;
const channel = { id: 'wa1', tenantId: 't1' } as IntegrationConfig;

describe('whatsapp window', () => {
  it('opens for 24 h from the last inbound message, then closes (the key expires with it)', async () => {
    let now = 100 * H;
    const store = new MemoryStore({ now: () => now });
    const key = windowKey(channel, '16505551234');
    expect(await windowState(store, key, now)).toEqual({ open: false });
    expect(await recordInbound(store, key, now - 2 * H, now)).toBe(true);
    expect(await windowState(store, key, now)).toEqual({ open: true, lastInboundAt: now - 2 * H, closesAt: now + 22 * H });
    now += 22 * H - 1;
    expect((await windowState(store, key, now)).open).toBe(true);
    now += 2;
    expect((await windowState(store, key, now)).open).toBe(false);
    expect(await store.get(key)).toBeNull();
  });

  it('an older message (a late retry, out-of-order batch) does not move the window back; one older than 24 h opens nothing', async () => {
    const now = 100 * H;
    const store = new MemoryStore({ now: () => now });
    const key = windowKey(channel, 'u');
    await recordInbound(store, key, now - H, now);
    expect(await recordInbound(store, key, now - 3 * H, now)).toBe(false);
    expect((await windowState(store, key, now)).lastInboundAt).toBe(now - H);
    expect(await recordInbound(store, windowKey(channel, 'v'), now - WHATSAPP_WINDOW_MS - 1, now)).toBe(false);
    expect(await store.get(windowKey(channel, 'v'))).toBeNull();
  });

  it('a platform timestamp in the future counts as now (a skewed clock cannot stretch the window)', async () => {
    const now = 100 * H;
    const store = new MemoryStore({ now: () => now });
    await recordInbound(store, windowKey(channel, 'u'), now + 5 * H, now);
    expect((await windowState(store, windowKey(channel, 'u'), now)).closesAt).toBe(now + WHATSAPP_WINDOW_MS);
  });

  it('per tenant, channel and user; a webhook records the latest message per user', async () => {
    const now = 100 * H;
    const store = new MemoryStore({ now: () => now });
    const msg = (conversationId: string, timestamp: number) => ({ conversationId, timestamp }) as NormalizedMessage;
    await recordMessages(store, channel, [msg('a', now - 5 * H), msg('a', now - H), msg('b', now - 30 * H)], now);
    expect((await windowState(store, windowKey(channel, 'a'), now)).lastInboundAt).toBe(now - H);
    expect((await windowState(store, windowKey(channel, 'b'), now)).open).toBe(false);
    expect((await windowState(store, windowKey({ ...channel, tenantId: 'other' }, 'a'), now)).open).toBe(false);
  });

  it('store down → 503 (never a guess either way)', async () => {
    const broken = new Proxy(new MemoryStore(), { get: () => async () => { throw new Error('ECONNREFUSED'); } });
    await expect(windowState(broken, 'k')).rejects.toMatchObject({ code: 503, type: 'UNAVAILABLE' });
    await expect(recordInbound(broken, 'k', Date.now())).rejects.toMatchObject({ code: 503 });
  });
});
