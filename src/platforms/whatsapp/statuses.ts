/** The `statuses` of the `messages` webhook → delivery receipts (sent, delivered, read, failed with its error). */
import type { DeliveryStatus, NormalizedStatus, WebhookEvent } from '../../types';
import { changeValues } from './normalize';
import { obj, objects, str } from './shape';
import { metaTimestampMs } from './timestamps';
import type { WhatsAppError, WhatsAppStatus, WhatsAppWebhookBody } from './types';

const STATUSES: readonly DeliveryStatus[] = ['sent', 'delivered', 'read', 'failed'];

/** Meta's error object → `{ code, message }` (title, then the details). */
export function statusError(errors: WhatsAppError[] | undefined): NormalizedStatus['error'] {
  const e = objects(errors)[0] as WhatsAppError | undefined;
  if (!e) return { message: 'the platform reported the message failed without a reason' };
  const title = str(e.title);
  const text = str(e.message);
  const details = str(obj(e.error_data)?.details) ?? (text !== title ? text : undefined);
  const code = typeof e.code === 'number' || typeof e.code === 'string' ? e.code : undefined;
  return { ...(code !== undefined ? { code } : {}), message: [title ?? text ?? 'failed', details].filter(Boolean).join(': ') };
}

function normalizeStatus(s: WhatsAppStatus, where: string): NormalizedStatus | undefined {
  // Other states (Meta adds some, e.g. `deleted`, `warning`) are not delivery receipts Switchboard models: skipped.
  if (!s || typeof s.id !== 'string' || s.id === '' || !STATUSES.includes(s.status as DeliveryStatus)) return undefined;
  const metadata: Record<string, unknown> = {
    ...(s.conversation ? { conversation: s.conversation } : {}),
    ...(s.pricing ? { pricing: s.pricing } : {}),
    ...(str(s.biz_opaque_callback_data) ? { bizOpaqueCallbackData: s.biz_opaque_callback_data } : {}),
  };
  return {
    messageId: s.id,
    status: s.status as DeliveryStatus,
    timestamp: metaTimestampMs(s.timestamp, `${where}.timestamp`),
    ...(str(s.recipient_id) ? { conversationId: s.recipient_id } : {}),
    ...(s.status === 'failed' ? { error: statusError(s.errors) } : {}),
    ...(Object.keys(metadata).length ? { metadata } : {}),
  };
}

/** Every receipt of the webhook, in order (entries, changes, statuses). */
export function whatsappStatuses(webhook: WebhookEvent<WhatsAppWebhookBody>): NormalizedStatus[] {
  const out: NormalizedStatus[] = [];
  changeValues(webhook.payload).forEach(({ value }, c) => {
    if (!Array.isArray(value.statuses)) return;
    value.statuses.forEach((s, i) => {
      const status = normalizeStatus(s, `changes[${c}].statuses[${i}]`);
      if (status) out.push(status);
    });
  });
  return out;
}
