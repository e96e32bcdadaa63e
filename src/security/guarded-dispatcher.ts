/**
 * The SSRF guard at connect time: an undici dispatcher whose connect step refuses internal addresses — the
 * address actually dialled, after DNS — so a name that answers public to a check and internal to the
 * connection (DNS rebinding) is still refused.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import type { Agent, buildConnector } from 'undici';
import { UnsafeUrlError } from '../errors';
import { isInternalAddress, type OutboundUrlPolicy } from './outbound-url';
import { undici } from './undici';

/** What a tenant is told about a refused URL: nothing about where it points, only which variable allows it. */
export const URL_NOT_ALLOWED =
  'this URL is not allowed: it points to a private or internal network address (set SWITCHBOARD_ALLOW_PRIVATE_URLS=true to allow private networks)';

const details = new WeakMap<Error, string>();

/**
 * The `UnsafeUrlError` for an internal address. The answer says only {@link URL_NOT_ALLOWED}; the detail
 * (host and address, for operators' logs) is kept beside the error — read it with {@link refusalDetail},
 * it is never serialized.
 */
export function internalAddressRefusal(url: string, detail: string): UnsafeUrlError {
  const err = new UnsafeUrlError(URL_NOT_ALLOWED, { url });
  details.set(err, detail);
  return err;
}

/** The operator detail of a refusal (what the host resolved to), if `err` is one. */
export function refusalDetail(err: unknown): string | undefined {
  return err instanceof Error ? details.get(err) : undefined;
}

/** The `UnsafeUrlError` in `err` or its `cause` chain (undici's fetch wraps connect errors in `TypeError: fetch failed`). */
export function findRefusal(err: unknown): UnsafeUrlError | undefined {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof UnsafeUrlError) return e;
  }
  return undefined;
}

async function systemResolve(hostname: string): Promise<string[]> {
  return (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => a.address);
}

/**
 * A `lookup` for `net.connect`/`tls.connect` that resolves with `policy.resolve` (default: the system
 * resolver) and, unless `allowPrivateNetworks`, fails when any address of the name is internal.
 */
export function guardedLookup(policy: OutboundUrlPolicy = {}): LookupFunction {
  const resolve = policy.resolve ?? systemResolve;
  return ((hostname: string, options: { family?: number | string; all?: boolean }, callback: (...args: unknown[]) => void) => {
    resolve(hostname).then((resolved) => {
      const family = options?.family === 'IPv4' ? 4 : options?.family === 'IPv6' ? 6 : Number(options?.family ?? 0);
      const addresses = resolved.filter((a) => isIP(a) !== 0 && (family === 0 || isIP(a) === family));
      const inside = resolved.find(isInternalAddress);
      if (!policy.allowPrivateNetworks && inside !== undefined) {
        callback(internalAddressRefusal(hostname, `${hostname} resolves to an internal address (${inside})`));
        return;
      }
      if (addresses.length === 0) {
        callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname }));
        return;
      }
      const list = addresses.map((address) => ({ address, family: isIP(address) }));
      if (options?.all) callback(null, list);
      else callback(null, list[0]!.address, list[0]!.family);
    }, (err: unknown) => callback(err));
  }) as unknown as LookupFunction;
}

/**
 * An undici connector that refuses an internal IP literal before dialling and dials host names through
 * {@link guardedLookup}: the check is made on the address the socket connects to.
 */
export function guardedConnector(policy: OutboundUrlPolicy = {}, options: buildConnector.BuildOptions = {}): buildConnector.connector {
  const connect = undici().buildConnector({ ...options, lookup: guardedLookup(policy) } as buildConnector.BuildOptions);
  return (opts, callback) => {
    const host = opts.hostname.replace(/^\[|\]$/g, '');
    if (!policy.allowPrivateNetworks && isIP(host) !== 0 && isInternalAddress(host)) {
      callback(internalAddressRefusal(opts.hostname, `${opts.hostname} is an internal address`), null);
      return;
    }
    connect(opts, callback);
  };
}

/**
 * An undici `Agent` for tenant-supplied URLs: every connection it opens goes through
 * {@link guardedConnector}. Use it with undici's `fetch` (`dispatcher`), one per process or per policy
 * (it pools connections); deadlines go in each request's `signal`. `options` are undici `Agent` options
 * (`connect` as build options only: timeouts, TLS).
 */
export function createGuardedDispatcher(policy: OutboundUrlPolicy = {}, options: Omit<Agent.Options, 'connect'> & { connect?: buildConnector.BuildOptions } = {}): Agent {
  const { connect, ...rest } = options;
  return new (undici().Agent)({ ...rest, connect: guardedConnector(policy, connect ?? {}) });
}

const shared = new Map<string, Agent>();
const sharedByResolver = new WeakMap<NonNullable<OutboundUrlPolicy['resolve']>, Map<string, Agent>>();

/** One pooled guarded dispatcher per policy (per `allowPrivateNetworks` and `resolve`), made on first use. */
export function guardedDispatcher(policy: OutboundUrlPolicy = {}): Agent {
  let pool = shared;
  if (policy.resolve) {
    pool = sharedByResolver.get(policy.resolve) ?? new Map<string, Agent>();
    sharedByResolver.set(policy.resolve, pool);
  }
  const key = policy.allowPrivateNetworks ? 'private' : 'public';
  let agent = pool.get(key);
  if (!agent) {
    agent = createGuardedDispatcher({ allowPrivateNetworks: policy.allowPrivateNetworks, resolve: policy.resolve });
    pool.set(key, agent);
  }
  return agent;
}
