/** The getUpdates loop on its own (memory store, injected Bot API): offset committed only past stored updates, one holder per lease, deleteWebhook first. */
import { TelegramPoller, type PollerDeps } from '../../../src/platforms/telegram/polling/poller';
import { PollLease } from '../../../src/platforms/telegram/polling/lease';
import { readOffset } from '../../../src/platforms/telegram/polling/offset';
import type { TelegramChannel, TelegramUpdate } from '../../../src/platforms/telegram/types';
import { MemoryStore } from '../../../src/store';
import { waitFor } from './helpers';

const channel = { id: 'bot', tenantId: 't', platform: 'telegram', credentials: { botToken: '1:AAAAAAAAAAAA' }, secrets: [], settings: { mode: 'polling' }, status: 'active' } as TelegramChannel;
const OPTIONS = { timeoutSeconds: 0, limit: 100, leaseTtlMs: 1000, leaseRetryMs: 20, errorBackoffMs: 10, maxErrorBackoffMs: 20, allowedUpdates: ['message'] };

/** A Bot API stand-in: a queue confirmed by offset, every call logged. */
function botApi(ids: number[]) {
  let queue = ids.map((update_id): TelegramUpdate => ({ update_id }));
  const log: string[] = [];
  return {
    log,
    push: (...more: number[]) => { queue.push(...more.map((update_id) => ({ update_id }))); },
    getUpdates: async (_c: TelegramChannel, params: Record<string, unknown>) => {
      log.push(`getUpdates:${String(params.offset)}`);
      if (typeof params.offset === 'number') queue = queue.filter((u) => u.update_id >= (params.offset as number));
      await new Promise((r) => setTimeout(r, 5));
      return [...queue];
    },
    deleteWebhook: async () => { log.push('deleteWebhook'); },
  };
}

function deps(store: MemoryStore, api: ReturnType<typeof botApi>, over: Partial<PollerDeps> = {}): PollerDeps {
  return {
    store, leaseKey: 'lease', offsetKey: 'offset', holder: 'node', channel: async () => channel,
    getUpdates: api.getUpdates, deleteWebhook: api.deleteWebhook,
    storeUpdate: async (_c, u) => ({ eventId: String(u.update_id), messages: 1, duplicate: false }),
    log: { info: () => undefined, warn: () => undefined }, options: OPTIONS, ...over,
  };
}

describe('TelegramPoller', () => {
  it('a store failure mid-batch commits the offset only past what was stored; the next poll resumes there', async () => {
    const store = new MemoryStore();
    const api = botApi([1, 2, 3, 4, 5]);
    const stored = new Set<number>();
    let failOnce = true;
    const poller = new TelegramPoller(deps(store, api, {
      storeUpdate: async (_c, u) => {
        if (u.update_id === 3 && failOnce) { failOnce = false; throw new Error('NATS down'); }
        const duplicate = stored.has(u.update_id);
        stored.add(u.update_id);
        return { eventId: String(u.update_id), messages: 1, duplicate };
      },
    }));
    poller.start();
    await waitFor(() => readOffset(store, 'offset'), (o) => o === 6, 5_000);
    await poller.close();
    expect([...stored].sort()).toEqual([1, 2, 3, 4, 5]);
    // deleteWebhook first; then from nothing; the failed batch committed 3 (1 and 2 stored); then from 3
    expect(api.log.slice(0, 3)).toEqual(['deleteWebhook', 'getUpdates:undefined', 'getUpdates:3']);
    expect(poller.stored).toBe(5);
  });

  it('two pollers on one lease: only the holder calls getUpdates; close() hands the lease over at once', async () => {
    const store = new MemoryStore();
    const apiA = botApi([10, 11]);
    const apiB = botApi([10, 11]);
    const a = new TelegramPoller(deps(store, apiA, { holder: 'a' }));
    a.start();
    await waitFor(() => readOffset(store, 'offset'), (o) => o === 12, 5_000);
    const b = new TelegramPoller(deps(store, apiB, { holder: 'b' }));
    b.start();
    await new Promise((r) => setTimeout(r, 100));
    expect(apiB.log).toEqual([]);
    expect(a.lease.isHeld).toBe(true);
    await a.close();
    await waitFor(() => apiB.log.length, (n) => n >= 2, 5_000);
    expect(apiB.log[0]).toBe('deleteWebhook');
    expect(apiB.log[1]).toBe('getUpdates:12');
    await b.close();
  });

  it('a holder that lost its lease mid-batch does not commit the offset', async () => {
    const store = new MemoryStore();
    const api = botApi([20, 21]);
    const poller = new TelegramPoller(deps(store, api, {
      storeUpdate: async (_c, u) => {
        if (u.update_id === 21) await store.set('lease', 'someone-else', 1000); // the lease expired and another node took it
        return { eventId: String(u.update_id), messages: 1, duplicate: false };
      },
    }));
    poller.start();
    await waitFor(() => api.log.filter((l) => l.startsWith('getUpdates')).length, (n) => n >= 1, 5_000);
    await new Promise((r) => setTimeout(r, 100));
    await poller.close();
    expect(await readOffset(store, 'offset')).toBeUndefined();
    expect(await store.get('lease')).toBe('someone-else');
  });

  it('a malformed update (400) is skipped and committed past; a non-update in the answer is ignored', async () => {
    const store = new MemoryStore();
    const api = botApi([30, 31, 32]);
    const stored: number[] = [];
    const warnings: string[] = [];
    const poller = new TelegramPoller(deps(store, api, {
      getUpdates: async (c, params, signal) => [...(await api.getUpdates(c, params)), { nope: true } as never],
      storeUpdate: async (_c, u) => {
        if (u.update_id === 31) throw Object.assign(new Error('not a valid Telegram update: `message.chat.id`'), { code: 400 });
        stored.push(u.update_id);
        return { eventId: String(u.update_id), messages: 1, duplicate: false };
      },
      log: { info: () => undefined, warn: (m) => { warnings.push(m); } },
    }));
    poller.start();
    await waitFor(() => readOffset(store, 'offset'), (o) => o === 33, 5_000);
    await poller.close();
    expect(stored).toEqual([30, 32]);
    expect(warnings.some((w) => w.includes('update 31 skipped'))).toBe(true);
  });

  it('PollLease: one holder; renew fails once lost; release only what is ours', async () => {
    const store = new MemoryStore();
    const a = new PollLease(store, 'k', 1000, 'a');
    const b = new PollLease(store, 'k', 1000, 'b');
    expect(await a.acquire()).toBe(true);
    expect(await b.acquire()).toBe(false);
    expect(await a.renew()).toBe(true);
    await b.release();
    expect(await store.get('k')).toBe(a.token);
    await store.set('k', b.token, 1000);
    expect(await a.renew()).toBe(false);
    expect(a.isHeld).toBe(false);
  });
});
