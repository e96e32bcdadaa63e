/** Unit tests — the event id. */
import { resolveEventId } from '../../../src/integration/inbound/event-id';
import type { WebhookEvent } from '../../../src/types';

const webhook = (payload: unknown): WebhookEvent<unknown> => ({ integration: 'i', channelId: 'c', tenantId: 't', headers: {}, query: {}, rawBody: Buffer.from(JSON.stringify(payload)), payload, receivedAt: 5 });
const status = async (p: Promise<unknown>) => { try { await p; return 0; } catch (e) { return (e as { code: number }).code; } };

describe('resolveEventId', () => {
  it('hook first, then the scheme id, then a hash of the bytes', async () => {
    expect(await resolveEventId((w) => (w.payload as { id: number }).id, webhook({ id: 7 }), { valid: true, eventId: 'x' })).toBe('7');
    expect(await resolveEventId(undefined, webhook({}), { valid: true, eventId: 'msg_1' })).toBe('msg_1');
    expect(await resolveEventId(undefined, webhook({}), { valid: true })).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await resolveEventId(() => undefined, webhook({}), { valid: true, eventId: 'msg_2' })).toBe('msg_2');
    expect(await resolveEventId(() => null, webhook({}), { valid: true })).toMatch(/^sha256:/);
  });
  it('unusable ids or a throwing hook → 400', async () => {
    for (const v of ['', {}, NaN, true, 'x'.repeat(257)]) expect(await status(resolveEventId(() => v, webhook({}), { valid: true }))).toBe(400);
    expect(await status(resolveEventId(() => { throw new TypeError('no id'); }, webhook({}), { valid: true }))).toBe(400);
  });
});
