import { claimKey, DONE, replay } from '../../../../src/integration/outbound/send/claim-key';
import { MemoryStore } from '../../../../src/store';

const idem = { ttlMs: 60_000, claimTtlMs: 5_000, waitMs: 200, pollMs: 5 };

describe('claimKey', () => {
  it('claims a free key, taking the first token with it', async () => {
    const store = new MemoryStore();
    const claim = await claimKey(store, 'k', 'key', idem, [{ key: 'b', capacity: 2, refillPerSecond: 1 }]);
    expect(claim).toMatchObject({ status: 'claimed', pending: expect.stringMatching(/^pending:/), token: { allowed: true, remaining: 1 } });
    expect(await store.get('k')).toBe(claim.status === 'claimed' ? claim.pending : '');
  });

  it('without buckets, no token', async () => {
    expect(await claimKey(new MemoryStore(), 'k', 'key', idem)).toEqual({ status: 'claimed', pending: expect.any(String) });
  });

  it('a finished key answers its outcome, and takes no token', async () => {
    const store = new MemoryStore();
    await store.set('k', `${DONE}${JSON.stringify({ status: 'sent', messageId: 'm1', attempts: 2 })}`);
    const bucket = { key: 'b', capacity: 1, refillPerSecond: 1 };
    expect(await claimKey(store, 'k', 'key', idem, [bucket])).toEqual({ status: 'duplicate', outcome: { status: 'sent', messageId: 'm1', attempts: 2 } });
    expect((await store.takeTokens([bucket])).allowed).toBe(true);
  });

  it('waits for a send in flight, then answers its outcome', async () => {
    const store = new MemoryStore();
    await store.set('k', 'pending:other', 5_000);
    setTimeout(() => void store.set('k', `${DONE}${JSON.stringify({ status: 'sent', messageId: 'm2', attempts: 1 })}`), 20);
    expect(await claimKey(store, 'k', 'key', idem)).toMatchObject({ status: 'duplicate', outcome: { messageId: 'm2' } });
  });

  it('a send in flight past waitMs → 409; a released key is claimed', async () => {
    const store = new MemoryStore();
    await store.set('k', 'pending:other', 5_000);
    await expect(claimKey(store, 'k', 'key', { ...idem, waitMs: 30 })).rejects.toMatchObject({ code: 409, type: 'CONFLICT' });
    setTimeout(() => void store.delete('k'), 10);
    expect(await claimKey(store, 'k', 'key', idem)).toMatchObject({ status: 'claimed' });
  });
});

describe('replay', () => {
  it('a sent outcome is the answer; an ambiguous one is an AmbiguousSendError, not resent', () => {
    expect(replay({ status: 'sent', messageId: 'm', metadata: { a: 1 }, attempts: 1 }, 'k')).toEqual({ messageId: 'm', metadata: { a: 1 }, attempts: 1 });
    expect(() => replay({ status: 'ambiguous', message: 'timeout', attempts: 3 }, 'k')).toThrow(expect.objectContaining({ type: 'SEND_AMBIGUOUS', data: { attempts: 3, replayed: true } }));
  });
});
