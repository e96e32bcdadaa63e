/** Telegram channels: webhook secrets in Telegram's secret_token alphabet, checked at creation and rotation, generated in it. */
import { ChannelRegistry, generateSecret } from '../../src/registry';
import { checkChannelInput } from '../../src/registry/validate';
import { MemoryStore } from '../../src/store';

const input = (platform: string, secrets: string[]) => ({ id: 'bot', tenantId: 'acme', platform, credentials: { botToken: '1:x' }, secrets });

describe('Telegram secret tokens in the registry', () => {
  it('refuses a Telegram secret outside A-Z a-z 0-9 _ - with a message that says so', () => {
    for (const bad of ['whsec_abc+def/==', 'with space', 'ünïcode', 'a'.repeat(257)]) {
      expect(() => checkChannelInput(input('telegram', [bad]))).toThrow(/Telegram secret token must be 1-256 characters of A-Z, a-z, 0-9, _ and -/);
    }
    expect(() => checkChannelInput(input('telegram', ['ok', 'bad!']))).toThrow(expect.objectContaining({ code: 400, data: { field: 'channel.secrets[1]' } }));
  });

  it('accepts Telegram-alphabet secrets, and other platforms keep their own (any) secrets', () => {
    expect(checkChannelInput(input('telegram', ['Abc_123-xyz', 'a'.repeat(256)])).secrets).toHaveLength(2);
    expect(checkChannelInput(input('generic', ['whsec_abc+def/=='])).secrets).toEqual(['whsec_abc+def/==']);
  });

  it('generates a Telegram secret in its alphabet, a Standard Webhooks one elsewhere', () => {
    expect(generateSecret('telegram')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateSecret()).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
  });

  it('rotation: a given secret is checked against the channel\'s platform; a generated one fits it', async () => {
    const registry = new ChannelRegistry(new MemoryStore());
    await registry.create(input('telegram', ['first']));
    await expect(registry.rotateSecret('bot', { secret: 'not/valid' })).rejects.toMatchObject({ code: 400, message: expect.stringContaining('Telegram secret token') });
    expect((await registry.get('bot'))?.secrets).toEqual(['first']);
    const { secret } = await registry.rotateSecret('bot');
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await registry.get('bot'))?.secrets[0]).toBe(secret);
  });
});
