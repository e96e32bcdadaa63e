/**
 * The 24-hour customer-service window: the time of each user's last inbound message, per (tenant, channel,
 * wa_id), kept in the shared store (Redis across nodes) with a TTL that ends with the window. A free-form
 * send is allowed only while the window is open; templates always are.
 */
import { UnavailableError } from '../../errors';
import type { KeyValueStore } from '../../store';
import type { IntegrationConfig, NormalizedMessage, OutboundContent } from '../../types';

/** The window's length: 24 hours from the user's last message (Meta's customer-service window). */
export const WHATSAPP_WINDOW_MS = 24 * 60 * 60 * 1000;

/** The store key of one user's window. */
export function windowKey(channel: Pick<IntegrationConfig, 'tenantId' | 'id'>, waId: string): string {
  return `whatsapp:window:${encodeURIComponent(channel.tenantId)}:${encodeURIComponent(channel.id)}:${encodeURIComponent(waId)}`;
}

/** A free-form message needs an open window; a template does not. */
export function needsOpenWindow(content: OutboundContent): boolean {
  return content.type !== 'template';
}

function unavailable(err: unknown): UnavailableError {
  return new UnavailableError('the WhatsApp window store is unavailable; retry later', { dependency: 'store' }, err);
}

/**
 * Records that `waId` wrote at `at` (ms; capped at `now`, so a skewed platform clock cannot stretch the
 * window): kept only if later than what is stored, until the window it opens ends. Resolves true when stored.
 */
export async function recordInbound(store: KeyValueStore, key: string, at: number, now: number = Date.now()): Promise<boolean> {
  const last = Math.min(at, now);
  const ttlMs = last + WHATSAPP_WINDOW_MS - now;
  if (ttlMs <= 0) return false; // an old message (a late retry) opens nothing
  const value = String(last);
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await store.get(key);
      if (current === null) {
        if (await store.setIfAbsent(key, value, ttlMs)) return true;
        continue;
      }
      if (Number(current) >= last) return false;
      if (await store.replaceIfEquals(key, current, value, ttlMs)) return true;
    }
  } catch (err) {
    throw unavailable(err);
  }
  return false;
}

/** Records every inbound message of a webhook (their platform timestamps) for its channel. */
export async function recordMessages(store: KeyValueStore, channel: IntegrationConfig, messages: NormalizedMessage[], now: number = Date.now()): Promise<void> {
  const latest = new Map<string, number>();
  for (const m of messages) latest.set(m.conversationId, Math.max(latest.get(m.conversationId) ?? 0, m.timestamp));
  for (const [waId, at] of latest) await recordInbound(store, windowKey(channel, waId), at, now);
}

/** What the store knows of a user's window. */
export interface WindowState {
  open: boolean;
  /** The user's last message, ms since the epoch, when inside the window. */
  lastInboundAt?: number;
  /** When the window closes, ms since the epoch, when open. */
  closesAt?: number;
}

/** Reads one user's window (a store failure → 503, never a guess). */
export async function windowState(store: KeyValueStore, key: string, now: number = Date.now()): Promise<WindowState> {
  let value: string | null;
  try {
    value = await store.get(key);
  } catch (err) {
    throw unavailable(err);
  }
  const last = value === null ? NaN : Number(value);
  if (!Number.isFinite(last) || last + WHATSAPP_WINDOW_MS <= now) return { open: false };
  return { open: true, lastInboundAt: last, closesAt: last + WHATSAPP_WINDOW_MS };
}
