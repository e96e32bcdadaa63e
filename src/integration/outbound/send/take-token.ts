/** Step: the send's rate-limit tokens — the channel's bucket and, when set, the conversation's — waiting up to the bound, else 429. */
import { ERROR_TYPES, isErrorType } from '../../../errors';
import { recordRateLimitWait } from '../../../metrics/context';
import type { TokenBucket, TokenBucketResult } from '../../../store';
import type { IntegrationConfig } from '../../../types';
import { rateLimitBuckets, rateLimitFor, takeRateLimitTokens } from '../rate-limit';
import type { SendPipeline } from './pipeline';
import { storeOutage } from './store-outage';

/** The buckets a send to `conversationId` on `channel` takes a token from; none when the channel has no limit. */
export function sendBuckets(p: SendPipeline, channel: IntegrationConfig, conversationId: string | undefined): TokenBucket[] {
  const limit = rateLimitFor(channel, p.options.rateLimit);
  return limit ? rateLimitBuckets(p.integration, channel.id, conversationId, limit, p.options.conversationRateLimit) : [];
}

/**
 * Takes a token from every bucket (all or none), waiting for them while the wait stays within
 * `maxRateLimitWaitMs`; `first` is a take already made (with the idempotency claim). Rejects with
 * `RateLimitError` (429, counted) or, with the store down, `UnavailableError` (503).
 */
export async function takeToken(p: SendPipeline, buckets: TokenBucket[], first?: TokenBucketResult): Promise<void> {
  if (buckets.length === 0) return;
  if (first?.allowed) return;
  try {
    recordRateLimitWait(await takeRateLimitTokens(p.store, buckets, p.options.maxRateLimitWaitMs, {}, first));
  } catch (err) {
    if (isErrorType(err, ERROR_TYPES.RATE_LIMITED)) p.counters.rateLimited++;
    storeOutage('rate limit')(err);
  }
}
