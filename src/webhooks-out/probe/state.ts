/** The probe's shared state: one lease per subscription and probe turn (Redis SET NX PX, or memory), and its probe state. */
import { randomUUID } from 'node:crypto';
import type { KeyValueStore } from '../../store';
import type { ProbeState } from './decide';

/** How long a probe state is kept without a write: 30 days (a later disabling starts afresh anyway). */
const STATE_TTL_MS = 30 * 24 * 3_600_000;

export class ProbeStateStore {
  constructor(private readonly kv: KeyValueStore, private readonly prefix = 'webhooks:probe:') {}

  private stateKey(id: string) { return `${this.prefix}state:${id}`; }
  private leaseKey(id: string) { return `${this.prefix}lease:${id}`; }

  async get(id: string): Promise<ProbeState | null> {
    const raw = await this.kv.get(this.stateKey(id));
    if (raw === null) return null;
    try {
      const s = JSON.parse(raw) as ProbeState;
      return typeof s.disabledAt === 'string' && Number.isFinite(s.failures) && Number.isFinite(s.nextAtMs) ? s : null;
    } catch {
      return null;
    }
  }

  async put(id: string, state: ProbeState): Promise<void> {
    await this.kv.set(this.stateKey(id), JSON.stringify(state), STATE_TTL_MS);
  }

  async clear(id: string): Promise<void> {
    await this.kv.delete(this.stateKey(id));
  }

  /**
   * Takes this turn's lease of a subscription for `ttlMs`: true on one node only. It is not given back — it
   * simply expires — so no other node probes the subscription again within the turn, whatever the outcome.
   */
  async lease(id: string, ttlMs: number): Promise<boolean> {
    return this.kv.setIfAbsent(this.leaseKey(id), randomUUID(), ttlMs);
  }
}
