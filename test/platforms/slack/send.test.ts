/** Outbound messages → the Slack Web API call and body; `ok:false` answers → typed, classified errors. */
import { classifyFailure, retryAfterFromError } from '../../../src/retry';
import { sentMessageId, slackCall, throwSlackError } from '../../../src/platforms/slack';

const thrown = (fn: () => unknown): unknown => { try { fn(); } catch (err) { return err; } throw new Error('did not throw'); };

describe('slackCall', () => {
  it('text → chat.postMessage; threadId (or replyToId) → thread_ts', () => {
    expect(slackCall({ conversationId: 'C1', content: { type: 'text', text: 'hi' } })).toEqual({ method: 'chat.postMessage', body: { channel: 'C1', text: 'hi' } });
    expect(slackCall({ conversationId: 'C1', threadId: '1.2', content: { type: 'text', text: 'hi' } }).body).toEqual({ channel: 'C1', text: 'hi', thread_ts: '1.2' });
    expect(slackCall({ conversationId: 'C1', replyToId: '3.4', content: { type: 'text', text: 'hi' } }).body.thread_ts).toBe('3.4');
  });

  it('interactive buttons → Block Kit actions whose values come back as replyId', () => {
    const call = slackCall({ conversationId: 'C1', content: { type: 'interactive', text: 'Pick', buttons: [{ id: 'yes', title: 'Yes' }, { id: 'no', title: 'No' }] } });
    expect(call.body.text).toBe('Pick');
    const blocks = call.body.blocks as Array<{ type: string; elements?: Array<{ value: string; action_id: string }> }>;
    expect(blocks.map((b) => b.type)).toEqual(['section', 'actions']);
    expect(blocks[1].elements!.map((e) => e.value)).toEqual(['yes', 'no']);
  });

  it('reaction → reactions.add (colons stripped); edit → chat.update; delete → chat.delete', () => {
    expect(slackCall({ conversationId: 'C1', content: { type: 'reaction', emoji: ':thumbsup:', targetMessageId: '1.1' } }))
      .toEqual({ method: 'reactions.add', body: { channel: 'C1', timestamp: '1.1', name: 'thumbsup' } });
    expect(slackCall({ conversationId: 'C1', content: { type: 'edit', targetMessageId: '1.1', content: { type: 'text', text: 'new' } } }))
      .toEqual({ method: 'chat.update', body: { channel: 'C1', ts: '1.1', text: 'new' } });
    expect(slackCall({ conversationId: 'C1', content: { type: 'delete', targetMessageId: '1.1' } })).toEqual({ method: 'chat.delete', body: { channel: 'C1', ts: '1.1' } });
  });

  it('an image by url → an image block; content Slack cannot take → 400 naming the field', () => {
    const call = slackCall({ conversationId: 'C1', content: { type: 'media', kind: 'image', url: 'https://x.test/a.png', caption: 'A' } });
    expect(call.body.blocks).toEqual([{ type: 'image', image_url: 'https://x.test/a.png', alt_text: 'A' }]);
    const err = thrown(() => slackCall({ conversationId: 'C1', content: { type: 'template', name: 't', language: 'en' } })) as { code: number; message: string };
    expect(err.code).toBe(400);
    expect(err.message).toContain('template');
    expect((thrown(() => slackCall({ conversationId: 'C1', content: { type: 'media', kind: 'document', mediaId: 'F1' } })) as { code: number }).code).toBe(400);
  });

  it('the message id: the answer ts, else the target message', () => {
    expect(sentMessageId({ method: 'chat.postMessage', body: {} }, { ts: '9.9' })).toBe('9.9');
    expect(sentMessageId({ method: 'reactions.add', body: { timestamp: '1.1' } }, {})).toBe('1.1');
  });
});

describe('throwSlackError', () => {
  const headers = (h: Record<string, string> = {}) => new Headers(h);
  it('ratelimited → retryable 429 with the Retry-After wait (default 1 s)', () => {
    const err = thrown(() => throwSlackError('chat.postMessage', { error: 'ratelimited' }, headers({ 'retry-after': '7' })));
    expect(classifyFailure(err)).toBe('retryable');
    expect(retryAfterFromError(err)).toBe(7000);
    expect(retryAfterFromError(thrown(() => throwSlackError('chat.postMessage', { error: 'ratelimited' }, headers())))).toBe(1000);
  });
  it('permanent errors are fatal and carry the Slack code; auth errors too; Slack\'s own trouble is retried', () => {
    for (const code of ['channel_not_found', 'not_in_channel', 'is_archived', 'invalid_auth', 'token_revoked']) {
      const err = thrown(() => throwSlackError('chat.postMessage', { error: code }, headers())) as { data: { platformCode: string } };
      expect(classifyFailure(err)).toBe('fatal');
      expect(err.data.platformCode).toBe(code);
    }
    expect(classifyFailure(thrown(() => throwSlackError('chat.postMessage', { error: 'internal_error' }, headers())))).toBe('retryable');
  });
});
