/**
 * What the gateway answers when a call it makes cannot reach a service. Only "no such service" for
 * the very action the route calls, while this node is connected to the others (or runs alone) and
 * has had time to see every service (see `readiness.ts`), is a 404; a service that is known but has
 * no available instance, a node cut off from the others or still starting or joining, or a service
 * missing *behind* the called action is a 503 — a platform retries a 503, but disables a webhook that
 * keeps answering 404.
 */
import type { ServiceBroker } from 'moleculer';
import { UnavailableError } from '../errors';
import { DEFAULT_DISCOVERY_GRACE_MS, discoveryPendingMs } from './readiness';

const UNREACHABLE = new Set(['SERVICE_NOT_FOUND', 'SERVICE_NOT_AVAILABLE']);

/**
 * Maps the error of `ctx.call(action, ...)`: returns `notFound()` (404) or an `UnavailableError`
 * (503) for the cases above, `err` itself for anything else.
 */
export function serviceCallError(
  err: unknown, action: string, broker: ServiceBroker | undefined, notFound: () => Error, graceMs: number = DEFAULT_DISCOVERY_GRACE_MS,
): unknown {
  const e = (err ?? {}) as { type?: unknown; data?: { action?: unknown } };
  if (typeof e.type !== 'string' || !UNREACHABLE.has(e.type)) return err;
  const service = action.split('.')[0];
  if (e.data?.action !== action) return new UnavailableError('a service this route depends on is unavailable; retry later', undefined, err);
  if (e.type === 'SERVICE_NOT_AVAILABLE') return new UnavailableError(`"${service}" has no instance available right now; retry later`, undefined, err);
  // Cut off from the other nodes, "not found" may only mean "not reachable": never a 404 then.
  const transit = (broker as unknown as { transit?: { connected?: boolean } } | undefined)?.transit;
  if (transit && !transit.connected) return new UnavailableError(`"${service}" is not reachable right now; retry later`, undefined, err);
  // Starting, or just (re)joined the cluster: the service may only not be registered yet.
  if (discoveryPendingMs(broker, graceMs) > 0) return new UnavailableError(`"${service}" is not known on this node yet (it is starting); retry later`, undefined, err);
  return notFound();
}
