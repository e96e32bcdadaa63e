/** Ordering per conversation: one delivery at a time per (subscription, conversation), the next published when one ends. */
import { createHash } from 'node:crypto';
import type { Subscription } from '../types';
import type { DeliveryJob } from './job';
import { jobMsgId } from './ids';
import type { DeliveryRuntime } from './runtime';

/** The conversation of an event's payload: `message.conversationId` or `conversationId`. */
export function conversationOf(data: unknown): string | undefined {
  const d = data as { message?: { conversationId?: unknown }; conversationId?: unknown } | null;
  const c = d?.message?.conversationId ?? d?.conversationId;
  return typeof c === 'string' || typeof c === 'number' ? String(c) : undefined;
}

/** The queue key of an ordered subscription's event, or undefined when unordered (or no conversation). */
export function orderKeyFor(sub: Subscription, data: unknown): string | undefined {
  if (sub.ordering !== 'conversation') return undefined;
  const conversation = conversationOf(data);
  if (conversation === undefined) return undefined;
  return `${sub.id}:${createHash('sha256').update(conversation).digest('base64url').slice(0, 22)}`;
}

/** Publishes the job of the delivery whose turn it is (idempotent: the job's msg id is fixed). */
export async function publishHead(rt: DeliveryRuntime, head: string | null): Promise<void> {
  if (!head) return;
  const d = await rt.history.getDelivery(head);
  if (!d) return;
  await rt.publishJob(d.job, jobMsgId(d.deliveryId, d.job.generation));
}

/** Queues an ordered job; publishes it when it is its turn. */
export async function queueOrdered(rt: DeliveryRuntime, job: DeliveryJob & { orderKey: string }): Promise<void> {
  const position = await rt.history.enqueue(job.orderKey, job.deliveryId, job.storedAt ?? Date.parse(job.timestamp));
  if (position === 0) await rt.publishJob(job, jobMsgId(job.deliveryId, job.generation));
}

/** The delivery ended (succeeded or given up): its queue moves on. */
export async function advanceQueue(rt: DeliveryRuntime, job: DeliveryJob): Promise<void> {
  if (!job.orderKey) return;
  await publishHead(rt, await rt.history.dequeue(job.orderKey, job.deliveryId));
}

/**
 * True when it is `job`'s turn. A head whose delivery ended without moving the queue (or expired) is
 * taken off, so a queue is never stuck.
 */
export async function isTurn(rt: DeliveryRuntime, job: DeliveryJob): Promise<boolean> {
  if (!job.orderKey || job.trigger === 'manual') return true;
  for (let i = 0; i < 10; i++) {
    const head = await rt.history.head(job.orderKey);
    if (head === null) {
      await rt.history.enqueue(job.orderKey, job.deliveryId, job.storedAt ?? Date.parse(job.timestamp));
      continue;
    }
    if (head === job.deliveryId) return true;
    const d = await rt.history.getDelivery(head);
    // the head's end publishes the next job: a job out of turn is dropped, never polled (no second copy of it runs)
    if (d && d.outcome === 'pending') return false;
    await rt.history.dequeue(job.orderKey, head);
  }
  return false;
}
