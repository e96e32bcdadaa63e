/** Subscription health: a 410 disables at once (`gone`); failing with no success for the configured period disables (`failing`). */
import type { Subscription } from '../types';
import type { Verdict } from './judge';
import type { DeliveryRuntime } from './runtime';

/** Applies the verdict of a scheduled or manual attempt to the subscription; answers the reason if it was disabled. */
export async function applyHealth(rt: DeliveryRuntime, sub: Subscription, verdict: Verdict): Promise<'gone' | 'failing' | undefined> {
  if (verdict.kind === 'succeeded') return undefined; // the attempt's record cleared the failing mark
  if (verdict.kind === 'gone') {
    await rt.lookup.disable(sub.id, 'gone');
    rt.logger.warn(`webhooks: subscription ${sub.id} answered 410; disabled (gone)`);
    return 'gone';
  }
  const now = rt.options.now();
  const since = await rt.history.markFailing(sub.id, now);
  if (now - since >= rt.options.disableAfterFailingMs) {
    await rt.lookup.disable(sub.id, 'failing');
    await rt.history.clearFailing(sub.id);
    rt.logger.warn(`webhooks: subscription ${sub.id} failing since ${new Date(since).toISOString()} without a success; disabled (failing)`);
    return 'failing';
  }
  return undefined;
}
