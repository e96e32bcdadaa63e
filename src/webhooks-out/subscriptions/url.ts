/** A subscription URL's safety at creation and update: internal addresses refused (host names resolved now), naming the switch that allows them. */
import { UnsafeUrlError } from '../../errors';
import { checkOutboundUrl, type OutboundUrlPolicy } from '../../security/outbound-url';
import { checkUrlShape } from './validate';

/** The environment variable that lets subscription URLs reach internal addresses. */
export const ALLOW_PRIVATE_URLS_VARIABLE = 'SWITCHBOARD_ALLOW_PRIVATE_URLS';

/**
 * Checks the URL's form (400 `BAD_REQUEST`), then its addresses with `checkOutboundUrl` (400 `UNSAFE_URL`,
 * whose message names {@link ALLOW_PRIVATE_URLS_VARIABLE}). Returns the normalized URL.
 */
export async function checkSubscriptionUrl(value: unknown, policy: OutboundUrlPolicy = {}, field = 'url'): Promise<string> {
  const url = checkUrlShape(value, field);
  try {
    await checkOutboundUrl(url, policy);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const hint = message.includes(ALLOW_PRIVATE_URLS_VARIABLE) ? '' : ` (internal addresses are refused unless ${ALLOW_PRIVATE_URLS_VARIABLE}=true)`;
    throw new UnsafeUrlError(`${field}: ${message}${hint}`, { field }, err);
  }
  return url;
}
