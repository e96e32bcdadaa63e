/** The delivery history in process memory (no `REDIS_URL`): the same behaviour, lost on restart, bounded by the retention. */
import type { DeliveryAttempt, DeliveryOutcome } from '../types';
import {
  DEFAULT_HISTORY_RETENTION_MS, DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, indexMember, timeBound,
  applyChange, type Claim, type ClaimOptions, type DeliveryChange, type DeliveryPage, type HistoryStore, type PendingAttempt, type StoredDelivery,
} from './types';

interface Entry { d: StoredDelivery; attempts: DeliveryAttempt[]; next: number; pending: Map<number, PendingAttempt>; expires: number }

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

export class MemoryHistory implements HistoryStore {
  readonly kind = 'memory' as const;
  private readonly entries = new Map<string, Entry>();
  private readonly failing = new Map<string, number>();
  private readonly queues = new Map<string, Array<{ id: string; score: number }>>();

  constructor(private readonly retentionMs: number = DEFAULT_HISTORY_RETENTION_MS, private readonly now: () => number = Date.now) {}

  private entry(id: string): Entry | undefined {
    const e = this.entries.get(id);
    if (e && e.expires <= this.now()) { this.entries.delete(id); return undefined; }
    return e;
  }

  private view(e: Entry): StoredDelivery {
    const d = clone(e.d);
    d.attemptCount = e.attempts.length;
    const last = e.attempts[e.attempts.length - 1];
    if (last) d.lastAttemptAt = last.at;
    return d;
  }

  async createDelivery(d: StoredDelivery) {
    const e = this.entry(d.deliveryId);
    if (e) return { delivery: this.view(e), created: false };
    this.entries.set(d.deliveryId, { d: clone(d), attempts: [], next: 0, pending: new Map(), expires: this.now() + this.retentionMs });
    if (this.entries.size % 1000 === 0) this.sweep();
    return { delivery: clone(d), created: true };
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, e] of this.entries) if (e.expires <= now) this.entries.delete(id);
  }

  async saveDelivery(d: StoredDelivery) {
    const e = this.entry(d.deliveryId);
    if (!e) throw new Error(`history: delivery ${d.deliveryId} not found`);
    e.d = clone(d);
    e.expires = this.now() + this.retentionMs;
  }

  async getDelivery(id: string) {
    const e = this.entry(id);
    return e ? this.view(e) : null;
  }

  async attempts(id: string) {
    return clone(this.entry(id)?.attempts ?? []);
  }

  async claimAttempt(id: string, pending: Omit<PendingAttempt, 'attempt'>, o: ClaimOptions): Promise<Claim> {
    const e = this.entry(id);
    if (!e) return { kind: 'missing' };
    if (e.pending.size > 0) return { kind: 'interrupted' };
    const delivery = this.view(e);
    if (o.scheduled && delivery.outcome !== 'pending') return { kind: 'ended', delivery };
    if (o.scheduled && delivery.dueAtMs !== undefined && delivery.dueAtMs - o.nowMs > o.dueMarginMs) return { kind: 'notDue', delivery, waitMs: delivery.dueAtMs - o.nowMs };
    return { kind: 'begun', delivery, attempt: await this.beginAttempt(id, pending) };
  }

  async beginAttempt(id: string, pending: Omit<PendingAttempt, 'attempt'>) {
    const e = this.entry(id);
    if (!e) throw new Error(`history: delivery ${id} not found`);
    e.next += 1;
    e.pending.set(e.next, { ...pending, attempt: e.next });
    return e.next;
  }

  async pendingAttempts(id: string) {
    return [...(this.entry(id)?.pending.values() ?? [])].sort((a, b) => a.attempt - b.attempt);
  }

  async finishAttempt(record: DeliveryAttempt, d: StoredDelivery, change: DeliveryChange) {
    const e = this.entry(d.deliveryId);
    if (!e) throw new Error(`history: delivery ${d.deliveryId} not found`);
    e.attempts.push(clone(record));
    e.pending.delete(record.attempt);
    const next = applyChange(clone(d), change, record);
    next.attemptCount = e.attempts.length;
    e.d = clone(next);
    e.expires = this.now() + this.retentionMs;
    if (record.outcome === 'succeeded') this.failing.delete(d.subscriptionId);
    return next;
  }

  private ofSubscription(sub: string, outcome?: DeliveryOutcome): Array<{ member: string; e: Entry }> {
    const out: Array<{ member: string; e: Entry }> = [];
    for (const id of this.entries.keys()) {
      const e = this.entry(id);
      if (e && e.d.subscriptionId === sub && (!outcome || e.d.outcome === outcome)) out.push({ member: indexMember(e.d), e });
    }
    return out.sort((a, b) => (a.member < b.member ? 1 : a.member > b.member ? -1 : 0));
  }

  async listDeliveries(sub: string, opts: { outcome?: DeliveryOutcome; limit?: number; cursor?: string }): Promise<DeliveryPage> {
    const limit = Math.min(MAX_PAGE_LIMIT, Math.max(1, opts.limit ?? DEFAULT_PAGE_LIMIT));
    const all = this.ofSubscription(sub, opts.outcome).filter((x) => !opts.cursor || x.member < opts.cursor);
    const page = all.slice(0, limit);
    return { deliveries: page.map((x) => this.view(x.e)), nextCursor: all.length > limit ? page[page.length - 1]!.member : null };
  }

  async failedSince(sub: string, sinceMs: number) {
    const bound = timeBound(sinceMs);
    return this.ofSubscription(sub, 'failed').filter((x) => x.member >= bound).map((x) => x.e.d.deliveryId);
  }

  async markFailing(sub: string, nowMs: number) {
    if (!this.failing.has(sub)) this.failing.set(sub, nowMs);
    return this.failing.get(sub)!;
  }

  async clearFailing(sub: string) { this.failing.delete(sub); }

  async enqueue(key: string, id: string, score: number) {
    const q = this.queues.get(key) ?? [];
    this.queues.set(key, q);
    if (!q.some((x) => x.id === id)) {
      q.push({ id, score });
      q.sort((a, b) => a.score - b.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    }
    return q.findIndex((x) => x.id === id);
  }

  async head(key: string) { return this.queues.get(key)?.[0]?.id ?? null; }

  async dequeue(key: string, id: string) {
    const q = this.queues.get(key);
    if (!q) return null;
    const at = q.findIndex((x) => x.id === id);
    if (at >= 0) q.splice(at, 1);
    if (q.length === 0) { this.queues.delete(key); return null; }
    return q[0]!.id;
  }

  async close() { /* nothing held */ }
}
