/** Property: whatever JSON a signed webhook carries, normalize and statuses answer or throw a 400 — never a TypeError (500). */
import fc from 'fast-check';
import { BadRequestError } from '../../../src/errors';
import { normalizeWhatsApp, whatsappEventId, whatsappStatuses, type WhatsAppWebhookBody } from '../../../src/platforms/whatsapp';
import { fixture, webhookOf } from './fixtures';

const json = fc.jsonValue({ maxDepth: 6 });
/** Meta's shape with any value at any level: the realistic way a payload goes wrong. */
const shaped = fc.record({
  object: json,
  entry: fc.oneof(json, fc.array(fc.oneof(json, fc.record({
    id: json,
    changes: fc.oneof(json, fc.array(fc.oneof(json, fc.record({
      field: json,
      value: fc.oneof(json, fc.record({
        metadata: json, contacts: fc.oneof(json, fc.array(json)),
        messages: fc.oneof(json, fc.array(fc.oneof(json, fc.record({ id: json, from: json, timestamp: json, type: json, text: json, image: json, interactive: json, reaction: json, location: json, contacts: json, context: json, button: json })))),
        statuses: fc.oneof(json, fc.array(fc.oneof(json, fc.record({ id: json, status: json, timestamp: json, errors: json, recipient_id: json })))),
      }, { requiredKeys: [] })),
    }, { requiredKeys: [] })))),
  }, { requiredKeys: [] })))),
}, { requiredKeys: [] });

const TYPES = ['text', 'image', 'audio', 'video', 'document', 'sticker', 'location', 'contacts', 'interactive', 'button', 'reaction', 'unsupported', 'order'];
/** Messages that pass the id/from/type checks, with anything in every other field. */
const plausibleMessage = fc.record({
  id: fc.string({ minLength: 1 }), from: fc.string({ minLength: 1 }), type: fc.constantFrom(...TYPES), timestamp: fc.constantFrom('1749416383', '17494163830000000', 'x'),
  text: json, image: json, audio: json, video: json, document: json, sticker: json, location: json, contacts: json, interactive: json,
  button: json, reaction: json, context: json, referral: json, errors: json,
}, { requiredKeys: ['id', 'from', 'type', 'timestamp'] });
const plausible = fc.record({
  object: fc.constant('whatsapp_business_account'),
  entry: fc.array(fc.record({ id: json, changes: fc.array(fc.record({ field: fc.constant('messages'), value: fc.record({
    metadata: json, contacts: json, messages: fc.array(plausibleMessage, { maxLength: 3 }),
    statuses: fc.array(fc.record({ id: fc.string({ minLength: 1 }), status: fc.constantFrom('sent', 'delivered', 'read', 'failed'), timestamp: fc.constantFrom('1', 'x'), errors: json, recipient_id: json, conversation: json, pricing: json }), { maxLength: 3 }),
  }) }), { maxLength: 2 }) }), { maxLength: 2 }),
});

function onlyBadRequests<T>(fn: () => T): T | undefined {
  try { return fn(); } catch (err) { if (!(err instanceof BadRequestError)) throw err; return undefined; }
}

const isStr = (v: unknown) => typeof v === 'string';

describe('whatsapp normalize/statuses on arbitrary payloads', () => {
  it('never throw anything but a 400', () => {
    fc.assert(fc.property(fc.oneof(json, shaped, plausible), (payload) => {
      const webhook = webhookOf(payload as WhatsAppWebhookBody);
      // What comes out keeps its types (strings where strings are promised), whatever came in.
      for (const m of onlyBadRequests(() => normalizeWhatsApp(webhook)) ?? []) {
        expect([m.id, m.conversationId, m.from.id, m.from.name ?? '', m.replyToId ?? '', m.to?.id ?? ''].every(isStr)).toBe(true);
        const c = m.content as Record<string, unknown>;
        for (const key of ['text', 'emoji', 'targetMessageId', 'replyId', 'title', 'name', 'address', 'mediaId', 'mimeType', 'caption', 'fileName']) {
          if (key in c) expect(isStr(c[key])).toBe(true);
        }
      }
      for (const s of onlyBadRequests(() => whatsappStatuses(webhook)) ?? []) {
        expect(isStr(s.messageId) && isStr(s.conversationId ?? '') && isStr(s.error?.message ?? '')).toBe(true);
      }
      onlyBadRequests(() => whatsappEventId(webhook));
    }), { numRuns: 3000 });
  });

  it('an entry id that is not text or a number reads as empty (a CI run found `{"toString": {}}` crashing String())', () => {
    const payload = fixture('text-message').payload;
    (payload.entry![0] as { id: unknown }).id = { toString: {} };
    const [m] = normalizeWhatsApp(webhookOf(payload));
    expect(m.id.startsWith('wamid.')).toBe(true);
    expect(() => normalizeWhatsApp(webhookOf({ entry: [{ id: { toString: {} }, changes: [{ value: {} }] }] } as never))).not.toThrow();
  });

  it('a valid message stays valid whatever extra keys Meta adds', () => {
    fc.assert(fc.property(fc.dictionary(fc.string().filter((k) => !['id', 'from', 'timestamp', 'type', 'text', '__proto__'].includes(k)), json), (extra) => {
      const payload = fixture('text-message').payload;
      Object.assign(payload.entry![0].changes![0].value!.messages![0], extra);
      const [m] = normalizeWhatsApp(webhookOf(payload));
      return m.id.startsWith('wamid.') && m.conversationId === '16505551234';
    }), { numRuns: 300 });
  });
});
