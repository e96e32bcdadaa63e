/** The front-door settings at channel creation and update (400 naming the field) and in API answers (basicAuth never shown). */
import { checkChannelInput, checkChannelUpdate } from '../../src/registry/validate';
import { redactChannel } from '../../src/registry/redact';
import { frontDoorSettingsProblem } from '../../src/registry/front-door';
import type { ChannelRecord } from '../../src/registry/types';

const input = (settings: Record<string, unknown>, secrets = ['pw']) => ({ id: 'c1', tenantId: 't1', platform: 'twilio', secrets, settings });

describe('front-door settings validation', () => {
  it('accepts the documented shapes', () => {
    const settings = {
      basicAuth: { username: 'twilio' }, allowedSources: ['10.0.0.0/8', '2001:db8::/32', '192.0.2.7'],
      inboundRateLimit: { perSecond: 5, burst: 20 }, publicUrl: 'https://hooks.example.com/webhooks/twilio/c1?x=1', other: 1,
    };
    expect(checkChannelInput(input(settings)).settings).toEqual(settings);
    expect(checkChannelUpdate({ settings }).settings).toEqual(settings);
  });
  it.each([
    [{ basicAuth: 'twilio' }, 'settings.basicAuth'],
    [{ basicAuth: { username: 'a:b' } }, 'settings.basicAuth.username'],
    [{ basicAuth: { username: 'u', password: 'p' } }, 'settings.basicAuth'],
    [{ allowedSources: [] }, 'settings.allowedSources'],
    [{ allowedSources: '10.0.0.0/8' }, 'settings.allowedSources'],
    [{ allowedSources: ['10.0.0.0/8', 'intranet'] }, 'settings.allowedSources[1]'],
    [{ inboundRateLimit: { perSecond: 0, burst: 1 } }, 'settings.inboundRateLimit.perSecond'],
    [{ inboundRateLimit: { perSecond: 1, burst: 1.5 } }, 'settings.inboundRateLimit.burst'],
    [{ inboundRateLimit: { perSecond: 1 } }, 'settings.inboundRateLimit.burst'],
    [{ publicUrl: 'ftp://x' }, 'settings.publicUrl'],
    [{ publicUrl: 'https://user:pw@x.example/' }, 'settings.publicUrl'],
  ])('%p → 400 naming %s, at creation and update', (settings, field) => {
    expect(frontDoorSettingsProblem(settings)?.field).toBe(field);
    expect(() => checkChannelInput(input(settings))).toThrow(expect.objectContaining({ code: 400, data: { field } }));
    expect(() => checkChannelUpdate({ settings })).toThrow(expect.objectContaining({ code: 400, data: { field } }));
  });
  it('basicAuth without any secret is refused: the password is a secret', () => {
    expect(() => checkChannelInput(input({ basicAuth: { username: 'u' } }, []))).toThrow(expect.objectContaining({ code: 400, message: expect.stringContaining('secrets') }));
  });
});

describe('redactChannel', () => {
  it('never returns the basic-auth user name; other settings are shown', () => {
    const record: ChannelRecord = {
      id: 'c1', tenantId: 't1', platform: 'twilio', credentials: {}, secrets: [{ value: 'pw', expiresAt: null }], status: 'active',
      settings: { basicAuth: { username: 'twilio-user' }, allowedSources: ['10.0.0.0/8'], inboundRateLimit: { perSecond: 1, burst: 2 } },
      createdAt: 0, updatedAt: 0,
    } as unknown as ChannelRecord;
    const out = redactChannel(record, 0);
    expect(out.settings).toEqual({ basicAuth: { configured: true }, allowedSources: ['10.0.0.0/8'], inboundRateLimit: { perSecond: 1, burst: 2 } });
    expect(JSON.stringify(out)).not.toContain('twilio-user');
    expect(record.settings.basicAuth).toEqual({ username: 'twilio-user' });
  });
});
