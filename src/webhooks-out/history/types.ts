/** The delivery history: deliveries and their attempts, written before a job is acknowledged, bounded by a retention. */
import type { Delivery, DeliveryAttempt, DeliveryOutcome } from '../types';
import type { DeliveryJob } from '../delivery/job';

/** 30 days: deliveries, attempts and their indexes expire after this. */
export const DEFAULT_HISTORY_RETENTION_MS = 30 * 24 * 3_600_000;
/** A page of deliveries holds 50 by default... */
export const DEFAULT_PAGE_LIMIT = 50;
/** ...and at most 500. */
export const MAX_PAGE_LIMIT = 500;

/** A delivery as stored: the public record plus what the worker needs (the job to re-send, the schedule). */
export interface StoredDelivery extends Delivery {
  tenantId: string;
  job: DeliveryJob;
  /** ISO 8601: when the next scheduled attempt is due (pending deliveries). */
  nextAttemptAt?: string;
  /** Scheduled attempts made since the delivery was created or recovered (indexes the retry schedule). */
  scheduledAttempts: number;
  /** `nextAttemptAt` in ms since the epoch (what the claim script compares). */
  dueAtMs?: number;
}

/** What {@link HistoryStore.claimAttempt} found. */
export type Claim =
  | { kind: 'begun'; delivery: StoredDelivery; attempt: number }
  | { kind: 'ended'; delivery: StoredDelivery }
  | { kind: 'notDue'; delivery: StoredDelivery; waitMs: number }
  | { kind: 'missing' }
  | { kind: 'interrupted' };

export interface ClaimOptions {
  /** The delivery's job, when the caller has it (the worker does): it is not read back. */
  job?: StoredDelivery['job'];
  /** A scheduled job: an ended delivery or one not yet due is not attempted. */
  scheduled: boolean;
  nowMs: number;
  /** A delivery due within this margin is attempted now. */
  dueMarginMs: number;
}

/** An attempt begun and not yet recorded: found on a later run, it is recorded as interrupted. */
export interface PendingAttempt {
  attempt: number;
  trigger: 'scheduled' | 'manual';
  at: string;
  url: string;
}

/** What finishing an attempt changes on its delivery. */
export interface DeliveryChange {
  outcome: DeliveryOutcome;
  nextAttemptAt?: string;
  scheduledAttempts: number;
}

export interface DeliveryPage {
  /** Without their jobs (`getDelivery` has them). */
  deliveries: Array<Omit<StoredDelivery, 'job'>>;
  nextCursor: string | null;
}

/**
 * Where deliveries and attempts live. Every write either lands or rejects (the caller then does not
 * acknowledge its job); records expire after the retention.
 */
export interface HistoryStore {
  readonly kind: 'redis' | 'memory';
  /** Stores `d` unless a delivery with its id exists; answers the stored one and whether it was created. */
  createDelivery(d: StoredDelivery): Promise<{ delivery: StoredDelivery; created: boolean }>;
  /** Replaces a delivery's stored fields (outcome, schedule, job) and moves it between the outcome indexes. */
  saveDelivery(d: StoredDelivery, previousOutcome?: DeliveryOutcome): Promise<void>;
  /** The delivery with `attemptCount`/`lastAttemptAt` from its attempts; null when unknown or expired. */
  getDelivery(deliveryId: string): Promise<StoredDelivery | null>;
  /** Every attempt of a delivery, oldest first. */
  attempts(deliveryId: string): Promise<DeliveryAttempt[]>;
  /**
   * In one step: reads the delivery, checks it may be attempted now (exists, no interrupted attempt, and for
   * a scheduled job: still pending and due), then reserves the next attempt number and writes its intent.
   */
  claimAttempt(deliveryId: string, pending: Omit<PendingAttempt, 'attempt'>, o: ClaimOptions): Promise<Claim>;
  /** Reserves the next attempt number and records the intent, before the request leaves. */
  beginAttempt(deliveryId: string, pending: Omit<PendingAttempt, 'attempt'>): Promise<number>;
  /** Attempts begun and never recorded (a process stopped mid-attempt, or the record write failed). */
  pendingAttempts(deliveryId: string): Promise<PendingAttempt[]>;
  /** Writes the attempt, clears its intent and applies `change` to the delivery — all or nothing. A success also clears the subscription's failing mark. */
  finishAttempt(record: DeliveryAttempt, d: StoredDelivery, change: DeliveryChange): Promise<StoredDelivery>;
  /** Deliveries of a subscription, newest first, optionally one outcome; `cursor` from the previous page. */
  listDeliveries(subscriptionId: string, opts: { outcome?: DeliveryOutcome; limit?: number; cursor?: string }): Promise<DeliveryPage>;
  /** Ids of a subscription's failed deliveries created at or after `sinceMs`. */
  failedSince(subscriptionId: string, sinceMs: number): Promise<string[]>;
  /** Marks a subscription failing since `nowMs` unless it already is; answers since when it is failing. */
  markFailing(subscriptionId: string, nowMs: number): Promise<number>;
  /** A success: the subscription is not failing any more. */
  clearFailing(subscriptionId: string): Promise<void>;
  /** Ordering: puts a delivery in its conversation's queue (once), ordered by `score` (the event's stored time); answers its position (0 = its turn). */
  enqueue(orderKey: string, deliveryId: string, score: number): Promise<number>;
  /** The delivery whose turn it is in the queue, or null. */
  head(orderKey: string): Promise<string | null>;
  /** Takes `deliveryId` off the queue; answers the head, or null. */
  dequeue(orderKey: string, deliveryId: string): Promise<string | null>;
  close(): Promise<void>;
}

/** A delivery after an attempt: its new outcome and schedule (`dueAtMs` mirrors `nextAttemptAt`). */
export function applyChange(d: StoredDelivery, change: DeliveryChange, record: { attempt: number; at: string }): StoredDelivery {
  const next: StoredDelivery = { ...d, ...change, attemptCount: Math.max(d.attemptCount, record.attempt), lastAttemptAt: record.at };
  if (change.nextAttemptAt) next.dueAtMs = Date.parse(change.nextAttemptAt);
  else { delete next.nextAttemptAt; delete next.dueAtMs; }
  return next;
}

/** The delivery without a next scheduled attempt. */
export function withoutSchedule(d: StoredDelivery): StoredDelivery {
  const { nextAttemptAt: _n, dueAtMs: _d, ...rest } = d;
  return rest;
}

/** Delivery as the API shows it (no job, no internal fields). */
export function publicDelivery(d: Omit<StoredDelivery, 'job'>): Delivery & { nextAttemptAt?: string } {
  return {
    deliveryId: d.deliveryId, subscriptionId: d.subscriptionId, eventType: d.eventType, eventId: d.eventId,
    outcome: d.outcome, attemptCount: d.attemptCount, createdAt: d.createdAt,
    ...(d.lastAttemptAt ? { lastAttemptAt: d.lastAttemptAt } : {}),
    ...(d.nextAttemptAt && d.outcome === 'pending' ? { nextAttemptAt: d.nextAttemptAt } : {}),
  };
}

/** Index member of a delivery: its creation time (fixed width) then its id, so lexical order is time order. */
export function indexMember(d: Pick<Delivery, 'createdAt' | 'deliveryId'>): string {
  return `${String(Date.parse(d.createdAt)).padStart(15, '0')}|${d.deliveryId}`;
}

export function timeBound(ms: number): string {
  return String(Math.max(0, Math.floor(ms))).padStart(15, '0');
}
