/**
 * One shared turn of the event loop for the writes of concurrent sends: the sends waiting on it are let
 * go together, in one check phase, so the store's and the NATS client's commands of all of them leave in
 * one socket write each instead of one write per send (a write is a syscall; with 50 sends in flight
 * they finish in separate I/O callbacks, each of which would otherwise flush on its own).
 */
let waiting: Array<() => void> | undefined;

function release(): void {
  const all = waiting!;
  waiting = undefined;
  for (const go of all) go();
}

/** Resolves in the next check phase (`setImmediate`), together with every other send waiting for it. */
export function sharedTurn(): Promise<void> {
  return new Promise((resolve) => {
    if (waiting === undefined) {
      waiting = [];
      setImmediate(release);
    }
    waiting.push(resolve);
  });
}
