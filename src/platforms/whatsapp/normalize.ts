/** The `messages` webhook → one `NormalizedMessage` per message of every change of every entry (Meta batches them). */
import { BadRequestError } from '../../errors';
import type { NormalizedMessage, WebhookEvent } from '../../types';
import { whatsappContent } from './content';
import { obj, objects, str } from './shape';
import { metaTimestampMs } from './timestamps';
import type { WhatsAppChangeValue, WhatsAppMessage, WhatsAppWebhookBody } from './types';

/** The platform name in messages and channels. */
export const WHATSAPP_PLATFORM = 'whatsapp';

/** The entry's id as text: a string or a number as sent, anything else (an object whose conversion throws) as ''. */
const idText = (id: unknown): string => (typeof id === 'string' ? id : typeof id === 'number' ? String(id) : '');

/** Every `value` of the body's changes, with its entry id (the WhatsApp Business Account), in order. */
export function changeValues(body: WhatsAppWebhookBody): Array<{ wabaId: string; value: WhatsAppChangeValue }> {
  const out: Array<{ wabaId: string; value: WhatsAppChangeValue }> = [];
  if (!body || typeof body !== 'object' || !Array.isArray(body.entry)) return out;
  for (const entry of body.entry) {
    if (!entry || !Array.isArray(entry.changes)) continue;
    for (const change of entry.changes) {
      if (change?.value && typeof change.value === 'object') out.push({ wabaId: idText(entry.id), value: change.value });
    }
  }
  return out;
}

function checkMessage(m: unknown, where: string): asserts m is WhatsAppMessage {
  const x = m as Partial<WhatsAppMessage> | null;
  if (!x || typeof x !== 'object') throw new BadRequestError(`${where} must be an object`, { field: where });
  if (typeof x.id !== 'string' || x.id === '') throw new BadRequestError(`${where}.id must be the message's wamid`, { field: `${where}.id` });
  if (typeof x.from !== 'string' || x.from === '') throw new BadRequestError(`${where}.from must be the sender's wa_id`, { field: `${where}.from` });
  if (typeof x.type !== 'string') throw new BadRequestError(`${where}.type must be a string`, { field: `${where}.type` });
}

/** One message, with the change's metadata and contacts (the sender's profile name). */
export function normalizeMessage(message: WhatsAppMessage, value: WhatsAppChangeValue, wabaId: string, where: string): NormalizedMessage {
  checkMessage(message, where);
  const contacts = objects(value.contacts);
  const sender = contacts.find((c) => c.wa_id === message.from) ?? (contacts.length === 1 ? contacts[0] : undefined);
  const name = str(obj(sender?.profile)?.name);
  const meta = obj(value.metadata);
  const phoneNumberId = str(meta?.phone_number_id);
  const displayPhoneNumber = str(meta?.display_phone_number);
  const context = obj(message.context);
  const content = whatsappContent(message);
  const replyToId = content.type !== 'reaction' ? str(context?.id) : undefined;
  const metadata: Record<string, unknown> = { type: message.type };
  if (phoneNumberId) metadata.phoneNumberId = phoneNumberId;
  if (displayPhoneNumber) metadata.displayPhoneNumber = displayPhoneNumber;
  if (wabaId) metadata.wabaId = wabaId;
  if (message.referral) metadata.referral = message.referral;
  if (message.errors) metadata.errors = message.errors;
  if (context?.forwarded === true || context?.frequently_forwarded === true) metadata.forwarded = true;
  const description = str(obj(obj(message.interactive)?.list_reply)?.description);
  if (description) metadata.description = description;
  const url = str(obj(message.location)?.url);
  if (url) metadata.url = url;
  const from: NormalizedMessage['from'] = { id: message.from };
  if (name) from.name = name;
  const normalized: NormalizedMessage = {
    id: message.id,
    platform: WHATSAPP_PLATFORM,
    // The user's wa_id: replies go to it, and the 24-hour window is kept per wa_id.
    conversationId: message.from,
    from,
    timestamp: metaTimestampMs(message.timestamp, `${where}.timestamp`),
    content,
    metadata,
  };
  if (phoneNumberId) normalized.to = displayPhoneNumber ? { id: phoneNumberId, name: displayPhoneNumber } : { id: phoneNumberId };
  if (replyToId) normalized.replyToId = replyToId;
  return normalized;
}

/** Every message of the webhook, in order (entries, then changes, then messages). Statuses are not messages. */
export function normalizeWhatsApp(webhook: WebhookEvent<WhatsAppWebhookBody>): NormalizedMessage[] {
  const out: NormalizedMessage[] = [];
  changeValues(webhook.payload).forEach(({ wabaId, value }, c) => {
    if (!Array.isArray(value.messages)) return;
    value.messages.forEach((m, i) => out.push(normalizeMessage(m, value, wabaId, `changes[${c}].messages[${i}]`)));
  });
  return out;
}

/** The event id: the wamid of the webhook's first message (stable across Meta's retries); none → the SDK's default (a hash of the body). */
export function whatsappEventId(webhook: WebhookEvent<WhatsAppWebhookBody>): string | undefined {
  for (const { value } of changeValues(webhook.payload)) {
    const id = Array.isArray(value.messages) ? obj(value.messages[0])?.id : undefined;
    if (typeof id === 'string' && id !== '') return id;
  }
  return undefined;
}
