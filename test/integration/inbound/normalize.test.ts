/** Unit tests — step 6: normalize. */
import { normalizeWebhook } from '../../../src/integration/inbound/normalize';
import type { IntegrationConfig, NormalizedMessage, WebhookEvent } from '../../../src/types';

const ch = (o: Partial<IntegrationConfig> = {}): IntegrationConfig => ({ id: 'c', tenantId: 't', platform: 'p', credentials: {}, secrets: ['s'], settings: {}, status: 'active', ...o });
const webhook = (payload: unknown): WebhookEvent<unknown> => ({ integration: 'i', channelId: 'c', tenantId: 't', headers: {}, query: {}, rawBody: Buffer.from(JSON.stringify(payload)), payload, receivedAt: 5 });
const msg = (id: string): NormalizedMessage => ({ id, platform: 'p', conversationId: 'c', from: { id: 'u' }, timestamp: 1, content: { type: 'text', text: 'x' } });
const status = async (p: Promise<unknown>) => { try { await p; return 0; } catch (e) { return (e as { code: number }).code; } };

describe('normalizeWebhook', () => {
  it('fills platform, accepts none, caps the count (400), rejects malformed messages', async () => {
    const noPlatform = { ...msg('a'), platform: '' };
    expect((await normalizeWebhook(() => [noPlatform], webhook({}), ch(), 'p', 5))[0].platform).toBe('p');
    expect(await normalizeWebhook(() => [], webhook({}), ch(), 'p', 5)).toEqual([]);
    expect(await status(normalizeWebhook(() => [msg('a'), msg('b')], webhook({}), ch(), 'p', 1))).toBe(400);
    await expect(normalizeWebhook(() => [{ ...msg('a'), timestamp: 'now' } as unknown as NormalizedMessage], webhook({}), ch(), 'p', 5)).rejects.toThrow(/timestamp/);
  });
});
