/** Delivery ids: derived from the event and the subscription, so a redelivered event never makes a second delivery. */
import { createHash, randomBytes } from 'node:crypto';

const base62 = (buf: Buffer, length: number) => {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  let out = '';
  for (const b of buf) out += alphabet[b % 62];
  return out.slice(0, length);
};

/** `msg_` + 27 characters derived from the event's id and the subscription id (the `webhook-id` header). */
export function deliveryIdFor(eventId: string, subscriptionId: string): string {
  return `msg_${base62(createHash('sha256').update(eventId).update('\0').update(subscriptionId).digest(), 27)}`;
}

/** A fresh delivery id (test events). */
export function newDeliveryId(): string {
  return `msg_${base62(randomBytes(32), 27)}`;
}

/**
 * The JetStream msg id of a delivery's scheduled job: one job per delivery whatever the event's redeliveries.
 * `generation` counts recoveries: a recovered delivery's job is a new message.
 */
export function jobMsgId(deliveryId: string, generation = 0): string {
  return generation > 0 ? `whjob:${deliveryId}:g${generation}` : `whjob:${deliveryId}`;
}

/** The JetStream msg id of a manual redelivery (the n-th asked for). */
export function manualJobMsgId(deliveryId: string, n: number): string {
  return `whjob:${deliveryId}:m${n}`;
}

/** An attempt's id: the delivery and its attempt number. */
export function attemptIdFor(deliveryId: string, attempt: number): string {
  return `atmpt_${deliveryId.slice(4)}_${attempt}`;
}
