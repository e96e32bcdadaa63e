/** Unit tests — steps 2–3: signature and freshness. */
import { customVerifier, schemeVerifier, verifySignature } from '../../../src/integration/inbound/verify';
import { hmacSignature } from '../../../src/security';
import type { IntegrationConfig } from '../../../src/types';

const ch = (o: Partial<IntegrationConfig> = {}): IntegrationConfig => ({ id: 'c', tenantId: 't', platform: 'p', credentials: {}, secrets: ['s'], settings: {}, status: 'active', ...o });
const req = (raw: string, headers: Record<string, string> = {}) => ({ channelId: 'c', rawBody: Buffer.from(raw), headers, query: {}, receivedAt: 1 });

describe('verifySignature', () => {
  const scheme = hmacSignature({ header: 'x-sig', algorithm: 'sha256', encoding: 'hex' });
  it('accepts a valid signature, 401 with the reason otherwise', async () => {
    const headers = scheme.sign({ rawBody: '{}', secret: 's' });
    await expect(verifySignature(schemeVerifier(scheme), req('{}', headers), ch())).resolves.toMatchObject({ valid: true });
    await expect(verifySignature(schemeVerifier(scheme), req('{ }', headers), ch())).rejects.toMatchObject({ code: 401, data: { reason: 'mismatch' } });
    await expect(verifySignature(schemeVerifier(scheme), req('{}', headers), ch({ secrets: [] }))).rejects.toMatchObject({ code: 401 });
  });
  it('a custom check that throws or answers junk is a 401, never a 500', async () => {
    await expect(verifySignature(customVerifier(() => { throw new Error('boom'); }), req('{}'), ch())).rejects.toMatchObject({ code: 401 });
    await expect(verifySignature(customVerifier(() => 'yes' as unknown as boolean), req('{}'), ch())).rejects.toMatchObject({ code: 401 });
    await expect(verifySignature(customVerifier(() => false), req('{}'), ch())).rejects.toMatchObject({ code: 401 });
    await expect(verifySignature(customVerifier(async () => true), req('{}'), ch())).resolves.toEqual({ valid: true });
  });
});
