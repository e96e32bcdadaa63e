/** Source addresses: CIDR parsing, the client behind trusted proxies (right-most untrusted X-Forwarded-For hop). */
import fc from 'fast-check';
import { addressList, clientAddress, normalizeAddress, parseCidr } from '../../src/security';

describe('parseCidr / normalizeAddress', () => {
  it.each([
    ['10.0.0.0/8', { network: '10.0.0.0', prefix: 8, family: 'ipv4' }],
    ['127.0.0.1', { network: '127.0.0.1', prefix: 32, family: 'ipv4' }],
    ['2001:db8::/32', { network: '2001:db8::', prefix: 32, family: 'ipv6' }],
    ['::1', { network: '::1', prefix: 128, family: 'ipv6' }],
  ])('%s', (text, parsed) => expect(parseCidr(text)).toEqual(parsed));

  it.each(['', '10.0.0.0/33', '10.0.0.0/8/1', 'example.com', '10.0.0.0/-1', '10.0.0.0/ 8', '::/129', '1.2.3', 42])('refuses %p', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });

  it('reads IPv4-mapped IPv6 and bracketed forms as their address', () => {
    expect(normalizeAddress('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(normalizeAddress('[::1]')).toBe('::1');
    expect(normalizeAddress('nope')).toBeUndefined();
  });
});

describe('clientAddress', () => {
  const trusted = addressList(['127.0.0.1', '10.0.0.0/8']);
  it('an untrusted peer is the client whatever X-Forwarded-For says', () => {
    expect(clientAddress('203.0.113.5', '10.9.9.9', trusted)).toBe('203.0.113.5');
  });
  it('behind trusted proxies: the right-most hop that is not a proxy', () => {
    expect(clientAddress('127.0.0.1', '198.51.100.7', trusted)).toBe('198.51.100.7');
    expect(clientAddress('::ffff:127.0.0.1', '1.1.1.1, 198.51.100.7, 10.0.0.5', trusted)).toBe('198.51.100.7');
    expect(clientAddress('127.0.0.1', undefined, trusted)).toBe('127.0.0.1');
  });
  it('a garbage hop → unknown (refused by an allowlist), never a guess', () => {
    expect(clientAddress('127.0.0.1', 'evil, 10.0.0.5', trusted)).toBeUndefined();
  });
  it('with no trusted proxies the peer is always the client; arbitrary input never throws', () => {
    const none = addressList([]);
    fc.assert(fc.property(fc.ipV4(), fc.string({ maxLength: 80 }), (peer, xff) => {
      expect(clientAddress(peer, xff, none)).toBe(peer);
    }));
    fc.assert(fc.property(fc.anything(), fc.anything(), (peer, xff) => {
      expect(() => clientAddress(peer as string, xff as string, trusted)).not.toThrow();
    }));
  });
  it('addressList names the bad entry', () => {
    expect(() => addressList(['10.0.0.0/8', 'nope'])).toThrow(/"nope"/);
  });
});
