/** Step: the per-channel token bucket (in the store, shared by every node); waits up to a bound for a token, then 429. */
import { RateLimitError } from '../../errors';
import type { KeyValueStore } from '../../store';
import type { IntegrationConfig } from '../../types';

/** A token bucket: `capacity` sends at once (the burst), `refillPerSecond` sustained. */
export interface RateLimit {
  capacity: number;
  refillPerSecond: number;
}

/**
 * Defaults by platform, from each platform's documented limits: Telegram ~30 messages/s per bot;
 * WhatsApp Cloud API 80 messages/s per number; Slack `chat.postMessage` ~1/s per channel (short
 * bursts allowed); Discord 5 per 5 s per channel. Anything else: {@link DEFAULT_RATE_LIMIT}.
 */
export const DEFAULT_RATE_LIMITS: Readonly<Record<string, RateLimit>> = Object.freeze({
  telegram: { capacity: 30, refillPerSecond: 30 },
  whatsapp: { capacity: 80, refillPerSecond: 80 },
  slack: { capacity: 3, refillPerSecond: 1 },
  discord: { capacity: 5, refillPerSecond: 1 },
});
/** For platforms without an entry in {@link DEFAULT_RATE_LIMITS}: bursts of 100, 100/s. */
export const DEFAULT_RATE_LIMIT: RateLimit = Object.freeze({ capacity: 100, refillPerSecond: 100 });

/** A problem with a rate limit, or undefined when valid. */
export function checkRateLimit(limit: unknown): string | undefined {
  const l = limit as Partial<RateLimit> | null;
  if (!l || typeof l !== 'object') return 'must be { capacity, refillPerSecond } or false';
  if (typeof l.capacity !== 'number' || !Number.isInteger(l.capacity) || l.capacity < 1) return '`capacity` must be an integer ≥ 1';
  if (typeof l.refillPerSecond !== 'number' || !Number.isFinite(l.refillPerSecond) || l.refillPerSecond <= 0) return '`refillPerSecond` must be a number > 0';
  return undefined;
}

/** The limit for a channel: its `settings.rateLimit` (an object, or `false`), else the option, else the platform default. */
export function rateLimitFor(channel: IntegrationConfig, option: RateLimit | false | undefined): RateLimit | false {
  const fromChannel = channel.settings.rateLimit;
  if (fromChannel === false) return false;
  if (fromChannel !== undefined && checkRateLimit(fromChannel) === undefined) return fromChannel as RateLimit;
  if (option !== undefined) return option;
  return DEFAULT_RATE_LIMITS[channel.platform] ?? DEFAULT_RATE_LIMIT;
}

/** The bucket key of a channel. */
export function rateLimitKey(integration: string, channelId: string): string {
  return `ratelimit:${integration}:${channelId}`;
}

/**
 * Takes a token, waiting for the bucket to refill while the wait stays within `maxWaitMs`;
 * beyond it, `RateLimitError` (429, retryable) with `data.retryAfterMs`. Resolves with the ms waited.
 */
export async function takeRateLimitToken(
  store: KeyValueStore, key: string, limit: RateLimit, maxWaitMs: number,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<number> {
  let waited = 0;
  for (;;) {
    const token = await store.takeToken(key, limit);
    if (token.allowed) return waited;
    // A little random spread, so waiters on many nodes do not come back in the same millisecond.
    const wait = token.retryAfterMs + Math.floor(Math.random() * 10);
    if (waited + wait > maxWaitMs) {
      throw new RateLimitError(`rate limit of ${limit.refillPerSecond}/s (burst ${limit.capacity}) reached; retry in ${token.retryAfterMs} ms`, { retryAfterMs: token.retryAfterMs, limit });
    }
    await sleep(wait);
    waited += wait;
  }
}
