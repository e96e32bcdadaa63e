/** Unit tests — step 1: the channel. */
import { resolveChannel } from '../../../src/integration/channel/resolve';
import type { IntegrationConfig } from '../../../src/types';

const ch = (o: Partial<IntegrationConfig> = {}): IntegrationConfig => ({ id: 'c', tenantId: 't', platform: 'p', credentials: {}, secrets: ['s'], settings: {}, status: 'active', ...o });
const status = async (p: Promise<unknown>) => { try { await p; return 0; } catch (e) { return (e as { code: number }).code; } };

describe('resolveChannel', () => {
  it('unknown, disabled, other platform → 404; a failing lookup → 503', async () => {
    expect(await status(resolveChannel(async () => null, 'c', 'p'))).toBe(404);
    expect(await status(resolveChannel(async () => ch({ status: 'disabled' }), 'c', 'p'))).toBe(404);
    expect(await status(resolveChannel(async () => ch({ platform: 'q' }), 'c', 'p'))).toBe(404);
    expect(await status(resolveChannel(async () => { throw new Error('redis down'); }, 'c', 'p'))).toBe(503);
    await expect(resolveChannel(async () => ch(), 'c', 'p')).resolves.toMatchObject({ tenantId: 't' });
  });
});
