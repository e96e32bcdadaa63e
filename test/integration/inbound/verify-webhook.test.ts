/** Unit tests — GET challenges (Meta). */
import { metaChallenge } from '../../../src/integration/inbound/verify-webhook';
import type { IntegrationConfig } from '../../../src/types';

const ch = (o: Partial<IntegrationConfig> = {}): IntegrationConfig => ({ id: 'c', tenantId: 't', platform: 'p', credentials: {}, secrets: ['s'], settings: {}, status: 'active', ...o });

describe('metaChallenge', () => {
  const q = (query: Record<string, string>) => ({ channelId: 'c', query, headers: {} });
  it('answers the challenge with the right token; 403 wrong/unset token; 400 no challenge', () => {
    const channel = ch({ settings: { verifyToken: 'tok' } });
    expect(metaChallenge(q({ 'hub.mode': 'subscribe', 'hub.verify_token': 'tok', 'hub.challenge': '42' }), channel)).toBe('42');
    expect(() => metaChallenge(q({ 'hub.mode': 'subscribe', 'hub.verify_token': 'tak', 'hub.challenge': '42' }), channel)).toThrow(expect.objectContaining({ code: 403 }));
    expect(() => metaChallenge(q({ 'hub.mode': 'subscribe', 'hub.verify_token': '', 'hub.challenge': '42' }), ch())).toThrow(expect.objectContaining({ code: 403 }));
    expect(() => metaChallenge(q({ 'hub.mode': 'unsubscribe', 'hub.verify_token': 'tok', 'hub.challenge': '42' }), channel)).toThrow(expect.objectContaining({ code: 400 }));
  });
});
