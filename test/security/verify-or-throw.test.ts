/** verifyOrThrow: a valid result passes through, any failure becomes a SignatureError (401) with the reason. */
import { ERROR_TYPES, SignatureError } from '../../src/errors';
import { metaSignature, verifyOrThrow } from '../../src/security';

const scheme = metaSignature();

describe('verifyOrThrow', () => {
  it('returns the valid result', () => {
    const headers = scheme.sign({ rawBody: 'x', secret: 's' });
    expect(verifyOrThrow(scheme, { rawBody: Buffer.from('x'), headers, secrets: ['s'] })).toEqual({ valid: true });
  });

  it('throws a 401 SignatureError carrying the scheme and reason, never the secret', () => {
    let thrown: unknown;
    try {
      verifyOrThrow(scheme, { rawBody: Buffer.from('x'), headers: { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` }, secrets: ['top-secret'] });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(SignatureError);
    const err = thrown as SignatureError;
    expect(err.code).toBe(401);
    expect(err.type).toBe(ERROR_TYPES.INVALID_SIGNATURE);
    expect(err.data).toEqual({ scheme: 'meta', reason: 'mismatch' });
    expect(err.message).not.toContain('top-secret');
  });
});
