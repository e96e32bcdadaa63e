/** What every HistoryStore must do: create once, attempts in order with intents, outcome indexes, cursor pages, queues. */
import type { HistoryStore, StoredDelivery } from '../../../src/webhooks-out/history';
import type { DeliveryAttempt } from '../../../src/webhooks-out/types';

export function delivery(id: string, createdAtMs: number, sub = 'sub_1'): StoredDelivery {
  return {
    deliveryId: id, subscriptionId: sub, tenantId: 't1', eventType: 'message.received', eventId: `ev-${id}`, outcome: 'pending', attemptCount: 0,
    createdAt: new Date(createdAtMs).toISOString(), scheduledAttempts: 0,
    job: { deliveryId: id, subscriptionId: sub, tenantId: 't1', eventType: 'message.received', eventId: `ev-${id}`, timestamp: new Date(createdAtMs).toISOString(), data: {}, trigger: 'scheduled' },
  };
}

function attempt(d: StoredDelivery, n: number, outcome: 'succeeded' | 'failed'): DeliveryAttempt {
  return {
    attemptId: `a_${d.deliveryId}_${n}`, deliveryId: d.deliveryId, subscriptionId: d.subscriptionId, eventType: d.eventType, attempt: n, trigger: 'scheduled',
    request: { url: 'http://x', method: 'POST', headers: {}, bodyBytes: 2 }, durationMs: 3, outcome, at: new Date().toISOString(),
  };
}

