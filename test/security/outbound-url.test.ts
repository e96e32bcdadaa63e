import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetch as undiciFetch } from 'undici';
import { UnsafeUrlError } from '../../src';
import { checkOutboundUrl, guardedFetch, isInternalAddress } from '../../src/entries/security';
import { createGuardedDispatcher, URL_NOT_ALLOWED } from '../../src/security/guarded-dispatcher';

describe('isInternalAddress', () => {
  it.each([
    '127.0.0.1', '127.255.255.254', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254',
    '0.0.0.0', '100.64.0.1', '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', 'ff02::1',
    '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:a9fe:a9fe', '64:ff9b::7f00:1', '[::1]', 'not-an-ip', '',
    // IPv4-compatible ::/96 (deprecated; never public), 6to4 and local-use NAT64 embedding internal IPv4, CGNAT edge, multicast
    '::127.0.0.1', '::7f00:1', '[::127.0.0.1]', '::a9fe:a9fe', '::8.8.8.8', '::0.0.0.1', '2002:7f00:1::', '2002:a9fe:a9fe::1',
    '64:ff9b:1::7f00:1', '::ffff:0:7f00:1', '100.127.255.255', '239.255.255.250', '0.1.2.3', 'ff05::c',
  ])('%s is internal', (address) => {
    expect(isInternalAddress(address)).toBe(true);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1', '::1:0:0:1'])('%s is public', (address) => {
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
    ['http://[::127.0.0.1]/'],
    ['http://[::]/'],
    ['http://0/'],
    ['http://127.1/'],
    ['http://017700000001/'],
    ['http://[64:ff9b::a9fe:a9fe]/'],
    ['http://100.64.0.1/'],
    ['http://224.0.0.1/'],
    ['http://[fe80::1]/'],
    ['http://[fd00::1]/'],
    ['http://10.0.0.1/'],
    ['http://172.16.0.1/'],
    ['http://192.168.0.1/'],
  ])('refuses %s', async (url) => {
    await expect(checkOutboundUrl(url, { resolve: publicDns })).rejects.toBeInstanceOf(UnsafeUrlError);
  });

  it('refuses a host name that resolves inside, even when only one of its addresses does', async () => {
    await expect(checkOutboundUrl('https://api.example.com/x', { resolve: async () => ['93.184.216.34', '10.0.0.5'] }))
      .rejects.toBeInstanceOf(UnsafeUrlError);
    await expect(checkOutboundUrl('http://localhost:3000/')).rejects.toBeInstanceOf(UnsafeUrlError);
  });

  it('the answer says only "not allowed" and names SWITCHBOARD_ALLOW_PRIVATE_URLS; what the name resolves to goes to onRefused (the log)', async () => {
    const logged: string[] = [];
    const err = await checkOutboundUrl('https://vm.corp.example/x', { resolve: async () => ['10.20.30.40'], onRefused: (d) => logged.push(d) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsafeUrlError);
    const e = err as UnsafeUrlError;
    expect(e.message).toBe(URL_NOT_ALLOWED);
    expect(e.message).toMatch(/SWITCHBOARD_ALLOW_PRIVATE_URLS/);
    expect(JSON.stringify({ message: e.message, data: e.data, stack: e.stack })).not.toMatch(/10\.20\.30\.40/);
    expect(logged).toEqual([expect.stringMatching(/vm\.corp\.example.*10\.20\.30\.40/)]);
  });

  it('refuses other schemes, credentials in the URL, garbage, and names that do not resolve', async () => {
    await expect(checkOutboundUrl('ftp://example.com/', { resolve: publicDns })).rejects.toThrow(/only http and https/);
    await expect(checkOutboundUrl('file:///etc/passwd', { resolve: publicDns })).rejects.toThrow(/only http and https/);
    await expect(checkOutboundUrl('https://user:pw@example.com/', { resolve: publicDns })).rejects.toThrow(/credentials/);
    await expect(checkOutboundUrl('not a url', { resolve: publicDns })).rejects.toThrow(/not a valid URL/);
    await expect(checkOutboundUrl('https://nowhere.invalid/', { resolve: async () => { throw new Error('ENOTFOUND'); } })).rejects.toThrow(/cannot be resolved/);
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

  const port = () => new URL(base).port;

  it.each([
    (p: string) => `http://127.0.0.1:${p}/x`, (p: string) => `http://2130706433:${p}/x`, (p: string) => `http://0x7f.1:${p}/x`,
    (p: string) => `http://127.1:${p}/x`, (p: string) => `http://0.0.0.0:${p}/x`, (p: string) => `http://0:${p}/x`,
    (p: string) => `http://[::ffff:7f00:1]:${p}/x`, (p: string) => `http://[::ffff:127.0.0.1]:${p}/x`, (p: string) => `http://[::127.0.0.1]:${p}/x`,
    (p: string) => `http://[::1]:${p}/x`, (p: string) => `http://localhost:${p}/x`, (p: string) => `http://169.254.169.254:${p}/x`,
    (p: string) => `http://[64:ff9b::7f00:1]:${p}/x`,
  ])('refuses catalogue form %#, and the loopback server is never reached', async (form) => {
    hits.length = 0;
    const logged: string[] = [];
    const err = await guardedFetch(form(port()), {}, { onRefused: (d) => logged.push(d) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsafeUrlError);
    expect((err as Error).message).toBe(URL_NOT_ALLOWED);
    expect(logged).toHaveLength(1);
    expect(hits).toEqual([]);
  });

  it('DNS rebinding: a name public at check time and 127.0.0.1 at connect time is refused at connect — nothing reaches the server', async () => {
    hits.length = 0;
    let calls = 0;
    const rebinding = async () => (calls++ === 0 ? ['93.184.216.34'] : ['127.0.0.1']);
    const url = `http://rebind.test:${port()}/x`;
    await expect(checkOutboundUrl(url, { resolve: rebinding })).resolves.toBeInstanceOf(URL); // the check is fooled
    const logged: string[] = [];
    await expect(guardedFetch(url, {}, { resolve: rebinding, onRefused: (d) => logged.push(d) })).rejects.toBeInstanceOf(UnsafeUrlError);
    expect(calls).toBe(2);
    expect(logged).toEqual([expect.stringMatching(/rebind\.test.*127\.0\.0\.1/)]);
    expect(hits).toEqual([]);
  });

  it('the address dialled is the one the injected resolver gave (private networks allowed): the lookup is in the connect step', async () => {
    hits.length = 0;
    const res = await guardedFetch(`http://made-up.test:${port()}/via-lookup`, {}, { allowPrivateNetworks: true, resolve: async () => ['127.0.0.1'] });
    expect(await res.text()).toBe('ok');
    expect(hits).toEqual(['/via-lookup']);
  });

  it('a dispatcher from createGuardedDispatcher guards undici fetch with a per-attempt signal', async () => {
    hits.length = 0;
    const dispatcher = createGuardedDispatcher({ resolve: async () => ['10.0.0.8', '127.0.0.1'] });
    try {
      await expect(undiciFetch(`http://sub.test:${port()}/x`, { dispatcher, signal: AbortSignal.timeout(2_000) })).rejects.toMatchObject({ cause: expect.any(UnsafeUrlError) });
      await expect(guardedFetch(`http://sub.test:${port()}/x`, { dispatcher, signal: AbortSignal.timeout(2_000) })).rejects.toBeInstanceOf(UnsafeUrlError);
      const open = createGuardedDispatcher({ allowPrivateNetworks: true });
      const res = await undiciFetch(`${base}/open`, { dispatcher: open, signal: AbortSignal.timeout(2_000) });
      expect(res.status).toBe(200);
      await res.text();
      await open.close();
    } finally {
      await dispatcher.close();
    }
    expect(hits).toEqual(['/open']);
  });

  it('does not follow redirects: the 3xx comes back and its target is never requested', async () => {
    hits.length = 0;
    const res = await guardedFetch(`${base}/redirect`, {}, { allowPrivateNetworks: true });
    expect(res.status).toBe(302);
    expect(hits).toEqual(['/redirect']);
  });
});
