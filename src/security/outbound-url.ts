/**
 * SSRF guard for URLs a tenant controls (a channel's outbound or health URL, a subscription): internal
 * addresses are refused unless allowed — checked on the URL, and again at connect time on the address
 * dialled (see `guarded-dispatcher.ts`).
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { fetch as undiciFetch, type Dispatcher } from 'undici';
import { UnsafeUrlError } from '../errors';
import { findRefusal, guardedDispatcher, internalAddressRefusal, refusalDetail } from './guarded-dispatcher';
import { isInternalAddress } from './internal-address';

export { isInternalAddress };

/** What outbound requests to tenant-supplied URLs may reach. */
export interface OutboundUrlPolicy {
  /**
   * Allow loopback, private, link-local, CGNAT and other non-public addresses. Default false; turn it on
   * only where the platforms really live on an internal network (and in local development).
   */
  allowPrivateNetworks?: boolean;
  /** Resolves a host name to every address it has; injectable for tests. Default: the system resolver. */
  resolve?: (hostname: string) => Promise<string[]>;
  /**
   * Told what a refused URL pointed at (host and address), for the operators' log. The answer to the
   * caller never says it (a tenant could map internal DNS with it). Default: nothing is told.
   */
  onRefused?: (detail: string) => void;
}

async function systemResolve(hostname: string): Promise<string[]> {
  return (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => a.address);
}

/** Parses a tenant URL: http(s) only, no credentials; an internal IP literal is refused unless allowed. */
function parseOutboundUrl(raw: unknown, policy: OutboundUrlPolicy): URL {
  let url: URL;
  try {
    url = new URL(String(raw));
  } catch {
    throw new UnsafeUrlError('not a valid URL', { url: String(raw).slice(0, 200) });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UnsafeUrlError(`only http and https URLs are allowed, not ${url.protocol}`, { url: url.origin });
  if (url.username || url.password) throw new UnsafeUrlError('URLs with credentials in them are not allowed', { url: url.origin });
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!policy.allowPrivateNetworks && isIP(host) !== 0 && isInternalAddress(host)) {
    throw refused(policy, internalAddressRefusal(url.origin, `${url.hostname} is an internal address`));
  }
  return url;
}

function refused(policy: OutboundUrlPolicy, err: UnsafeUrlError): UnsafeUrlError {
  const detail = refusalDetail(err);
  if (detail !== undefined) policy.onRefused?.(detail);
  return err;
}

/**
 * Parses and checks a tenant-supplied URL: `http:` or `https:` only, no credentials in it, and —
 * unless `allowPrivateNetworks` — every address its host resolves to must be public. Numeric host
 * forms (`2130706433`, `0x7f.1`, `[::ffff:7f00:1]`) are normalized by the URL parser first.
 * Throws `UnsafeUrlError` (400, not retried): an internal target is answered only with "not allowed"
 * and the variable that allows it (`SWITCHBOARD_ALLOW_PRIVATE_URLS`); what it resolved to goes to
 * `policy.onRefused`. Use it when a URL is saved; a request must still go through {@link guardedFetch}
 * (DNS may answer differently by then).
 */
export async function checkOutboundUrl(raw: unknown, policy: OutboundUrlPolicy = {}): Promise<URL> {
  const url = parseOutboundUrl(raw, policy);
  if (policy.allowPrivateNetworks) return url;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return url;
  let addresses: string[];
  try {
    addresses = await (policy.resolve ?? systemResolve)(host);
  } catch (err) {
    throw new UnsafeUrlError("the URL's host name cannot be resolved", { url: url.origin }, err);
  }
  const inside = addresses.find(isInternalAddress);
  if (addresses.length === 0 || inside !== undefined) {
    throw refused(policy, internalAddressRefusal(url.origin, `${url.hostname} resolves to an internal address (${inside ?? 'none'})`));
  }
  return url;
}

/** `fetch` options of {@link guardedFetch}; `dispatcher` is an undici one (from `createGuardedDispatcher`). */
export type GuardedRequestInit = Omit<RequestInit, 'dispatcher'> & { dispatcher?: Dispatcher };

/**
 * `fetch` for tenant-supplied URLs (undici's, with a guarded dispatcher): the URL is parsed and checked,
 * redirects are never followed (a 3xx comes back as the response), and — unless `allowPrivateNetworks` —
 * the connection is refused when the address actually dialled is internal, so DNS rebinding between a
 * check and the connection is caught. A refusal rejects with `UnsafeUrlError`. `init.dispatcher` may
 * replace the shared one, but only with one from `createGuardedDispatcher` (its own timeouts, pool).
 */
export async function guardedFetch(raw: unknown, init: GuardedRequestInit = {}, policy: OutboundUrlPolicy = {}): Promise<Response> {
  const url = parseOutboundUrl(raw, policy);
  try {
    const response = await undiciFetch(url, { ...(init as object), redirect: 'manual', dispatcher: init.dispatcher ?? guardedDispatcher(policy) });
    return response as unknown as Response;
  } catch (err) {
    const refusal = findRefusal(err);
    if (refusal) throw refused(policy, refusal);
    throw err;
  }
}
