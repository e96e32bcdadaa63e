/** SSRF guard for URLs a tenant controls (a channel's outbound or health URL): internal addresses are refused unless allowed. */
import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { UnsafeUrlError } from '../errors';

/** What outbound requests to tenant-supplied URLs may reach. */
export interface OutboundUrlPolicy {
  /**
   * Allow loopback, private, link-local, CGNAT and other non-public addresses. Default false; turn it on
   * only where the platforms really live on an internal network (and in local development).
   */
  allowPrivateNetworks?: boolean;
  /** Resolves a host name to every address it has; injectable for tests. Default: the system resolver. */
  resolve?: (hostname: string) => Promise<string[]>;
}

const INTERNAL_V4: Array<[string, number]> = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
];
const INTERNAL_V6: Array<[string, number]> = [
  ['::', 128], ['::1', 128], ['100::', 64], ['2001:db8::', 32], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
];

const internal = new BlockList();
for (const [net, prefix] of INTERNAL_V4) internal.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of INTERNAL_V6) internal.addSubnet(net, prefix, 'ipv6');

/** The 16 bytes of an IPv6 address (any textual form, embedded IPv4 included). */
function ipv6Bytes(address: string): number[] {
  let text = address.toLowerCase();
  const tail: number[] = [];
  const dotted = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (dotted) {
    tail.push(...dotted[1]!.split('.').map(Number));
    text = text.slice(0, -dotted[1]!.length) + '0:0';
  }
  const [head, rest] = text.includes('::') ? text.split('::') as [string, string] : [text, undefined];
  const groups = (s: string | undefined) => (s ? s.split(':').filter((g) => g !== '') : []);
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const all = rest === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  const bytes = all.flatMap((g) => { const n = parseInt(g, 16); return [n >> 8, n & 0xff]; });
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

/**
 * True for addresses that are not on the public internet: loopback, private, link-local (cloud
 * metadata `169.254.169.254`), CGNAT, documentation, multicast, reserved — and IPv6 forms that embed
 * them (`::ffff:127.0.0.1`, `::ffff:7f00:1`, NAT64 `64:ff9b::/96`). Anything that is not an IP is internal.
 */
export function isInternalAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 4) return internal.check(bare, 'ipv4');
  if (family !== 6) return true;
  const bytes = ipv6Bytes(bare);
  const isMapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  const isNat64 = bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && bytes.slice(4, 12).every((b) => b === 0);
  if (isMapped || isNat64) return internal.check(bytes.slice(12).join('.'), 'ipv4');
  return internal.check(bare, 'ipv6');
}

async function systemResolve(hostname: string): Promise<string[]> {
  return (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => a.address);
}

/**
 * Parses and checks a tenant-supplied URL: `http:` or `https:` only, no credentials in it, and —
 * unless `allowPrivateNetworks` — every address its host resolves to must be public. Numeric host
 * forms (`2130706433`, `0x7f.1`, `[::ffff:7f00:1]`) are normalized by the URL parser first.
 * Throws `UnsafeUrlError` (400, not retried) naming what was refused.
 */
export async function checkOutboundUrl(raw: unknown, policy: OutboundUrlPolicy = {}): Promise<URL> {
  let url: URL;
  try {
    url = new URL(String(raw));
  } catch {
    throw new UnsafeUrlError('not a valid URL', { url: String(raw).slice(0, 200) });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UnsafeUrlError(`only http and https URLs are allowed, not ${url.protocol}`, { url: url.origin });
  if (url.username || url.password) throw new UnsafeUrlError('URLs with credentials in them are not allowed', { url: url.origin });
  if (policy.allowPrivateNetworks) return url;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIP(host)) {
    addresses = [host];
  } else {
    try {
      addresses = await (policy.resolve ?? systemResolve)(host);
    } catch (err) {
      throw new UnsafeUrlError(`cannot resolve ${host}`, { url: url.origin }, err);
    }
  }
  const inside = addresses.find(isInternalAddress);
  if (addresses.length === 0 || inside !== undefined) {
    throw new UnsafeUrlError(`${url.hostname} resolves to an internal address (${inside ?? 'none'}); allow private networks in the config to reach it`, { url: url.origin });
  }
  return url;
}

/**
 * `fetch` for tenant-supplied URLs: checks the URL with {@link checkOutboundUrl} and never follows a
 * redirect (a 3xx comes back as the response). The host is resolved again by `fetch` itself, so a
 * DNS answer that changes between the check and the connection is not caught here.
 */
export async function guardedFetch(raw: unknown, init: RequestInit = {}, policy: OutboundUrlPolicy = {}): Promise<Response> {
  const url = await checkOutboundUrl(raw, policy);
  return fetch(url, { ...init, redirect: 'manual' });
}
