/**
 * Source addresses of inbound requests: CIDR lists (channel `allowedSources`, `SWITCHBOARD_TRUSTED_PROXIES`) and
 * the client address behind trusted proxies — the right-most `X-Forwarded-For` entry that is not a trusted proxy.
 */
import { BlockList, isIP } from 'node:net';

/** A parsed list of IPs and CIDRs, both families; `check` never throws. */
export interface AddressList {
  readonly size: number;
  check(address: string | undefined): boolean;
}

/** `10.0.0.0/8`, `2001:db8::/32`, or one address (`/32` or `/128` implied); undefined when it is neither. */
export function parseCidr(text: unknown): { network: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  if (typeof text !== 'string') return undefined;
  const [network, bits, extra] = text.trim().split('/');
  if (extra !== undefined || network === undefined) return undefined;
  const version = isIP(network);
  if (version === 0) return undefined;
  const max = version === 4 ? 32 : 128;
  if (bits !== undefined && !/^\d{1,3}$/.test(bits)) return undefined;
  const prefix = bits === undefined ? max : Number(bits);
  if (prefix > max) return undefined;
  return { network, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** The address without brackets, and an IPv4-mapped IPv6 form (`::ffff:10.0.0.1`) as plain IPv4. */
export function normalizeAddress(address: unknown): string | undefined {
  if (typeof address !== 'string') return undefined;
  const bare = address.trim().replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  const out = mapped ? mapped[1] : bare;
  return isIP(out) ? out : undefined;
}

/** Builds an {@link AddressList}; throws a `TypeError` naming the first entry that is not an IP or CIDR. */
export function addressList(entries: readonly unknown[]): AddressList {
  const list = new BlockList();
  for (const entry of entries) {
    const cidr = parseCidr(entry);
    if (!cidr) throw new TypeError(`"${String(entry)}" is not an IP address or CIDR`);
    list.addSubnet(cidr.network, cidr.prefix, cidr.family);
  }
  return {
    size: entries.length,
    check(address) {
      const ip = normalizeAddress(address);
      if (!ip) return false;
      try {
        return list.check(ip, isIP(ip) === 4 ? 'ipv4' : 'ipv6');
      } catch {
        return false;
      }
    },
  };
}

/** The comma-separated entries of `SWITCHBOARD_TRUSTED_PROXIES` (blanks skipped). */
export function splitAddressList(text: string | undefined): string[] {
  return (text ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/**
 * The client's address: the socket's peer, unless that peer is a trusted proxy — then the right-most
 * `X-Forwarded-For` entry that is not itself trusted (entries left of it could be written by anyone).
 * Undefined when the peer is unknown or an entry is not an address.
 */
export function clientAddress(remoteAddress: string | undefined, forwardedFor: string | undefined, trusted: AddressList): string | undefined {
  const peer = normalizeAddress(remoteAddress);
  if (!peer) return undefined;
  if (!trusted.check(peer) || !forwardedFor) return peer;
  const hops = forwardedFor.split(',').map((h) => h.trim()).filter((h) => h !== '');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalizeAddress(hops[i]);
    if (!hop) return undefined;
    if (!trusted.check(hop)) return hop;
  }
  // Every hop is a trusted proxy: the left-most is the closest we know to the client.
  return normalizeAddress(hops[0]) ?? peer;
}
