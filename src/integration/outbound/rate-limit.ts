/**
 * Step: the per-channel token bucket and, when set, a per-conversation one (in the store, shared by
 * every node); a send takes a token from both at once or waits — up to a bound — then 429.
 */
import { RateLimitError } from '../../errors';
import type { KeyValueStore, TokenBucket, TokenBucketResult } from '../../store';
import type { IntegrationConfig } from '../../types';

/** One token bucket: `capacity` sends at once (the burst), `refillPerSecond` sustained. */
export interface TokenBucketLimit {
  capacity: number;
  refillPerSecond: number;
}

/**
 * A channel's send pacing: `capacity`/`refillPerSecond` for the whole channel (a bot, a number), and
 * optionally `perConversation` — a bucket per `conversationId` (a chat), so a burst to one chat is
 * spread out while other chats go on at the channel's pace. A send needs a token from both.
 */
export interface RateLimit extends TokenBucketLimit {
  /** A bucket per conversation (e.g. Telegram ~1 message/s per chat). Absent or `false`: none. */
  perConversation?: TokenBucketLimit | false;
}

/**
 * Defaults by platform, from each platform's documented limits: Telegram ~30 messages/s per bot and
 * about 1 message/s per chat (a burst of 3 allowed, then 1/s — core.telegram.org/bots/faq "My bot is
 * hitting limits"); WhatsApp Cloud API 80 messages/s per number; Slack `chat.postMessage` ~1/s per
 * channel (short bursts allowed); Discord 5 per 5 s per channel. Anything else: {@link DEFAULT_RATE_LIMIT}.
 */
export const DEFAULT_RATE_LIMITS: Readonly<Record<string, RateLimit>> = Object.freeze({
  telegram: { capacity: 30, refillPerSecond: 30, perConversation: { capacity: 3, refillPerSecond: 1 } },
  whatsapp: { capacity: 80, refillPerSecond: 80 },
  slack: { capacity: 3, refillPerSecond: 1 },
  discord: { capacity: 5, refillPerSecond: 1 },
});
/** For platforms without an entry in {@link DEFAULT_RATE_LIMITS}: bursts of 100, 100/s. */
export const DEFAULT_RATE_LIMIT: RateLimit = Object.freeze({ capacity: 100, refillPerSecond: 100 });

function checkBucket(limit: unknown, where: string): string | undefined {
  const l = limit as Partial<TokenBucketLimit> | null;
  if (!l || typeof l !== 'object') return `${where}must be { capacity, refillPerSecond }`;
  if (typeof l.capacity !== 'number' || !Number.isInteger(l.capacity) || l.capacity < 1) return `\`${where}capacity\` must be an integer ≥ 1`;
  if (typeof l.refillPerSecond !== 'number' || !Number.isFinite(l.refillPerSecond) || l.refillPerSecond <= 0) return `\`${where}refillPerSecond\` must be a number > 0`;
  return undefined;
}

/** A problem with a rate limit, or undefined when valid. */
export function checkRateLimit(limit: unknown): string | undefined {
  if (!limit || typeof limit !== 'object') return 'must be { capacity, refillPerSecond, perConversation? } or false';
  const problem = checkBucket(limit, '');
  if (problem) return problem;
  const per = (limit as RateLimit).perConversation;
  return per === undefined || per === false ? undefined : checkBucket(per, 'perConversation.');
}

/**
 * The limit for a channel: its `settings.rateLimit` (an object, or `false`), else the option, else the
 * platform default. Each replaces the next whole: a channel limit without `perConversation` has none.
 */
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

/** The bucket key of one conversation of a channel. */
export function conversationRateLimitKey(integration: string, channelId: string, conversationId: string): string {
  return `${rateLimitKey(integration, channelId)}:conv:${encodeURIComponent(conversationId)}`;
}

/**
 * Picks one conversation's bucket (e.g. a stricter one for group chats); undefined → `limit.perConversation`,
 * `false` → none for this conversation.
 */
export type ConversationRateLimit = (conversationId: string, limit: RateLimit) => TokenBucketLimit | false | undefined;

/** The buckets a send to `conversationId` takes a token from: the channel's, and the conversation's when the limit has one. */
export function rateLimitBuckets(
  integration: string, channelId: string, conversationId: string | undefined, limit: RateLimit, pick?: ConversationRateLimit,
): TokenBucket[] {
  const buckets: TokenBucket[] = [{ key: rateLimitKey(integration, channelId), capacity: limit.capacity, refillPerSecond: limit.refillPerSecond }];
  const picked = pick && typeof conversationId === 'string' && conversationId !== '' ? pick(conversationId, limit) : undefined;
  const per = picked === undefined ? limit.perConversation : picked;
  if (per && typeof conversationId === 'string' && conversationId !== '') {
    buckets.push({ key: conversationRateLimitKey(integration, channelId, conversationId), capacity: per.capacity, refillPerSecond: per.refillPerSecond });
  }
  return buckets;
}

/** Time edges of a rate-limit wait, injectable for tests. */
export interface RateLimitClock {
  /** Waits `ms`. Default `setTimeout`. */
  sleep?: (ms: number) => Promise<void>;
  /** The bucket clock in ms. Default: the store's own (Redis: the server's `TIME`). */
  now?: () => number;
  /** Random spread added to each wait, in ms. Default 0-9 ms at random. */
  jitter?: () => number;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Takes a token from every bucket at once (none is spent unless all have one), waiting for them to
 * refill while the total wait stays within `maxWaitMs`; beyond it, `RateLimitError` (429, retryable)
 * with `data.retryAfterMs`. Resolves with the ms waited. `first`: a take already made (e.g. with an
 * idempotency claim, `KeyValueStore.claimAndTakeTokens`), answered as the loop's first.
 */
export async function takeRateLimitTokens(
  store: KeyValueStore, buckets: TokenBucket[], maxWaitMs: number, clock: RateLimitClock = {}, first?: TokenBucketResult,
): Promise<number> {
  const sleep = clock.sleep ?? realSleep;
  // A little random spread, so waiters on many nodes do not come back in the same millisecond.
  const jitter = clock.jitter ?? (() => Math.floor(Math.random() * 10));
  let waited = 0;
  let taken = first;
  for (;;) {
    const token = taken ?? await store.takeTokens(buckets, clock.now?.());
    taken = undefined;
    if (token.allowed) return waited;
    const wait = token.retryAfterMs + jitter();
    if (waited + wait > maxWaitMs) {
      const limits = buckets.map((b) => `${b.refillPerSecond}/s (burst ${b.capacity})`).join(' and ');
      throw new RateLimitError(`rate limit of ${limits} reached; retry in ${token.retryAfterMs} ms`, {
        retryAfterMs: token.retryAfterMs, limit: buckets.map(({ capacity, refillPerSecond }) => ({ capacity, refillPerSecond })),
      });
    }
    await sleep(wait);
    waited += wait;
  }
}

/** One bucket's {@link takeRateLimitTokens}. */
export function takeRateLimitToken(
  store: KeyValueStore, key: string, limit: TokenBucketLimit, maxWaitMs: number, sleep: (ms: number) => Promise<void> = realSleep,
): Promise<number> {
  return takeRateLimitTokens(store, [{ key, capacity: limit.capacity, refillPerSecond: limit.refillPerSecond }], maxWaitMs, { sleep });
}
