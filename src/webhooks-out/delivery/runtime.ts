/** What the delivery steps share: the subscriptions, the history, the options, and how a job is published. */
import type { HistoryStore } from '../history/types';
import type { SubscriptionLookup } from '../types';
import type { DeliveryJob } from './job';
import type { ResolvedDeliveryOptions } from './options';
import type { Slots } from './slots';

export interface DeliveryLogger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  debug(...args: unknown[]): void;
}

export interface DeliveryRuntime {
  lookup: SubscriptionLookup;
  history: HistoryStore;
  options: ResolvedDeliveryOptions;
  /** Publishes a job on the deliver channel, PubAck awaited, with a JetStream msg id. */
  publishJob(job: DeliveryJob, msgId: string): Promise<void>;
  logger: DeliveryLogger;
  /**
   * The cap on HTTP attempts in flight (`concurrency`). The worker's consumer holds twice as many jobs, so one
   * is read and ready when an attempt ends. Default: no cap beyond the consumer's.
   */
  attemptSlots?: Slots;
  /** Told of every attempt's outcome and the lag from the stored event (metrics). Default: nothing. */
  onAttempt?(outcome: 'succeeded' | 'failed', lagMs: number | undefined): void;
}

/** How a job is settled once handled: acknowledged, or brought back after a wait (JetStream nak with delay). */
export type Settle = { kind: 'ack' } | { kind: 'later'; ms: number };

export const ACK: Settle = Object.freeze({ kind: 'ack' });
export const later = (ms: number): Settle => ({ kind: 'later', ms: Math.max(1, Math.round(ms)) });
