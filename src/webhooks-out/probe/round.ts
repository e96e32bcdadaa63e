/**
 * One probe round: every disabled subscription the probe may try, each in small steps.
 *
 *   1 eligible  disabled automatically for a probed reason (never by hand)
 *   2 due       its probe state (of this disabling) says its wait is over
 *   3 lease     this node takes the subscription's turn (SET NX PX for `intervalMs`); another node that has it
 *               wins; under it the subscription and state are read again and the probe marked under way
 *   4 probe     a signed `webhook.test` POST, recorded as an attempt of the disabling's probe delivery
 *   5 outcome   2xx → enabled (if still disabled the same way) and its failed deliveries re-queued (`recover`);
 *               410 (when `gone` is not probed) → no more probes of this disabling; else the next after a doubled wait
 */
import type { Verdict } from '../delivery/judge';
import type { DeliveryRuntime } from '../delivery/runtime';
import type { DisabledReason, Subscription } from '../types';
import { afterFailure, currentState, isDue, isProbed, nextProbeWaitMs, replaySinceMs, type ProbeState } from './decide';
import type { ResolvedProbeOptions } from './options';
import { sendProbe } from './send';
import type { ProbeStateStore } from './state';

/** The subscriptions as the probe sees them (the subscription store implements it). */
export interface ProbeSubscriptions {
  get(id: string): Promise<Subscription | null>;
  /** Disabled subscriptions and when each was disabled (ISO 8601). */
  listDisabled(): Promise<Array<{ subscription: Subscription; disabledAt: string }>>;
  /** Enables `id` only while still disabled with one of `reasons` since `disabledAt`; null otherwise. */
  enableIfDisabled(id: string, expected: { reasons: readonly DisabledReason[]; disabledAt: string }): Promise<Subscription | null>;
}

export interface ProbeRuntime {
  delivery: DeliveryRuntime;
  subscriptions: ProbeSubscriptions;
  state: ProbeStateStore;
  options: ResolvedProbeOptions;
  /** The delivery side's `recover`: re-queues the subscription's failed deliveries created since `sinceMs`. */
  recover(subscriptionId: string, sinceMs: number): Promise<number>;
  /** False once the service stops: the round ends after the probes under way. */
  running(): boolean;
}

/** What a round did with one subscription. */
export type ProbeOutcome = 'skipped' | 'notDue' | 'leased' | 'failed' | 'stopped' | 'enabled' | 'changed';

/** Margin over the attempt deadline: a probe under way keeps others off this long. */
const IN_FLIGHT_MARGIN_MS = 5_000;
/** The next probe of a disabling that answered 410 (and `gone` is not probed): never. */
const NEVER = Number.MAX_SAFE_INTEGER;
/** Tries of `recover` after an enabling (a failure is logged with what to re-run). */
const RECOVER_TRIES = 3;

/** Step 5, 2xx: enabled if still disabled the way it was seen, then the outage's failed deliveries re-queued. */
async function enableAndReplay(rt: ProbeRuntime, sub: Subscription, disabledAt: string): Promise<ProbeOutcome> {
  const enabled = await rt.subscriptions.enableIfDisabled(sub.id, { reasons: rt.options.reasons, disabledAt });
  await rt.state.clear(sub.id);
  if (!enabled) return 'changed';
  const since = replaySinceMs(Date.parse(disabledAt), sub.disabledReason, rt.options, rt.delivery.options);
  for (let i = 1; ; i++) {
    try {
      const requeued = await rt.recover(sub.id, since);
      rt.delivery.logger.info(`webhooks: subscription ${sub.id} answered its probe with a 2xx; enabled (was ${sub.disabledReason}), ${requeued} failed deliveries since ${new Date(since).toISOString()} re-queued`);
      return 'enabled';
    } catch (err) {
      if (i >= RECOVER_TRIES) {
        rt.delivery.logger.error(`webhooks: subscription ${sub.id} enabled after its probe, but its failed deliveries were not re-queued (${(err as Error).message}); recover them with since=${new Date(since).toISOString()}`);
        return 'enabled';
      }
      await new Promise((r) => setTimeout(r, 200 * i));
    }
  }
}

/** Steps 1–5 for one subscription. */
export async function probeOne(rt: ProbeRuntime, sub: Subscription, disabledAt: string): Promise<ProbeOutcome> {
  const o = rt.options;
  const d = rt.delivery.options;
  // 1
  if (!isProbed(sub, o)) return 'skipped';
  // 2
  if (!isDue(currentState(await rt.state.get(sub.id), disabledAt), d.now())) return 'notDue';
  // 3 — this turn is ours; under the lease the subscription and its state are read again (another node may just
  // have probed it) and the probe is marked under way, so a probe longer than the lease is not repeated
  if (!(await rt.state.lease(sub.id, o.intervalMs))) return 'leased';
  const current = await rt.subscriptions.get(sub.id);
  if (!current || !isProbed(current, o) || current.disabledReason !== sub.disabledReason) return 'changed';
  const state = currentState(await rt.state.get(sub.id), disabledAt);
  if (!isDue(state, d.now())) return 'notDue';
  await rt.state.put(sub.id, { disabledAt, failures: state?.failures ?? 0, nextAtMs: d.now() + d.attemptDeadlineMs + IN_FLIGHT_MARGIN_MS });
  // 4
  let next: ProbeState | undefined;
  const nextState = (v: Verdict): ProbeState => (next ??= v.kind === 'gone' && !o.reasons.includes('gone')
    ? { disabledAt, failures: (state?.failures ?? 0) + 1, nextAtMs: NEVER }
    : afterFailure(state, disabledAt, d.now(), (n) => nextProbeWaitMs(n, o, d.jitter, d.random)));
  const verdict = await sendProbe(rt.delivery, current, disabledAt, (v) => { const at = nextState(v).nextAtMs; return at === NEVER ? undefined : at; });
  // 5
  if (verdict.kind === 'succeeded') return enableAndReplay(rt, current, disabledAt);
  const after = nextState(verdict);
  await rt.state.put(sub.id, after);
  if (after.nextAtMs === NEVER) {
    rt.delivery.logger.warn(`webhooks: disabled subscription ${sub.id} answered its probe with 410 Gone; no more probes of this disabling`);
    return 'stopped';
  }
  rt.delivery.logger.info(`webhooks: probe of disabled subscription ${sub.id} failed (${verdict.error.code}); next in ${Math.round((after.nextAtMs - d.now()) / 1000)} s`);
  return 'failed';
}

/** The composer: probes the disabled subscriptions, `concurrency` at a time; one's error does not stop the others. */
export async function probeRound(rt: ProbeRuntime): Promise<Map<string, ProbeOutcome>> {
  const outcomes = new Map<string, ProbeOutcome>();
  const todo = (await rt.subscriptions.listDisabled()).filter((e) => isProbed(e.subscription, rt.options));
  let i = 0;
  const worker = async () => {
    while (i < todo.length && rt.running()) {
      const { subscription, disabledAt } = todo[i++]!;
      try {
        outcomes.set(subscription.id, await probeOne(rt, subscription, disabledAt));
      } catch (err) {
        rt.delivery.logger.warn(`webhooks: probe of subscription ${subscription.id} did not complete: ${(err as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(rt.options.concurrency, todo.length) }, worker));
  return outcomes;
}
