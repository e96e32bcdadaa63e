/** Unit tests — step 7: publish. */
import { PublishError } from '../../../src/errors';
import { messageId, publishMessages } from '../../../src/integration/inbound/publish';
import type { NormalizedMessage } from '../../../src/types';

const msg = (id: string): NormalizedMessage => ({ id, platform: 'p', conversationId: 'c', from: { id: 'u' }, timestamp: 1, content: { type: 'text', text: 'x' } });

describe('publishMessages', () => {
  const ctx = { integration: 'i', channelId: 'c', tenantId: 't', eventId: 'e', receivedAt: 1 };
  it('publishes in order with msg ids <integration>:<channel>:<event>:<index>', async () => {
    const sent: string[] = [];
    await publishMessages(async (_c, p, o) => { sent.push(`${o.msgID}/${p.message.id}`); }, 'ns.x', [msg('a'), msg('b')], ctx);
    expect(sent).toEqual(['i:c:e:0/a', 'i:c:e:1/b']);
    expect(messageId('i', 'c', 'e', 3)).toBe('i:c:e:3');
  });
  it('stops at the first failure with a PublishError (503) naming the msg id', async () => {
    let n = 0;
    const err = await publishMessages(async () => { if (n++ === 1) throw new Error('no ack'); }, 'x', [msg('a'), msg('b'), msg('c')], ctx).catch((e) => e);
    expect(err).toBeInstanceOf(PublishError);
    expect(err).toMatchObject({ code: 503, data: { msgID: 'i:c:e:1' } });
    expect(n).toBe(2);
  });
  it('starts at `progress.stored` (a resumed event) and counts each PubAck into it, also on a failure', async () => {
    const sent: string[] = [];
    const progress = { stored: 1 };
    await expect(publishMessages(async (_c, p, o) => { if (p.index === 2) throw new Error('no ack'); sent.push(o.msgID); }, 'x', [msg('a'), msg('b'), msg('c')], ctx, progress))
      .rejects.toMatchObject({ code: 503, data: { msgID: 'i:c:e:2', index: 2 } });
    expect(sent).toEqual(['i:c:e:1']);
    expect(progress.stored).toBe(2);
    await expect(publishMessages(async (_c, _p, o) => { sent.push(o.msgID); }, 'x', [msg('a'), msg('b'), msg('c')], ctx, progress)).resolves.toBe(3);
    expect(sent).toEqual(['i:c:e:1', 'i:c:e:2']);
    expect(progress.stored).toBe(3);
  });
  it('a publisher\'s own PublishError is passed on unchanged, and the count still says what was stored', async () => {
    const own = new PublishError('no PubAck within 5000 ms');
    const progress = { stored: 0 };
    let n = 0;
    await expect(publishMessages(async () => { if (n++ === 1) throw own; }, 'x', [msg('a'), msg('b')], ctx, progress)).rejects.toBe(own);
    expect(progress.stored).toBe(1);
  });
});
