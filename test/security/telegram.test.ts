/** telegramSecretToken(): the secret token header equals an active secret. */
import { ConfigError } from '../../src/errors';
import { TELEGRAM_SECRET_HEADER, telegramSecretToken } from '../../src/security';

const scheme = telegramSecretToken();
const SECRET = 'tg_Secret-123';
const verify = (value: string | string[] | undefined, secrets: string[] = [SECRET]) =>
  scheme.verify({ rawBody: Buffer.from('{"update_id":1}'), headers: { [TELEGRAM_SECRET_HEADER]: value }, secrets });

describe('telegramSecretToken', () => {
  it('accepts the header equal to an active secret', () => {
    expect(scheme.name).toBe('telegram');
    expect(TELEGRAM_SECRET_HEADER).toBe('x-telegram-bot-api-secret-token');
    expect(verify(SECRET)).toEqual({ valid: true });
    expect(verify(SECRET, ['old_one', SECRET])).toEqual({ valid: true });
    expect(scheme.verify({ rawBody: Buffer.alloc(0), headers: { 'X-Telegram-Bot-Api-Secret-Token': SECRET }, secrets: [SECRET] }).valid).toBe(true);
  });

  it.each([
    ['a different token', 'tg_Secret-124', 'mismatch'],
    ['a prefix of the secret', 'tg_Secret', 'mismatch'],
    ['the secret plus a character', `${SECRET}x`, 'mismatch'],
    ['a case change', SECRET.toUpperCase(), 'mismatch'],
    ['no header', undefined, 'missing'],
    ['an empty header', '', 'missing'],
    ['characters Telegram never sends', 'tg Secret!', 'malformed'],
    ['more than 256 characters', 'a'.repeat(257), 'malformed'],
    ['two different values', [SECRET, 'other'], 'malformed'],
  ])('rejects %s', (_label, value, reason) => {
    expect(verify(value)).toMatchObject({ valid: false, reason });
  });

  it('never matches with no usable secret, even an empty one', () => {
    expect(verify(SECRET, [])).toMatchObject({ valid: false, reason: 'mismatch' });
    expect(verify('', [''])).toMatchObject({ valid: false });
  });

  it('signs by sending the secret, and refuses one Telegram would reject', () => {
    expect(scheme.sign({ rawBody: 'ignored', secret: SECRET })).toEqual({ [TELEGRAM_SECRET_HEADER]: SECRET });
    expect(() => scheme.sign({ rawBody: '', secret: 'has space' })).toThrow(ConfigError);
    expect(() => scheme.sign({ rawBody: '', secret: '' })).toThrow(ConfigError);
  });
});
