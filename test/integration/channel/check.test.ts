/** What a channel lookup returns is checked: an invalid config is a 500 naming the field, not "no active channel". */
import { channelConfigProblem, checkChannelConfig } from '../../../src/integration/channel/check';
import { resolveChannel } from '../../../src/integration/channel/resolve';
import type { IntegrationConfig } from '../../../src/types';

const valid: IntegrationConfig = { id: 'c', tenantId: 't', platform: 'p', credentials: {}, secrets: ['s'], settings: {}, status: 'active' };

describe('checkChannelConfig', () => {
  it('null and valid configs pass', () => {
    expect(checkChannelConfig(null, 'c')).toBeNull();
    expect(checkChannelConfig(undefined, 'c')).toBeNull();
    expect(checkChannelConfig(valid, 'c')).toBe(valid);
    expect(checkChannelConfig({ ...valid, status: 'disabled' }, 'c')).toMatchObject({ status: 'disabled' });
  });

  it.each([
    [{ ...valid, status: 'ACTIVE' }, 'status', /'active', 'disabled', got "ACTIVE"/],
    [{ ...valid, tenantId: '' }, 'tenantId', /non-empty/],
    [{ ...valid, secrets: 'one' }, 'secrets', /array of strings/],
    [{ ...valid, credentials: undefined }, 'credentials', /object/],
    [{ ...valid, settings: [] }, 'settings', /object/],
    [{ ...valid, id: 5 }, 'id', /non-empty string/],
    ['a string', '(config)', /object or null/],
  ])('%#: names `%s`', (config, field, what) => {
    expect(channelConfigProblem(config)?.[0]).toBe(field);
    let thrown: { code?: number; type?: string; data?: { field?: string }; message?: string } | undefined;
    try { checkChannelConfig(config, 'c'); } catch (err) { thrown = err as typeof thrown; }
    expect(thrown).toMatchObject({ code: 500, type: 'CONFIG_INVALID', data: { field } });
    expect(thrown?.message).toMatch(what);
    expect(thrown?.message).toContain('getChannelConfig("c")');
  });

  it('resolveChannel passes the ConfigError through (500), instead of a 404 or a 503', async () => {
    const lookup = async () => checkChannelConfig({ ...valid, status: 'ACTIVE' }, 'c');
    await expect(resolveChannel(lookup, 'c', 'p')).rejects.toMatchObject({ code: 500, type: 'CONFIG_INVALID' });
  });

  it('never shows a credential or secret value', () => {
    try { checkChannelConfig({ ...valid, secrets: [1], credentials: { token: 'super-secret-token' } }, 'c'); } catch (err) {
      expect((err as Error).message).not.toContain('super-secret-token');
    }
  });
});
