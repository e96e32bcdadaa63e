import { PlatformError } from '../../../../src/errors';
import { deliver, refused } from '../../../../src/integration/outbound/send/deliver';
import { channel, message, pipeline } from './helpers';

describe('deliver', () => {
  it('transforms, sends with the key on every attempt, answers the message and the attempts', async () => {
    const keys: string[] = [];
    let calls = 0;
    const p = pipeline({
      transform: (m) => ({ ...m, conversationId: `${m.conversationId}!` }),
      send: async (m, _c, attempt) => {
        keys.push(attempt.idempotencyKey);
        if (++calls === 1) throw new PlatformError('busy', { status: 503 });
        return { messageId: `id-${m.conversationId}`, metadata: { n: 1 } };
      },
    });
    expect(await deliver(p, channel(), message, 'key-1')).toEqual({ ok: true, messageId: 'id-x!', metadata: { n: 1 }, attempts: 2 });
    expect(keys).toEqual(['key-1', 'key-1']);
  });

  it('never rejects: a failure comes back with its error (untouched) and attempts', async () => {
    const error = new PlatformError('bad request', { status: 400 });
    const p = pipeline({ send: async () => { throw error; } });
    const out = await deliver(p, channel(), message, 'k');
    expect(out).toEqual({ ok: false, error, attempts: 1 });
    const exhausted = await deliver(pipeline({ send: async () => { throw new PlatformError('down', { status: 503 }); } }, { retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 } }), channel(), message, 'k');
    expect(exhausted).toMatchObject({ ok: false, attempts: 3 });
  });

  it('a transform failure is a failure before any attempt', async () => {
    const p = pipeline({ transform: () => { throw new Error('no'); } });
    expect(await deliver(p, channel(), message, 'k')).toMatchObject({ ok: false, attempts: 0 });
    expect(refused('x')).toEqual({ ok: false, error: 'x', attempts: 0 });
  });
});
