/** Delivery options and their defaults (DESIGN.md "Tenant webhooks"): the retry schedule, the attempt deadline, caps. */
import { assertOption } from '../../errors/options';

/** Waits after the first attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (Svix's schedule) — 8 attempts in all. */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = Object.freeze([
  5_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 5 * 3_600_000, 10 * 3_600_000, 10 * 3_600_000,
]);
/** Each wait is moved by up to ±20 % at random, so failed deliveries do not come back in lockstep. */
export const DEFAULT_DELIVERY_JITTER = 0.2;
/** The status and headers must arrive within 15 s; the body is read only until then too. */
export const DEFAULT_ATTEMPT_DEADLINE_MS = 15_000;
/** At most 64 KiB of an answer's body are read; the rest is never downloaded. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;
/** The attempt record keeps the first 4 KiB of the answer's body. */
export const DEFAULT_RECORDED_BODY_BYTES = 4 * 1024;
/** A subscription failing without one success for 5 days is disabled (`failing`). */
export const DEFAULT_DISABLE_AFTER_FAILING_MS = 5 * 24 * 3_600_000;
/** A `Retry-After` (429/502/503/504) shorter than the scheduled wait is never honoured below 1 s... */
export const DEFAULT_RETRY_AFTER_MIN_MS = 1_000;
/** ...and never above 24 h. */
export const DEFAULT_RETRY_AFTER_MAX_MS = 24 * 3_600_000;
/** Delivery jobs (and the events' fan-out) a node handles at once. */
export const DEFAULT_DELIVERY_CONCURRENCY = 50;

/** How deliveries are attempted and retried. Every field is optional. */
export interface DeliveryOptions {
  /** Waits after the first attempt, one per retry. Default {@link DEFAULT_RETRY_SCHEDULE_MS}. */
  retryScheduleMs?: readonly number[];
  /** Fraction (0–1) each wait moves at random, both ways. Default {@link DEFAULT_DELIVERY_JITTER}. */
  jitter?: number;
  /** Deadline of one attempt (status, headers and the body read). Default {@link DEFAULT_ATTEMPT_DEADLINE_MS}. */
  attemptDeadlineMs?: number;
  /** Bytes of an answer's body read at most. Default {@link DEFAULT_MAX_RESPONSE_BYTES}. */
  maxResponseBytes?: number;
  /** Bytes of the answer's body kept in the attempt record. Default {@link DEFAULT_RECORDED_BODY_BYTES}. */
  recordedBodyBytes?: number;
  /** Failing without a success this long disables the subscription. Default {@link DEFAULT_DISABLE_AFTER_FAILING_MS}. */
  disableAfterFailingMs?: number;
  /** Bounds of an honoured `Retry-After`. Defaults {@link DEFAULT_RETRY_AFTER_MIN_MS}, {@link DEFAULT_RETRY_AFTER_MAX_MS}. */
  retryAfterMinMs?: number;
  retryAfterMaxMs?: number;
  /** Jobs handled at once per node. Default {@link DEFAULT_DELIVERY_CONCURRENCY}. */
  concurrency?: number;
  /** Let subscription URLs reach private networks (`SWITCHBOARD_ALLOW_PRIVATE_URLS`). Default: the runtime's setting. */
  allowPrivateNetworks?: boolean;
  /** Random source for jitter (tests). Default `Math.random`. */
  random?: () => number;
  /** Clock (tests). Default `Date.now`. */
  now?: () => number;
}

export type ResolvedDeliveryOptions = Required<Omit<DeliveryOptions, 'allowPrivateNetworks'>> & { allowPrivateNetworks: boolean };

const WHERE = 'webhooks';

/** Merges `options` over the defaults; a bad value is a `ConfigError` naming the option. */
export function resolveDeliveryOptions(options: DeliveryOptions = {}, allowPrivateNetworks = false): ResolvedDeliveryOptions {
  const o: ResolvedDeliveryOptions = {
    retryScheduleMs: DEFAULT_RETRY_SCHEDULE_MS,
    jitter: DEFAULT_DELIVERY_JITTER,
    attemptDeadlineMs: DEFAULT_ATTEMPT_DEADLINE_MS,
    maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES,
    recordedBodyBytes: DEFAULT_RECORDED_BODY_BYTES,
    disableAfterFailingMs: DEFAULT_DISABLE_AFTER_FAILING_MS,
    retryAfterMinMs: DEFAULT_RETRY_AFTER_MIN_MS,
    retryAfterMaxMs: DEFAULT_RETRY_AFTER_MAX_MS,
    concurrency: DEFAULT_DELIVERY_CONCURRENCY,
    random: Math.random,
    now: Date.now,
    allowPrivateNetworks,
  };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) (o as unknown as Record<string, unknown>)[k] = v;
  const ms = (name: keyof DeliveryOptions, min: number) => {
    const v = o[name as keyof ResolvedDeliveryOptions];
    assertOption(Number.isInteger(v) && (v as number) >= min, WHERE, name, `must be an integer ≥ ${min}`, v);
  };
  assertOption(Array.isArray(o.retryScheduleMs) && o.retryScheduleMs.every((v) => Number.isInteger(v) && v >= 0), WHERE, 'retryScheduleMs', 'must be a list of integers ≥ 0 (ms)', o.retryScheduleMs);
  assertOption(typeof o.jitter === 'number' && o.jitter >= 0 && o.jitter < 1, WHERE, 'jitter', 'must be ≥ 0 and < 1', o.jitter);
  ms('attemptDeadlineMs', 1);
  ms('maxResponseBytes', 0);
  ms('recordedBodyBytes', 0);
  ms('disableAfterFailingMs', 1);
  ms('retryAfterMinMs', 0);
  ms('retryAfterMaxMs', o.retryAfterMinMs);
  ms('concurrency', 1);
  return o;
}
