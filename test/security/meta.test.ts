/** metaSignature(): x-hub-signature-256 over the raw bytes, as Meta sends them (unicode escaped). */
import { metaSignature } from '../../src/security';
import { hmacHex, HUB_SIGNATURE_VECTOR } from './vectors';

const scheme = metaSignature();
const APP_SECRET = 'meta-app-secret';

describe('metaSignature', () => {
  it('verifies the documented x-hub-signature-256 example', () => {
    const { secret, body, signature } = HUB_SIGNATURE_VECTOR;
    expect(scheme.name).toBe('meta');
    expect(scheme.toleranceSeconds).toBeUndefined();
    expect(scheme.verify({ rawBody: Buffer.from(body), headers: { 'x-hub-signature-256': signature }, secrets: [secret] })).toEqual({ valid: true });
    expect(scheme.sign({ rawBody: body, secret })).toEqual({ 'x-hub-signature-256': signature });
  });

  it('verifies the escaped-unicode bytes Meta sends, and rejects the unescaped re-serialization', () => {
    const sent = '{"entry":[{"changes":[{"value":{"messages":[{"text":{"body":"caf\\u00e9 \\ud83d\\ude00"}}]}}]}]}';
    const headers = { 'x-hub-signature-256': `sha256=${hmacHex('sha256', APP_SECRET, Buffer.from(sent))}` };
    expect(scheme.verify({ rawBody: Buffer.from(sent), headers, secrets: [APP_SECRET] }).valid).toBe(true);
    const reserialized = JSON.stringify(JSON.parse(sent));
    expect(reserialized).toContain('café 😀');
    expect(scheme.verify({ rawBody: Buffer.from(reserialized), headers, secrets: [APP_SECRET] })).toMatchObject({ valid: false, reason: 'mismatch' });
  });

  it('accepts either app secret during a rotation', () => {
    const headers = scheme.sign({ rawBody: 'x', secret: 'new-secret' });
    expect(scheme.verify({ rawBody: Buffer.from('x'), headers, secrets: ['old-secret', 'new-secret'] }).valid).toBe(true);
    expect(scheme.verify({ rawBody: Buffer.from('x'), headers, secrets: ['old-secret'] })).toMatchObject({ reason: 'mismatch' });
  });

  it('ignores the older sha1 x-hub-signature header', () => {
    const headers = { 'x-hub-signature': `sha1=${hmacHex('sha1', APP_SECRET, 'x')}` };
    expect(scheme.verify({ rawBody: Buffer.from('x'), headers, secrets: [APP_SECRET] })).toMatchObject({ reason: 'missing' });
  });
});
