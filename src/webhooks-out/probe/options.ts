/** Probe options and their defaults: how often a disabled endpoint is tried, the backoff, which reasons, the replay window. */
import { ConfigError } from '../../errors';
import { assertOption } from '../../errors/options';
import type { DisabledReason } from '../types';

/** The variable that turns the probe on for `createWebhooksService()` when its `probe` option is not given (ms). */
export const PROBE_INTERVAL_VARIABLE = 'SWITCHBOARD_WEBHOOK_PROBE_INTERVAL_MS';
/** After failed probes the wait doubles, up to 1 h (or the interval, if that is longer). */
export const DEFAULT_PROBE_MAX_INTERVAL_MS = 3_600_000;
/** Only subscriptions disabled for failing too long are probed; a 410 (`gone`) is the subscriber's own "stop". */
export const DEFAULT_PROBE_REASONS: readonly ProbeReason[] = Object.freeze(['failing'] as const);
/** Subscriptions probed at once per node in one round. */
export const DEFAULT_PROBE_CONCURRENCY = 4;

/** The reasons a probe may undo: an operator's disabling (`manual`) never is. */
export type ProbeReason = Exclude<DisabledReason, 'manual'>;

/**
 * The periodic probe of disabled endpoints (off unless given). A subscription disabled automatically is sent
 * a signed `webhook.test` event every `intervalMs` (doubling after each failure, up to `maxIntervalMs`);
 * the first 2xx enables it and re-queues its failed deliveries of the outage (`recover`).
 */
export interface ProbeOptions {
  /** How often disabled subscriptions are looked at, and the wait after their first failed probe (ms). Required. */
  intervalMs: number;
  /** Longest wait between two probes of one subscription. Default {@link DEFAULT_PROBE_MAX_INTERVAL_MS}, at least `intervalMs`. */
  maxIntervalMs?: number;
  /** Which automatic disablings are probed: `failing`, `gone`. Default {@link DEFAULT_PROBE_REASONS} (`['failing']`). */
  reasons?: readonly ProbeReason[];
  /**
   * How far before the disabling the replay reaches: failed deliveries created from `disabledAt - lookbackMs` on
   * are re-queued. Default: the delivery side's `disableAfterFailingMs` (for `failing`) plus the longest span of
   * the retry schedule with its jitter plus 1 h (queueing before a first attempt) — every delivery that may
   * have failed in the outage.
   */
  lookbackMs?: number;
  /** Subscriptions probed at once per node. Default {@link DEFAULT_PROBE_CONCURRENCY}. */
  concurrency?: number;
}

export interface ResolvedProbeOptions {
  intervalMs: number;
  maxIntervalMs: number;
  reasons: readonly ProbeReason[];
  lookbackMs?: number;
  concurrency: number;
}

const WHERE = 'webhooks.probe';

/** Merges `options` over the defaults; a bad value is a `ConfigError` naming the option. */
export function resolveProbeOptions(options: ProbeOptions): ResolvedProbeOptions {
  assertOption(Number.isInteger(options.intervalMs) && options.intervalMs >= 1, WHERE, 'intervalMs', 'must be an integer ≥ 1 (ms)', options.intervalMs);
  const maxIntervalMs = options.maxIntervalMs ?? Math.max(options.intervalMs, DEFAULT_PROBE_MAX_INTERVAL_MS);
  assertOption(Number.isInteger(maxIntervalMs) && maxIntervalMs >= options.intervalMs, WHERE, 'maxIntervalMs', `must be an integer ≥ intervalMs (${options.intervalMs})`, maxIntervalMs);
  const reasons = options.reasons ?? DEFAULT_PROBE_REASONS;
  assertOption(Array.isArray(reasons) && reasons.length > 0 && reasons.every((r) => r === 'failing' || r === 'gone'), WHERE, 'reasons', "must be a non-empty list of 'failing' and 'gone' (a manual disabling is never probed)", reasons);
  if (options.lookbackMs !== undefined) assertOption(Number.isInteger(options.lookbackMs) && options.lookbackMs >= 0, WHERE, 'lookbackMs', 'must be an integer ≥ 0 (ms)', options.lookbackMs);
  const concurrency = options.concurrency ?? DEFAULT_PROBE_CONCURRENCY;
  assertOption(Number.isInteger(concurrency) && concurrency >= 1, WHERE, 'concurrency', 'must be an integer ≥ 1', concurrency);
  return { intervalMs: options.intervalMs, maxIntervalMs, reasons: [...reasons], ...(options.lookbackMs !== undefined ? { lookbackMs: options.lookbackMs } : {}), concurrency };
}

/**
 * The probe's options for `createWebhooksService`: `false` → off; given → those; not given → on only when
 * `SWITCHBOARD_WEBHOOK_PROBE_INTERVAL_MS` holds a positive integer (a bad value is a `ConfigError` naming it).
 */
export function probeOptionsFrom<O extends ProbeOptions>(option: O | false | undefined, env: NodeJS.ProcessEnv = process.env): O | ProbeOptions | undefined {
  if (option === false) return undefined;
  if (option !== undefined) return option;
  const raw = env[PROBE_INTERVAL_VARIABLE]?.trim();
  if (!raw) return undefined;
  if (!/^\d{1,12}$/.test(raw) || Number(raw) < 1) throw new ConfigError(`${PROBE_INTERVAL_VARIABLE} must be a positive integer of milliseconds (got ${JSON.stringify(raw.slice(0, 50))})`, { variable: PROBE_INTERVAL_VARIABLE });
  return { intervalMs: Number(raw) };
}
