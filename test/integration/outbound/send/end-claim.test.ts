import { DONE } from '../../../../src/integration/outbound/send/claim-key';
import { endClaim } from '../../../../src/integration/outbound/send/end-claim';
import { MemoryStore } from '../../../../src/store';

describe('endClaim', () => {
  it('remembers a sent message for the TTL', async () => {
    const store = new MemoryStore();
    await store.set('k', 'pending:me', 1_000);
    await endClaim(store, 'k', 'pending:me', 60_000, { status: 'sent', messageId: 'm', attempts: 1 });
    expect(await store.get('k')).toBe(`${DONE}{"status":"sent","messageId":"m","attempts":1}`);
    expect(await store.ttl('k')).toBeGreaterThan(50_000);
  });

  it('a sent message is remembered even when the claim expired meanwhile; an ambiguous one only over its own claim', async () => {
    const store = new MemoryStore();
    await endClaim(store, 'k', 'pending:me', 60_000, { status: 'sent', messageId: 'm', attempts: 1 });
    expect(await store.get('k')).toMatch(/^done:/);
    await endClaim(store, 'a', 'pending:me', 60_000, { status: 'ambiguous', message: 'timeout', attempts: 2 });
    expect(await store.get('a')).toBeNull();
    await store.set('a', 'pending:me', 1_000);
    await endClaim(store, 'a', 'pending:me', 60_000, { status: 'ambiguous', message: 'timeout', attempts: 2 });
    expect(await store.get('a')).toBe(`${DONE}{"status":"ambiguous","message":"timeout","attempts":2}`);
  });

  it('a definite failure frees the key, only if still ours', async () => {
    const store = new MemoryStore();
    await store.set('k', 'pending:other', 1_000);
    await endClaim(store, 'k', 'pending:me', 60_000, { status: 'failed' });
    expect(await store.get('k')).toBe('pending:other');
    await endClaim(store, 'k', 'pending:other', 60_000, { status: 'failed' });
    expect(await store.get('k')).toBeNull();
  });

  it('never rejects when the store is down', async () => {
    const store = new MemoryStore();
    store.replaceIfEquals = async () => { throw new Error('ECONNREFUSED'); };
    store.deleteIfEquals = async () => { throw new Error('ECONNREFUSED'); };
    await expect(endClaim(store, 'k', 'p', 1, { status: 'sent', messageId: 'm', attempts: 1 })).resolves.toBeUndefined();
    await expect(endClaim(store, 'k', 'p', 1, { status: 'failed' })).resolves.toBeUndefined();
  });
});
