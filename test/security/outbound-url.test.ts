import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkOutboundUrl, guardedFetch, isInternalAddress, UnsafeUrlError } from '../../src';

describe('isInternalAddress', () => {
  it.each([
    '127.0.0.1', '127.255.255.254', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254',
    '0.0.0.0', '100.64.0.1', '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', 'ff02::1',
    '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:a9fe:a9fe', '64:ff9b::7f00:1', '[::1]', 'not-an-ip', '',
  ])('%s is internal', (address) => {
    expect(isInternalAddress(address)).toBe(true);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'])('%s is public', (address) => {
    expect(isInternalAddress(address)).toBe(false);
  });
});

describe('checkOutboundUrl', () => {
  const publicDns = async () => ['93.184.216.34'];

  it.each([
    ['http://127.0.0.1:3999/messages'],
    ['http://2130706433/'],
    ['http://0x7f.1/'],
    ['http://0.0.0.0:80/'],
    ['http://[::ffff:7f00:1]/'],
    ['http://[::1]:8080/'],
    ['http://169.254.169.254/latest/meta-data/'],
  ])('refuses %s', async (url) => {
    await expect(checkOutboundUrl(url, { resolve: publicDns })).rejects.toBeInstanceOf(UnsafeUrlError);
  });

  it('refuses a host name that resolves inside, even when only one of its addresses does', async () => {
    await expect(checkOutboundUrl('https://api.example.com/x', { resolve: async () => ['93.184.216.34', '10.0.0.5'] }))
      .rejects.toThrow(/internal address \(10\.0\.0\.5\)/);
    await expect(checkOutboundUrl('http://localhost:3000/')).rejects.toBeInstanceOf(UnsafeUrlError);
  });

  it('refuses other schemes, credentials in the URL, garbage, and names that do not resolve', async () => {
    await expect(checkOutboundUrl('ftp://example.com/', { resolve: publicDns })).rejects.toThrow(/only http and https/);
    await expect(checkOutboundUrl('file:///etc/passwd', { resolve: publicDns })).rejects.toThrow(/only http and https/);
    await expect(checkOutboundUrl('https://user:pw@example.com/', { resolve: publicDns })).rejects.toThrow(/credentials/);
    await expect(checkOutboundUrl('not a url', { resolve: publicDns })).rejects.toThrow(/not a valid URL/);
    await expect(checkOutboundUrl('https://nowhere.invalid/', { resolve: async () => { throw new Error('ENOTFOUND'); } })).rejects.toThrow(/cannot resolve/);
  });

  it('accepts a public URL, and internal ones only when private networks are allowed', async () => {
    expect((await checkOutboundUrl('https://api.example.com/send', { resolve: publicDns })).hostname).toBe('api.example.com');
    expect((await checkOutboundUrl('http://127.0.0.1:3999/', { allowPrivateNetworks: true })).port).toBe('3999');
  });
});

describe('guardedFetch', () => {
  let server: Server;
  let base: string;
  const hits: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      if (req.url === '/redirect') { res.writeHead(302, { location: '/internal-target' }); res.end(); return; }
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('never reaches a loopback server without the policy allowing it', async () => {
    hits.length = 0;
    await expect(guardedFetch(`${base}/x`)).rejects.toBeInstanceOf(UnsafeUrlError);
    expect(hits).toEqual([]);
  });

  it('does not follow redirects: the 3xx comes back and its target is never requested', async () => {
    hits.length = 0;
    const res = await guardedFetch(`${base}/redirect`, {}, { allowPrivateNetworks: true });
    expect(res.status).toBe(302);
    expect(hits).toEqual(['/redirect']);
  });
});
