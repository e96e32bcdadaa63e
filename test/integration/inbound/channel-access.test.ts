/** Channel access before the signature: allowedSources (403) and basic auth against the channel's secrets (401). */
import { basicCredentials, checkChannelAccess } from '../../../src/integration/inbound/channel-access';
import type { InboundRequest } from '../../../src/integration/inbound/request';
import { addressList } from '../../../src/security';
import type { IntegrationConfig } from '../../../src/types';

const trusted = addressList(['127.0.0.1']);
const chan = (settings: Record<string, unknown>, secrets = ['pw-old', 'pw-new']): IntegrationConfig =>
  ({ id: 'c1', tenantId: 't', platform: 'p', credentials: {}, secrets, settings, status: 'active' });
const req = (headers: Record<string, string> = {}, remoteAddress = '127.0.0.1'): InboundRequest =>
  ({ channelId: 'c1', rawBody: Buffer.alloc(0), headers, query: {}, receivedAt: 0, remoteAddress });
const basic = (user: string, pass: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` });

describe('basicCredentials', () => {
  it('reads user and password (the password may hold ":")', () => {
    expect(basicCredentials(basic('u', 'a:b').authorization)).toEqual({ username: 'u', password: 'a:b' });
    expect(basicCredentials('basic   ' + Buffer.from('u:p').toString('base64'))).toEqual({ username: 'u', password: 'p' });
  });
  it.each([undefined, '', 'Bearer x', 'Basic', 'Basic !!!', `Basic ${Buffer.from('nocolon').toString('base64')}`])('%p → undefined', (h) => {
    expect(basicCredentials(h)).toBeUndefined();
  });
});

describe('checkChannelAccess', () => {
  it('no front-door settings → nothing checked, nothing proved', () => {
    expect(checkChannelAccess(chan({}), req(), trusted)).toEqual([]);
  });
  it('basic auth: the user name and any active secret → passes; anything else → 401', () => {
    const c = chan({ basicAuth: { username: 'twilio' } });
    expect(checkChannelAccess(c, req(basic('twilio', 'pw-old')), trusted)).toEqual(['basicAuth']);
    expect(checkChannelAccess(c, req(basic('twilio', 'pw-new')), trusted)).toEqual(['basicAuth']);
    for (const h of [{}, basic('twilio', 'pw'), basic('Twilio', 'pw-old'), basic('twilio', ''), { authorization: 'Bearer pw-old' }]) {
      expect(() => checkChannelAccess(c, req(h), trusted)).toThrow(expect.objectContaining({ code: 401 }));
    }
    expect(() => checkChannelAccess(chan({ basicAuth: { username: 'twilio' } }, []), req(basic('twilio', '')), trusted)).toThrow(expect.objectContaining({ code: 401 }));
  });
  it('allowedSources: the client (behind trusted proxies) must be inside → else 403 naming the address', () => {
    const c = chan({ allowedSources: ['192.0.2.0/24', '2001:db8::/32'] });
    expect(checkChannelAccess(c, req({}, '192.0.2.10'), trusted)).toEqual(['allowedSources']);
    expect(checkChannelAccess(c, req({}, '::ffff:192.0.2.10'), trusted)).toEqual(['allowedSources']);
    expect(checkChannelAccess(c, req({ 'x-forwarded-for': '2001:db8::5' }), trusted)).toEqual(['allowedSources']);
    expect(() => checkChannelAccess(c, req({ 'x-forwarded-for': '192.0.2.10' }, '198.51.100.1'), trusted)).toThrow(expect.objectContaining({ code: 403, message: expect.stringContaining('198.51.100.1') }));
    expect(() => checkChannelAccess(c, req({}, undefined as unknown as string), trusted)).toThrow(expect.objectContaining({ code: 403 }));
  });
  it('both: the allowlist first (403), then basic auth (401)', () => {
    const c = chan({ allowedSources: ['192.0.2.0/24'], basicAuth: { username: 'u' } });
    expect(() => checkChannelAccess(c, req(basic('u', 'pw-old'), '198.51.100.1'), trusted)).toThrow(expect.objectContaining({ code: 403 }));
    expect(() => checkChannelAccess(c, req({}, '192.0.2.1'), trusted)).toThrow(expect.objectContaining({ code: 401 }));
    expect(checkChannelAccess(c, req(basic('u', 'pw-new'), '192.0.2.1'), trusted)).toEqual(['allowedSources', 'basicAuth']);
  });
  it('unusable settings from a hand-written getChannelConfig → ConfigError (500), never open', () => {
    expect(() => checkChannelAccess(chan({ allowedSources: ['nope'] }), req(), trusted)).toThrow(expect.objectContaining({ type: 'CONFIG_INVALID' }));
    expect(() => checkChannelAccess(chan({ basicAuth: 'u' }), req(), trusted)).toThrow(expect.objectContaining({ type: 'CONFIG_INVALID' }));
  });
});
