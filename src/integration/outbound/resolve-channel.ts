/** Step: the channel a send, check or status is for — unknown/disabled → 404, another tenant's → 403. */
import { ForbiddenError } from '../../errors';
import type { IntegrationConfig } from '../../types';
import { resolveChannel } from '../inbound/resolve-channel';

/**
 * Resolves an active channel of this platform (404 otherwise) and checks the caller's tenant:
 * when `tenantId` is set (every `/api` call sets it from the API key) it must be the channel's (403).
 * Internal calls without a tenant are trusted.
 */
export async function resolveOwnedChannel(
  lookup: (channelId: string) => Promise<IntegrationConfig | null>,
  channelId: string, platform: string, tenantId: string | undefined,
): Promise<IntegrationConfig> {
  const channel = await resolveChannel(lookup, channelId, platform);
  if (tenantId !== undefined && tenantId !== channel.tenantId) {
    throw new ForbiddenError(`channel "${channelId}" belongs to another tenant`, { channelId });
  }
  return channel;
}
