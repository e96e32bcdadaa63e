import { announce } from '../../../../src/integration/outbound/send/announce';
import { pipeline } from './helpers';

describe('announce', () => {
  it('publishes with the msg id and resolves once stored', async () => {
    const p = pipeline();
    await announce(p, 'ns.sent', { a: 1 }, 'tg:c1:sent:k');
    expect(p.events).toEqual([{ channel: 'ns.sent', payload: { a: 1 }, msgID: 'tg:c1:sent:k' }]);
  });

  it('never rejects: an event that cannot be stored goes to the outbox and is counted', async () => {
    const p = pipeline({ publish: async () => { throw new Error('no stream'); } }, { eventPublishAttempts: 1 });
    await expect(announce(p, 'ns.sent', { a: 1 }, 'm1')).resolves.toBeUndefined();
    expect(p.outbox.size).toBe(1);
    expect(p.counters.eventsDeferred).toBe(1);
    await p.outbox.close();
  });
});