export function historyContract(name: string, make: () => Promise<{ store: HistoryStore; cleanup: () => Promise<void> }>) {
  describe(name, () => {
    let store: HistoryStore;
    let cleanup: () => Promise<void>;
    beforeEach(async () => { ({ store, cleanup } = await make()); });
    afterEach(async () => { await store.close(); await cleanup(); });

    test('a delivery is created once; the second create answers the stored one', async () => {
      const d = delivery('msg_1', Date.now());
      expect((await store.createDelivery(d)).created).toBe(true);
      const again = await store.createDelivery({ ...d, eventType: 'other' });
      expect(again.created).toBe(false);
      expect(again.delivery.eventType).toBe('message.received');
    });

    test('attempts: numbers reserved with an intent, recorded in order, the intent cleared, the outcome indexed', async () => {
      const d = delivery('msg_1', Date.now());
      await store.createDelivery(d);
      expect(await store.beginAttempt('msg_1', { trigger: 'scheduled', at: new Date().toISOString(), url: 'http://x' })).toBe(1);
      expect((await store.pendingAttempts('msg_1')).map((p) => p.attempt)).toEqual([1]);
      let cur = await store.finishAttempt(attempt(d, 1, 'failed'), d, { outcome: 'pending', scheduledAttempts: 1, nextAttemptAt: new Date(Date.now() + 5000).toISOString() });
      expect(await store.pendingAttempts('msg_1')).toEqual([]);
      expect(await store.beginAttempt('msg_1', { trigger: 'scheduled', at: new Date().toISOString(), url: 'http://x' })).toBe(2);
      cur = await store.finishAttempt(attempt(d, 2, 'succeeded'), cur, { outcome: 'succeeded', scheduledAttempts: 2 });
      const got = (await store.getDelivery('msg_1'))!;
      expect(got).toMatchObject({ outcome: 'succeeded', attemptCount: 2 });
      expect(got.nextAttemptAt).toBeUndefined();
      expect((await store.attempts('msg_1')).map((a) => [a.attempt, a.outcome])).toEqual([[1, 'failed'], [2, 'succeeded']]);
      expect((await store.listDeliveries('sub_1', { outcome: 'succeeded' })).deliveries.map((x) => x.deliveryId)).toEqual(['msg_1']);
      expect((await store.listDeliveries('sub_1', { outcome: 'pending' })).deliveries).toEqual([]);
    });

    test('claimAttempt: missing, begun (number reserved, intent written), interrupted, ended, not yet due', async () => {
      const now = Date.now();
      const o = { scheduled: true, nowMs: now, dueMarginMs: 250 };
      const intent = { trigger: 'scheduled' as const, at: new Date(now).toISOString(), url: 'http://x' };
      expect(await store.claimAttempt('msg_1', intent, o)).toEqual({ kind: 'missing' });
      const d = delivery('msg_1', now);
      await store.createDelivery(d);
      const c1 = await store.claimAttempt('msg_1', intent, o);
      expect(c1).toMatchObject({ kind: 'begun', attempt: 1, delivery: { deliveryId: 'msg_1', outcome: 'pending', attemptCount: 0 } });
      expect(await store.claimAttempt('msg_1', intent, o)).toEqual({ kind: 'interrupted' });
      let cur = await store.finishAttempt(attempt(d, 1, 'failed'), d, { outcome: 'pending', scheduledAttempts: 1, nextAttemptAt: new Date(now + 60_000).toISOString() });
      const notDue = await store.claimAttempt('msg_1', intent, o);
      expect(notDue.kind).toBe('notDue');
      expect(notDue.kind === 'notDue' && notDue.waitMs).toBeGreaterThan(59_000);
      expect(await store.claimAttempt('msg_1', intent, { ...o, nowMs: now + 60_000 })).toMatchObject({ kind: 'begun', attempt: 2, delivery: { attemptCount: 1 } });
      cur = await store.finishAttempt(attempt(d, 2, 'succeeded'), cur, { outcome: 'succeeded', scheduledAttempts: 2 });
      expect(await store.claimAttempt('msg_1', intent, o)).toMatchObject({ kind: 'ended', delivery: { outcome: 'succeeded', attemptCount: 2 } });
      // a manual attempt goes ahead whatever the outcome
      expect(await store.claimAttempt('msg_1', { ...intent, trigger: 'manual' }, { ...o, scheduled: false })).toMatchObject({ kind: 'begun', attempt: 3 });
      expect(cur.dueAtMs).toBeUndefined();
    });

    test('pages: newest first, the cursor continues where the page ended, every delivery once', async () => {
      const t0 = Date.now() - 100_000;
      for (let i = 0; i < 23; i++) await store.createDelivery(delivery(`msg_${String(i).padStart(2, '0')}`, t0 + Math.floor(i / 2) * 1000));
      await store.createDelivery(delivery('msg_other', t0, 'sub_2'));
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      for (;;) {
        const page = await store.listDeliveries('sub_1', { limit: 5, cursor });
        seen.push(...page.deliveries.map((d) => d.deliveryId));
        pages += 1;
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      expect(pages).toBe(5);
      expect(seen).toHaveLength(23);
      expect(new Set(seen).size).toBe(23);
      expect(seen[0]).toBe('msg_22');
      expect(seen[22]).toBe('msg_00');
    });

    test('failedSince: failed deliveries created at or after the time', async () => {
      const now = Date.now();
      for (const [id, at] of [['msg_old', now - 60_000], ['msg_new', now - 1_000], ['msg_ok', now - 1_000]] as const) {
        const d = delivery(id, at);
        await store.createDelivery(d);
        await store.saveDelivery({ ...d, outcome: id === 'msg_ok' ? 'succeeded' : 'failed' }, 'pending');
      }
      expect(await store.failedSince('sub_1', now - 10_000)).toEqual(['msg_new']);
      expect((await store.failedSince('sub_1', now - 120_000)).sort()).toEqual(['msg_new', 'msg_old']);
    });

    test('failing since: set once, cleared by a success', async () => {
      expect(await store.markFailing('sub_1', 1000)).toBe(1000);
      expect(await store.markFailing('sub_1', 5000)).toBe(1000);
      await store.clearFailing('sub_1');
      expect(await store.markFailing('sub_1', 7000)).toBe(7000);
    });

    test('queues: joined once, in the order of the events whatever order they join in', async () => {
      expect(await store.enqueue('k', 'b', 2000.5)).toBe(0);
      expect(await store.enqueue('k', 'a', 2000.25)).toBe(0); // stored earlier, joined later: goes first
      expect(await store.enqueue('k', 'c', 3000)).toBe(2);
      expect(await store.enqueue('k', 'a', 9999)).toBe(0);
      expect(await store.head('k')).toBe('a');
      expect(await store.dequeue('k', 'a')).toBe('b');
      expect(await store.dequeue('k', 'c')).toBe('b');
      expect(await store.dequeue('k', 'b')).toBeNull();
      expect(await store.head('k')).toBeNull();
    });
  });
}
