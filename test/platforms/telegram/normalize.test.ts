/** Every fixture under test/fixtures/telegram/ (shapes from Telegram's Bot API docs, source in each file) normalized to asserted fields. */
import fc from 'fast-check';
import { isUpdate, normalizeUpdate } from '../../../src/platforms/telegram/normalize';
import type { TelegramUpdate } from '../../../src/platforms/telegram/types';
import { fixture } from './helpers';

const RECEIVED_AT = 1_700_000_999_000;
const one = (name: string) => {
  const messages = normalizeUpdate(fixture(name), RECEIVED_AT);
  expect(messages).toHaveLength(1);
  return messages[0]!;
};

describe('Telegram updates → NormalizedMessage', () => {
  it('every fixture cites its source', () => {
    for (const name of ['text-message', 'command', 'reply', 'edited-message', 'channel-post', 'edited-channel-post', 'callback-query', 'photo', 'document', 'voice', 'video', 'sticker', 'location', 'venue', 'contact', 'forum-topic', 'message-reaction', 'my-chat-member', 'media-group', 'bot-api-answers']) {
      expect(fixture<{ _source: string }>(`${name}.json`)._source).toMatch(/^https:\/\/core\.telegram\.org\/bots\//);
    }
  });

  it('text message: id, chat, sender, time (s → ms), text', () => {
    const m = one('text-message.json');
    expect(m).toMatchObject({
      id: '1365', platform: 'telegram', conversationId: '1111111', timestamp: 1441645532000,
      from: { id: '1111111', name: 'Test Test Lastname' }, content: { type: 'text', text: 'Hello, is anyone there?' },
      metadata: { updateType: 'message', chatType: 'private', messageId: 1365 },
    });
    expect(m.replyToId).toBeUndefined();
    expect(m.threadId).toBeUndefined();
  });

  it('bot command: command without the slash or @bot, the rest as text', () => {
    expect(one('command.json').content).toEqual({ type: 'command', command: 'start', text: 'welcome-campaign' });
  });

  it('reply: replyToId is the answered message id', () => {
    const m = one('reply.json');
    expect(m.replyToId).toBe('1334');
    expect(m.content).toEqual({ type: 'text', text: 'Reply text' });
  });

  it('edited message: an edit of the original id carrying the new content, timed at the edit', () => {
    const m = one('edited-message.json');
    expect(m.content).toEqual({ type: 'edit', targetMessageId: '1365', content: { type: 'text', text: 'Edited text' } });
    expect(m.id).toBe('1365@1441646600');
    expect(m.timestamp).toBe(1441646600000);
    expect(m.metadata).toMatchObject({ updateType: 'edited_message', editDate: 1441646600 });
  });

  it('channel post and its edit: sent by the channel (sender_chat)', () => {
    const post = one('channel-post.json');
    expect(post).toMatchObject({ id: '77', conversationId: '-1009876543210', from: { id: '-1009876543210', name: 'Switchboard News' }, content: { type: 'text', text: 'Release 2.0 is out' }, metadata: { updateType: 'channel_post', chatType: 'channel' } });
    const edit = one('edited-channel-post.json');
    expect(edit.content).toEqual({ type: 'edit', targetMessageId: '77', content: { type: 'text', text: 'Release 2.0.1 is out' } });
    expect(edit.metadata).toMatchObject({ updateType: 'edited_channel_post' });
  });

  it('callback query: interactive_reply with the button id and title, in the chat of the message it was under', () => {
    const m = one('callback-query.json');
    expect(m).toMatchObject({
      id: '4382bfdwdsb323b2d9', conversationId: '1111111', from: { id: '1111111' }, replyToId: '1400', timestamp: RECEIVED_AT,
      content: { type: 'interactive_reply', replyId: 'order:confirm', title: 'Yes, confirm' },
      metadata: { updateType: 'callback_query', callbackQueryId: '4382bfdwdsb323b2d9', chatInstance: '-8211975538282946011' },
    });
  });

  it('photo: the largest size, with caption and size', () => {
    expect(one('photo.json').content).toEqual({ type: 'media', kind: 'image', mediaId: 'AgACAgIAAxkBAAIBZ2Vv-large', caption: 'Receipt for order 981', size: 81234 });
  });

  it('document, voice, video, sticker: kind, file id, mime type, name, size', () => {
    expect(one('document.json').content).toEqual({ type: 'media', kind: 'document', mediaId: 'AwADBAADbXXXXXXXXXXXGBdhD2l6_XX', mimeType: 'application/pdf', fileName: 'Testfile.pdf', size: 536392 });
    expect(one('voice.json').content).toEqual({ type: 'media', kind: 'voice', mediaId: 'AwADBAADbXXXXXXXXXXXGBdhD2l6_XX', mimeType: 'audio/ogg', size: 23000 });
    expect(one('video.json').content).toEqual({ type: 'media', kind: 'video', mediaId: 'BAACAgIAAxkBAAIBvideo', mimeType: 'video/mp4', caption: 'Unboxing', size: 1048576 });
    const sticker = one('sticker.json');
    expect(sticker.content).toEqual({ type: 'media', kind: 'sticker', mediaId: 'CAACAgIAAxkBAAIBsticker', size: 20480 });
    expect(sticker.metadata).toMatchObject({ emoji: '\u{1F44D}' });
  });

  it('location, venue and contact', () => {
    expect(one('location.json').content).toEqual({ type: 'location', latitude: 52.520008, longitude: 13.404954 });
    expect(one('venue.json').content).toEqual({ type: 'location', latitude: 48.85837, longitude: 2.294481, name: 'Eiffel Tower', address: 'Champ de Mars, 5 Av. Anatole France, Paris' });
    expect(one('contact.json').content).toEqual({ type: 'contact', contacts: [{ name: 'Ann Example', phones: ['+15555550123'] }] });
  });

  it('forum topic: threadId is the topic', () => {
    const m = one('forum-topic.json');
    expect(m).toMatchObject({ threadId: '900', conversationId: '-1001234567890', metadata: { chatType: 'supergroup' } });
  });

  it('reaction: the emoji on the target message', () => {
    const m = one('message-reaction.json');
    expect(m).toMatchObject({ id: 'reaction:10016', conversationId: '1111111', from: { id: '1111111' }, content: { type: 'reaction', emoji: '\u{1F44D}', targetMessageId: '1365' } });
  });

  it('media group: one message per update, sharing mediaGroupId in metadata', () => {
    const { updates } = fixture<{ updates: TelegramUpdate[] }>('media-group.json');
    const messages = updates.flatMap((u) => normalizeUpdate(u, RECEIVED_AT));
    expect(messages.map((m) => m.id)).toEqual(['1500', '1501']);
    expect(messages.map((m) => m.metadata?.mediaGroupId)).toEqual(['13591234567890123', '13591234567890123']);
    expect(messages[0]!.content).toMatchObject({ type: 'media', kind: 'image', caption: 'Our trip' });
  });

  it('an update without a message (my_chat_member) carries none', () => {
    expect(normalizeUpdate(fixture('my-chat-member.json'), RECEIVED_AT)).toEqual([]);
  });

  it('isUpdate: an object with an integer update_id', () => {
    expect(isUpdate(fixture('text-message.json'))).toBe(true);
    for (const bad of [null, [], 'x', {}, { update_id: '1' }, { update_id: 1.5 }]) expect(isUpdate(bad)).toBe(false);
  });
});

describe('malformed updates are a 400, never a crash (Telegram would retry a 500 forever)', () => {
  const names = ['text-message', 'command', 'reply', 'edited-message', 'channel-post', 'callback-query', 'photo', 'document', 'voice', 'video', 'sticker', 'location', 'venue', 'contact', 'forum-topic', 'message-reaction'];
  const outcome = (update: unknown) => {
    try {
      const messages = normalizeUpdate(update as TelegramUpdate, RECEIVED_AT);
      for (const m of messages) {
        expect(typeof m.id).toBe('string');
        expect(typeof m.conversationId).toBe('string');
        expect(typeof m.from.id).toBe('string');
        expect(Number.isFinite(m.timestamp)).toBe(true);
      }
      return 'ok';
    } catch (err) {
      expect(err).toMatchObject({ code: 400, message: expect.stringContaining('not a valid Telegram update') });
      return 'bad';
    }
  };

  it('examples: a message without chat, a photo list of strings, a callback without from', () => {
    expect(outcome({ update_id: 1, message: { message_id: 1, date: 1, text: 'x' } })).toBe('bad');
    expect(outcome({ update_id: 1, message: { message_id: 1, date: 1, chat: { id: 1, type: 'private' }, photo: ['a'] } })).toBe('bad');
    expect(outcome({ update_id: 1, callback_query: { id: 'q', data: 'x', chat_instance: '1' } })).toBe('bad');
    const edited = fixture('edited-message.json');
    expect(outcome({ ...edited, edited_message: { ...edited.edited_message!, edit_date: 'later' } })).toBe('bad');
    expect(outcome(fixture('text-message.json'))).toBe('ok');
  });

  it('display fields that are not text read as absent (a CI run found `{"toString": ""}` as first_name crashing the join)', () => {
    const hostile = { toString: '' };
    const text = fixture('text-message.json');
    const named = { ...text, message: { ...text.message!, from: { ...text.message!.from!, first_name: hostile, last_name: 7, username: ['x'] } } };
    expect(outcome(named)).toBe('ok');
    expect(normalizeUpdate(named as never, RECEIVED_AT)[0]!.from).toEqual({ id: String(text.message!.from!.id) });
    const post = fixture('channel-post.json');
    expect(outcome({ ...post, channel_post: { ...post.channel_post!, chat: { ...post.channel_post!.chat, title: hostile } } })).toBe('ok');
    const command = fixture('command.json');
    const entities = command.message!.entities!.map((e) => ({ ...e, length: hostile }));
    expect(outcome({ ...command, message: { ...command.message!, entities } })).toBe('ok');
    const contact = fixture('contact.json');
    expect(outcome({ ...contact, message: { ...contact.message!, contact: { ...contact.message!.contact!, first_name: hostile } } })).toBe('ok');
  });

  it('property: any fixture with any field (of the update\'s object, or one nested in it) replaced by any JSON value → messages with the required fields, or a 400', () => {
    fc.assert(fc.property(fc.constantFrom(...names), fc.nat(), fc.nat(), fc.option(fc.string({ maxLength: 12 })), fc.jsonValue({ maxDepth: 3 }), (name, pick, depth, newKey, value) => {
      const update = fixture<Record<string, unknown>>(`${name}.json`);
      // walk down `depth % 3` levels of nested objects, then replace one key (or add `newKey`)
      let target = update[Object.keys(update).find((k) => k !== '_source' && k !== 'update_id')!] as Record<string, unknown>;
      for (let d = 0; d < depth % 3; d++) {
        const nested = Object.values(target).filter((v): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v));
        if (nested.length === 0) break;
        target = nested[pick % nested.length]!;
      }
      const keys = Object.keys(target);
      target[newKey ?? keys[pick % keys.length]!] = value;
      outcome(update);
    }), { numRuns: 3000 });
  });
});
