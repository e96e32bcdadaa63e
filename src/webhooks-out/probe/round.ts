/**
 * One probe round: every disabled subscription the probe may try, each in small steps.
 *
 *   1 eligible  disabled automatically for a probed reason (never by hand)
 *   2 due       its probe state (of this disabling) says its wait is over
 *   3 lease     this node takes the subscription's turn (SET NX PX); another node that has it wins
 *   4 probe     a signed `webhook.test` POST, recorded as an attempt of the disabling's probe delivery
 *   5 outcome   2xx → enabled (if still disabled the same way) and its failed deliveries re-queued (`recover`);
 *               else the next probe after a doubled wait
 */
import type { DeliveryRuntime } from '../delivery/runtime';
import type { DisabledReason, Subscription } from '../types';
import { afterFailure, currentState, isDue, isProbed, nextProbeWaitMs, replaySinceMs, type ProbeState } from './decide';
import type { ResolvedProbeOptions } from './options';
import { sendProbe } from './send';
import type { ProbeStateStore } from './state';

/** The subscriptions as the probe sees them (the subscription store implements it). */
export interface ProbeSubscriptions {
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
export type ProbeOutcome = 'skipped' | 'notDue' | 'leased' | 'failed' | 'enabled' | 'changed';

/** Margin over the attempt deadline: a lease outlives the probe it covers. */
const LEASE_MARGIN_MS = 5_000;

/** Steps 2–5 for one subscription. */
export async function probeOne(rt: ProbeRuntime, sub: Subscription, disabledAt: string): Promise<ProbeOutcome> {
  const o = rt.options;
  const d = rt.delivery.options;
  // 1
  if (!isProbed(sub, o)) return 'skipped';
  // 2
  if (!isDue(currentState(await rt.state.get(sub.id), disabledAt), d.now())) return 'notDue';
  // 3 — the lease covers the whole turn, and the probe read again under it (another node may just have written it)
  if (!(await rt.state.lease(sub.id, Math.max(o.intervalMs, d.attemptDeadlineMs + LEASE_MARGIN_MS)))) return 'leased';
  const state = currentState(await rt.state.get(sub.id), disabledAt);
  if (!isDue(state, d.now())) return 'notDue';
  // 4
  let next: ProbeState | undefined;
  const nextState = () => (next ??= afterFailure(state, disabledAt, d.now(), (n) => nextProbeWaitMs(n, o, d.jitter, d.random)));
  const verdict = await sendProbe(rt.delivery, sub, disabledAt, () => nextState().nextAtMs);
  // 5
  if (verdict.kind !== 'succeeded') {
    await rt.state.put(sub.id, nextState());
    rt.delivery.logger.info(`webhooks: probe of disabled subscription ${sub.id} failed (${verdict.error.code}); next in ${Math.round((nextState().nextAtMs - d.now()) / 1000)} s`);
    return 'failed';
  }
  const enabled = await rt.subscriptions.enableIfDisabled(sub.id, { reasons: o.reasons, disabledAt });
  if (!enabled) {
    await rt.state.clear(sub.id);
    return 'changed';
  }
  const since = replaySinceMs(Date.parse(disabledAt), sub.disabledReason, o, d);
  const requeued = await rt.recover(sub.id, since);
  await rt.state.clear(sub.id);
  rt.delivery.logger.info(`webhooks: subscription ${sub.id} answered its probe with a 2xx; enabled (was ${sub.disabledReason}), ${requeued} failed deliveries since ${new Date(since).toISOString()} re-queued`);
  return 'enabled';
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
