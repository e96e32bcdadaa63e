/** Meta's documented webhook payloads (test/fixtures/whatsapp, source in each file) → asserted NormalizedMessage fields. */
import { readdirSync } from 'node:fs';
import { normalizeWhatsApp, whatsappEventId } from '../../../src/platforms/whatsapp';
import { BadRequestError } from '../../../src/errors';
import { fixture, FIXTURES, webhookOf } from './fixtures';

const one = (name: string) => {
  const messages = normalizeWhatsApp(webhookOf(fixture(name).payload));
  expect(messages).toHaveLength(1);
  return messages[0];
};

describe('whatsapp normalize', () => {
  it('every fixture names its public source', () => {
    for (const file of readdirSync(FIXTURES)) {
      expect(fixture(file.replace(/\.json$/, '')).source).toMatch(/^https:\/\/developers\.facebook\.com\/documentation\/business-messaging\/whatsapp\//);
    }
  });

  it('text: wamid as id, wa_id as conversation, profile name, business number as `to`, seconds → ms', () => {
    const m = one('text-message');
    expect(m.id).toBe('wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=');
    expect(m.platform).toBe('whatsapp');
    expect(m.conversationId).toBe('16505551234');
    expect(m.from).toEqual({ id: '16505551234', name: 'Sheena Nelson' });
    expect(m.to).toEqual({ id: '106540352242922', name: '15550783881' });
    expect(m.timestamp).toBe(1749416383000);
    expect(m.content).toEqual({ type: 'text', text: 'Does it come in another color?' });
    expect(m.replyToId).toBeUndefined();
    expect(m.metadata).toMatchObject({ phoneNumberId: '106540352242922', wabaId: '102290129340398', type: 'text' });
  });

  it('a reply carries the quoted message as replyToId', () => {
    expect(one('text-reply').replyToId).toBe('wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI1RjQxNUQ2NjRDNzNERUJFNEYA');
  });

  it('image / video / document / sticker: kind, mediaId, mime, caption, file name', () => {
    expect(one('image-message').content).toEqual({ type: 'media', kind: 'image', mediaId: '1003383421387256', mimeType: 'image/jpeg', caption: 'Black jacket' });
    expect(one('video-message').content).toEqual({ type: 'media', kind: 'video', mediaId: '1214452623648271', mimeType: 'video/mp4', caption: 'Check out my new jacket!' });
    expect(one('document-message').content).toEqual({
      type: 'media', kind: 'document', mediaId: '1359789298568374', mimeType: 'application/pdf', caption: 'Lucky Shrub Invoice', fileName: 'lucky-shrub-invoice.pdf',
    });
    expect(one('sticker-message').content).toEqual({ type: 'media', kind: 'sticker', mediaId: '1207823364140474', mimeType: 'image/webp' });
  });

  it('a voice note is kind `voice`', () => {
    expect(one('audio-voice-message').content).toEqual({ type: 'media', kind: 'voice', mediaId: '1142004277402643', mimeType: 'audio/ogg; codecs=opus' });
  });

  it('location: coordinates, name, address; the url in metadata', () => {
    const m = one('location-message');
    expect(m.content).toEqual({ type: 'location', latitude: 37.44216251868683, longitude: -122.16153582049394, name: 'Philz Coffee', address: '101 Forest Hill Rd, Menlo Park, CA 94025' });
    expect(m.metadata?.url).toBe('https://philzcoffee.com/');
  });

  it('contacts: formatted name, phones, emails', () => {
    expect(one('contacts-message').content).toEqual({ type: 'contact', contacts: [{ name: 'Barbara J. Johnson', phones: ['+1 (650) 555-1234'], emails: ['bjohnson@luckyshrub.com'] }] });
  });

  it('interactive button_reply and list_reply → interactive_reply with the id the button was sent with', () => {
    const button = one('interactive-button-reply');
    expect(button.content).toEqual({ type: 'interactive_reply', replyId: 'cancel-button', title: 'Cancel' });
    expect(button.replyToId).toBe('wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=');
    const list = one('interactive-list-reply');
    expect(list.content).toEqual({ type: 'interactive_reply', replyId: 'priority_express', title: 'Priority Mail Express' });
    expect(list.metadata?.description).toBe('Next Day to 2 Days');
  });

  it('reaction → emoji on the target message (not a reply)', () => {
    const m = one('reaction-message');
    expect(m.content).toEqual({ type: 'reaction', emoji: '👍', targetMessageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3N0EyQUJERjQxNkM3QTVCOTEA' });
    expect(m.replyToId).toBeUndefined();
  });

  it('a removed reaction (no emoji) is an empty emoji', () => {
    const payload = fixture('reaction-message').payload;
    delete payload.entry![0].changes![0].value!.messages![0].reaction!.emoji;
    expect(normalizeWhatsApp(webhookOf(payload))[0].content).toMatchObject({ type: 'reaction', emoji: '' });
  });

  it('referral (Click to WhatsApp ad) is kept in metadata beside the text', () => {
    const m = one('referral-message');
    expect(m.content).toEqual({ type: 'text', text: 'Can I get more info about this?' });
    expect(m.metadata?.referral).toMatchObject({ source_type: 'ad', source_id: '120226305854810726', ctwa_clid: expect.any(String) });
  });

  it('an unsupported message is `unknown` with the raw object, its `errors` in metadata', () => {
    const m = one('unsupported-message');
    expect(m.content.type).toBe('unknown');
    expect((m.content as { raw: { unsupported: unknown } }).raw.unsupported).toEqual({ type: 'poll_update' });
    expect(m.metadata?.errors).toEqual([expect.objectContaining({ code: 131051, title: 'Message type unknown' })]);
  });

  it('a batch: every entry, every change, every message, in order, each with its own sender and number', () => {
    const messages = normalizeWhatsApp(webhookOf(fixture('batched').payload));
    expect(messages.map((m) => m.id)).toEqual(['wamid.BATCH-1', 'wamid.BATCH-2', 'wamid.BATCH-3']);
    expect(messages.map((m) => m.conversationId)).toEqual(['16505551234', '447700900123', '8613800138000']);
    expect(messages.map((m) => m.from.name)).toEqual(['Sheena Nelson', 'Ann Lee', 'Bo Chen']);
    expect(messages[2].to?.id).toBe('106540352242923');
  });

  it('statuses are not messages', () => {
    expect(normalizeWhatsApp(webhookOf(fixture('statuses').payload))).toEqual([]);
  });

  it('event id: the first message wamid; none for a status-only webhook (the SDK hashes the body)', () => {
    expect(whatsappEventId(webhookOf(fixture('batched').payload))).toBe('wamid.BATCH-1');
    expect(whatsappEventId(webhookOf(fixture('statuses').payload))).toBeUndefined();
  });

  it('a message without an id, or a timestamp that is not Unix seconds → 400 naming the field', () => {
    const noId = fixture('text-message').payload;
    delete (noId.entry![0].changes![0].value!.messages![0] as { id?: string }).id;
    expect(() => normalizeWhatsApp(webhookOf(noId))).toThrow(BadRequestError);
    for (const ts of ['abc', '1e9', '-1', '', '0x10', '1234567890123']) {
      const bad = fixture('text-message').payload;
      bad.entry![0].changes![0].value!.messages![0].timestamp = ts;
      expect(() => normalizeWhatsApp(webhookOf(bad))).toThrow(/timestamp must be Unix seconds/);
    }
  });

  it('a body that is not a WhatsApp batch carries no messages', () => {
    expect(normalizeWhatsApp(webhookOf({ object: 'page' }))).toEqual([]);
    expect(normalizeWhatsApp(webhookOf({ object: 'x', entry: [{ id: '1', changes: [{ field: 'messages' }] }] }))).toEqual([]);
  });
});
