/** Which IP addresses are not on the public internet, in every textual form (IPv4, IPv6, IPv6 embedding IPv4). */
import { BlockList, isIP } from 'node:net';

const INTERNAL_V4: Array<[string, number]> = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
];
// `::/96` holds `::`, `::1` and the deprecated IPv4-compatible addresses (`::127.0.0.1`): none is public.
const INTERNAL_V6: Array<[string, number]> = [
  ['::', 96], ['100::', 64], ['2001:db8::', 32], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
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

const zero = (bytes: number[]) => bytes.every((b) => b === 0);

/** The IPv4 address an IPv6 address carries to an IPv4 host (mapped, NAT64, 6to4), if any. */
function embeddedIpv4(bytes: number[]): string | undefined {
  const v4 = (from: number) => bytes.slice(from, from + 4).join('.');
  if (zero(bytes.slice(0, 10)) && bytes[10] === 0xff && bytes[11] === 0xff) return v4(12); // ::ffff:0:0/96 mapped
  if (zero(bytes.slice(0, 8)) && bytes[8] === 0xff && bytes[9] === 0xff && bytes[10] === 0 && bytes[11] === 0) return v4(12); // ::ffff:0:0:0/96 translated (SIIT)
  if (bytes[0] === 0 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b) {
    if (zero(bytes.slice(4, 12))) return v4(12); // 64:ff9b::/96 NAT64
    if (bytes[4] === 0 && bytes[5] === 1) return v4(12); // 64:ff9b:1::/48 local-use NAT64 (RFC 8215), suffix form
  }
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return v4(2); // 2002::/16 6to4
  return undefined;
}

/**
 * True for addresses that are not on the public internet: loopback, private, link-local (cloud
 * metadata `169.254.169.254`), CGNAT, documentation, multicast, reserved, `0.0.0.0` — and IPv6 forms
 * that embed them (`::ffff:127.0.0.1`, `::ffff:7f00:1`, NAT64 `64:ff9b::/96`, 6to4) or are not public
 * themselves (`::/96` with the IPv4-compatible `::127.0.0.1`). Anything that is not an IP is internal.
 */
export function isInternalAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 4) return internal.check(bare, 'ipv4');
  if (family !== 6) return true;
  const embedded = embeddedIpv4(ipv6Bytes(bare));
  if (embedded !== undefined) return internal.check(embedded, 'ipv4');
  return internal.check(bare, 'ipv6');
}
