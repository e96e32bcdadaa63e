/** OutboundMessage → the Graph API request body (Meta's documented shapes), and what cannot be sent. */
import { BadRequestError } from '../../../src/errors';
import { graphMessageBody, whatsappApi, windowTemplateContent } from '../../../src/platforms/whatsapp';
import type { IntegrationConfig, OutboundMessage } from '../../../src/types';

const to = '16505551234';
const send = (content: OutboundMessage['content'], extra: Partial<OutboundMessage> = {}) => graphMessageBody({ conversationId: to, content, ...extra });
const envelope = { messaging_product: 'whatsapp', recipient_type: 'individual', to };

describe('whatsapp send bodies', () => {
  it('text: preview_url on when the text has a link (or as metadata.previewUrl says)', () => {
    expect(send({ type: 'text', text: 'hi' })).toEqual({ ...envelope, type: 'text', text: { body: 'hi', preview_url: false } });
    expect(send({ type: 'text', text: 'see https://example.com' })).toMatchObject({ text: { preview_url: true } });
    expect(send({ type: 'text', text: 'see https://example.com' }, { metadata: { previewUrl: false } })).toMatchObject({ text: { preview_url: false } });
  });

  it('a reply carries context.message_id', () => {
    expect(send({ type: 'text', text: 'yes' }, { replyToId: 'wamid.X' })).toMatchObject({ context: { message_id: 'wamid.X' } });
  });

  it('media by id or by link, caption and filename where Meta takes them; voice → audio', () => {
    expect(send({ type: 'media', kind: 'image', mediaId: '123', caption: 'c' })).toEqual({ ...envelope, type: 'image', image: { id: '123', caption: 'c' } });
    expect(send({ type: 'media', kind: 'document', url: 'https://x.test/a.pdf', caption: 'inv', fileName: 'a.pdf' }))
      .toEqual({ ...envelope, type: 'document', document: { link: 'https://x.test/a.pdf', caption: 'inv', filename: 'a.pdf' } });
    expect(send({ type: 'media', kind: 'voice', mediaId: '9', caption: 'ignored' })).toEqual({ ...envelope, type: 'audio', audio: { id: '9' } });
    expect(send({ type: 'media', kind: 'sticker', mediaId: '7' })).toEqual({ ...envelope, type: 'sticker', sticker: { id: '7' } });
    expect(() => send({ type: 'media', kind: 'image' })).toThrow(BadRequestError);
  });

  it('location, contacts, reaction', () => {
    expect(send({ type: 'location', latitude: 1.5, longitude: -2, name: 'Cafe', address: 'Main St' }))
      .toEqual({ ...envelope, type: 'location', location: { latitude: 1.5, longitude: -2, name: 'Cafe', address: 'Main St' } });
    expect(send({ type: 'contact', contacts: [{ name: 'Ann', phones: ['+1 555'], emails: ['a@x.test'] }] })).toEqual({
      ...envelope, type: 'contacts', contacts: [{ name: { formatted_name: 'Ann', first_name: 'Ann' }, phones: [{ phone: '+1 555' }], emails: [{ email: 'a@x.test' }] }],
    });
    expect(send({ type: 'reaction', emoji: '👍', targetMessageId: 'wamid.T' }, { replyToId: 'wamid.T' }))
      .toEqual({ ...envelope, type: 'reaction', reaction: { message_id: 'wamid.T', emoji: '👍' } });
  });

  it('template: name, language code, components', () => {
    const components = [{ type: 'body', parameters: [{ type: 'text', text: 'Ann' }] }];
    expect(send({ type: 'template', name: 'order_update', language: 'en_US', components }))
      .toEqual({ ...envelope, type: 'template', template: { name: 'order_update', language: { code: 'en_US' }, components } });
    expect(windowTemplateContent({ name: 'hello_world', language: 'en_US' })).toEqual({ type: 'template', name: 'hello_world', language: 'en_US' });
  });

  it('interactive buttons and list', () => {
    expect(send({ type: 'interactive', text: 'Pick', header: 'H', footer: 'F', buttons: [{ id: 'yes', title: 'Yes' }, { id: 'no', title: 'No' }] })).toEqual({
      ...envelope, type: 'interactive',
      interactive: {
        type: 'button', header: { type: 'text', text: 'H' }, body: { text: 'Pick' }, footer: { text: 'F' },
        action: { buttons: [{ type: 'reply', reply: { id: 'yes', title: 'Yes' } }, { type: 'reply', reply: { id: 'no', title: 'No' } }] },
      },
    });
    expect(send({ type: 'interactive', text: 'Ship', list: { button: 'Options', sections: [{ title: 'Fast', rows: [{ id: 'px', title: 'Express', description: '1 day' }] }] } })).toEqual({
      ...envelope, type: 'interactive',
      interactive: { type: 'list', body: { text: 'Ship' }, action: { button: 'Options', sections: [{ title: 'Fast', rows: [{ id: 'px', title: 'Express', description: '1 day' }] }] } },
    });
    const four = [1, 2, 3, 4].map((i) => ({ id: `b${i}`, title: `B${i}` }));
    expect(() => send({ type: 'interactive', text: 'x', buttons: four })).toThrow(/1-3 reply buttons/);
    expect(() => send({ type: 'interactive', text: 'x' })).toThrow(BadRequestError);
  });

  it('typing, edit, delete, command, interactive_reply, unknown cannot be sent (400)', () => {
    for (const content of [
      { type: 'typing' }, { type: 'edit', targetMessageId: 'a', content: { type: 'text', text: 'b' } }, { type: 'delete', targetMessageId: 'a' },
      { type: 'command', command: 'start', text: '' }, { type: 'interactive_reply', replyId: 'x' }, { type: 'unknown', raw: {} },
    ] as OutboundMessage['content'][]) {
      expect(() => send(content)).toThrow(BadRequestError);
    }
  });
});

describe('whatsapp channel settings', () => {
  const channel = (credentials: Record<string, unknown>, settings: Record<string, unknown> = {}): IntegrationConfig =>
    ({ id: 'wa1', tenantId: 't', platform: 'whatsapp', credentials, secrets: ['s'], settings, status: 'active' });

  it('defaults: graph.facebook.com, v21.0; apiBaseUrl is an origin (a path is dropped)', () => {
    expect(whatsappApi(channel({ accessToken: 'T', phoneNumberId: '106540352242922' })).base).toBe('https://graph.facebook.com/v21.0');
    expect(whatsappApi(channel({ accessToken: 'T', phoneNumberId: '1' }, { apiBaseUrl: 'http://127.0.0.1:4010/ignored', apiVersion: 'v19.0' })).base).toBe('http://127.0.0.1:4010/v19.0');
  });

  it('a missing or malformed field is a ConfigError naming it', () => {
    expect(() => whatsappApi(channel({ phoneNumberId: '1' }))).toThrow(/credentials\.accessToken/);
    expect(() => whatsappApi(channel({ accessToken: 'T', phoneNumberId: '+1 555' }))).toThrow(/credentials\.phoneNumberId/);
    expect(() => whatsappApi(channel({ accessToken: 'T', phoneNumberId: '1' }, { apiVersion: '21' }))).toThrow(/settings\.apiVersion/);
    expect(() => whatsappApi(channel({ accessToken: 'T', phoneNumberId: '1' }, { apiBaseUrl: 'ftp://x' }))).toThrow(/settings\.apiBaseUrl/);
    expect(() => whatsappApi(channel({ accessToken: 'T', phoneNumberId: '1' }, { windowTemplate: { name: 'x' } }))).toThrow(/settings\.windowTemplate/);
  });
});
