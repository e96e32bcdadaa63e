/**
 * Step 2b: the channel's `inboundRateLimit` — a token bucket (`burst` tokens refilled at `perSecond`) in the
 * shared store, taken after the signature verified (so strangers cannot spend a platform's tokens); empty →
 * 429 with the wait, nothing claimed or stored. Store down → 503 (the claim would fail the same way).
 */
import { RateLimitError, UnavailableError } from '../../errors';
import { frontDoorSettings } from '../../registry/front-door';
import type { KeyValueStore } from '../../store';
import type { IntegrationConfig } from '../../types';

/** The bucket's key: `inbound-rate:<integration>:<tenantId>:<channelId>`. */
export function inboundRateKey(integration: string, channel: IntegrationConfig): string {
  return `inbound-rate:${integration}:${encodeURIComponent(channel.tenantId)}:${encodeURIComponent(channel.id)}`;
}

/** Takes one token when the channel sets `inboundRateLimit`; throws `RateLimitError` (429) when none is left. */
export async function limitInboundRate(store: KeyValueStore, integration: string, channel: IntegrationConfig): Promise<void> {
  const limit = frontDoorSettings(channel.settings).inboundRateLimit;
  if (!limit) return;
  let taken;
  try {
    taken = await store.takeToken(inboundRateKey(integration, channel), { capacity: limit.burst, refillPerSecond: limit.perSecond });
  } catch (err) {
    throw new UnavailableError('the rate-limit store is unavailable; retry later', { dependency: 'store' }, err);
  }
  if (taken.allowed) return;
  const retryAfterSeconds = Math.max(1, Math.ceil(taken.retryAfterMs / 1000));
  throw new RateLimitError(`channel "${channel.id}" is over its inbound rate limit (${limit.perSecond}/s, burst ${limit.burst}); retry in ${retryAfterSeconds} s`, {
    retryAfterMs: taken.retryAfterMs, retryAfterSeconds,
  });
}
