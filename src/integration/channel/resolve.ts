/** The channel a webhook, send, check or status is for: unknown, disabled or of another platform → 404; an invalid config → 500; another tenant's → 403. */
import { ERROR_TYPES, ForbiddenError, isErrorType, NotFoundError, UnavailableError } from '../../errors';
import type { IntegrationConfig } from '../../types';

/** Looks the channel up; the tenant comes from the returned config, never from the request. */
export async function resolveChannel(
  lookup: (channelId: string) => Promise<IntegrationConfig | null>,
  channelId: string,
  platform: string,
): Promise<IntegrationConfig> {
  let channel: IntegrationConfig | null;
  try {
    channel = await lookup(channelId);
  } catch (err) {
    if (err instanceof NotFoundError || (err as { code?: unknown })?.code === 404) channel = null;
    else if (isErrorType(err, ERROR_TYPES.CONFIG_INVALID)) throw err; // the lookup returned an invalid config: a 500 naming the field
    else throw new UnavailableError('the channel config could not be read', { channelId }, err);
  }
  if (!channel || channel.status !== 'active' || channel.platform !== platform) {
    throw new NotFoundError(`no active ${platform} channel "${channelId}"`, { channelId });
  }
  return channel;
}

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
