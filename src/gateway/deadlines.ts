/**
 * One timer for every request deadline of the gateway (a webhook body's 408, the in-process call's timeout)
 * instead of a `setTimeout` and a `clearTimeout` per request and deadline. Pending deadlines sit in a set; one
 * unref'd timer is armed for the earliest of them. Almost every deadline is cancelled long before it is due, so
 * the timer fires about once per timeout length and then scans the few deadlines in flight, firing those due
 * and re-arming for the next.
 */

/** A pending deadline; pass it to {@link cancelDeadline} once the work it guards is done. */
export interface Deadline {
  /** `Date.now()` at which it fires. */
  readonly at: number;
  readonly onExpire: () => void;
}

const pending = new Set<Deadline>();
let timer: NodeJS.Timeout | undefined;
let armedAt = Infinity;

function arm(at: number): void {
  if (timer) clearTimeout(timer);
  armedAt = at;
  timer = setTimeout(sweep, Math.max(0, at - Date.now()));
  timer.unref?.();
}

function sweep(): void {
  timer = undefined;
  armedAt = Infinity;
  const now = Date.now();
  const due: Deadline[] = [];
  let next = Infinity;
  for (const deadline of pending) {
    if (deadline.at <= now) due.push(deadline);
    else if (deadline.at < next) next = deadline.at;
  }
  for (const deadline of due) pending.delete(deadline);
  if (next < Infinity) arm(next);
  for (const deadline of due) {
    try {
      deadline.onExpire();
    } catch {
      // one failing callback does not keep the others from running
    }
  }
}

/** Calls `onExpire` once, `ms` from now, unless cancelled before. */
export function addDeadline(ms: number, onExpire: () => void): Deadline {
  const deadline: Deadline = { at: Date.now() + Math.max(0, ms), onExpire };
  pending.add(deadline);
  if (deadline.at < armedAt) arm(deadline.at);
  return deadline;
}

/** Forgets `deadline` (its `onExpire` will not run); harmless after it fired or was cancelled. */
export function cancelDeadline(deadline: Deadline): void {
  pending.delete(deadline);
}
