/** A small TTL memo for channel lookups: concurrent misses share one lookup; results (also "unknown") live `ttlMs`. */
import type { IntegrationConfig } from '../../types';

/**
 * Memoizes `lookup` per channel id for `ttlMs` (0 = no caching); failed lookups are not cached. At most
 * `maxEntries` kept. `extra` (e.g. the calling context) is passed through to a lookup that runs.
 */
export function memoizeChannelLookup<TExtra>(
  lookup: (channelId: string, extra: TExtra) => Promise<IntegrationConfig | null>,
  ttlMs: number,
  maxEntries = 10_000,
  now: () => number = Date.now,
) {
  const entries = new Map<string, { at: number; value: Promise<IntegrationConfig | null> }>();
  function cached(channelId: string, extra: TExtra): Promise<IntegrationConfig | null> {
    if (ttlMs <= 0) return lookup(channelId, extra);
    const hit = entries.get(channelId);
    if (hit && now() - hit.at < ttlMs) return hit.value;
    if (entries.size >= maxEntries) entries.clear();
    const value = lookup(channelId, extra);
    entries.set(channelId, { at: now(), value });
    value.catch(() => { if (entries.get(channelId)?.value === value) entries.delete(channelId); });
    return value;
  }
  return Object.assign(cached, {
    /** Forgets one channel (or all), e.g. after the registry changed it. */
    invalidate(channelId?: string) { if (channelId === undefined) entries.clear(); else entries.delete(channelId); },
  });
}

