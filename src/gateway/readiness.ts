/**
 * Whether this node can tell "no such service" from "not seen yet". Right after a (re)start the gateway
 * listens before the local services are registered, and after joining a cluster the other nodes'
 * services arrive over the following moments: a 404 then would be a lie that makes platforms disable
 * the webhook. Until the broker has started (every local service registered) and for a grace period
 * after each connection to the transporter, an unknown service is "not yet known" (503 + Retry-After).
 */
import type { ServiceBroker } from 'moleculer';

/** Default grace after the node (re)joins a cluster during which an unknown service answers 503, not 404: 10 s. */
export const DEFAULT_DISCOVERY_GRACE_MS = 10_000;

interface Tracker { joinedAt: number; startedAt: number | undefined }

const trackers = new WeakMap<ServiceBroker, Tracker>();

type Transit = { connected?: boolean };
const transitOf = (broker: ServiceBroker) => (broker as unknown as { transit?: Transit }).transit;

/**
 * Starts watching `broker` (idempotent): the time it started and the time of its last transporter
 * (re)connection. Call it when the gateway is created; a broker first seen later counts as having
 * just joined (the grace runs from then — it errs towards 503).
 */
export function trackReadiness(broker: ServiceBroker): void {
  if (trackers.has(broker)) return;
  const now = Date.now();
  const tracker: Tracker = { joinedAt: now, startedAt: broker.started ? now : undefined };
  trackers.set(broker, tracker);
  const bus = (broker as unknown as { localBus?: { on(event: string, fn: () => void): void } }).localBus;
  bus?.on('$transporter.connected', () => { tracker.joinedAt = Date.now(); });
  bus?.on('$broker.started', () => { tracker.startedAt = Date.now(); });
}

/**
 * How long (ms) until a missing service may be called missing on this node: 0 once the broker has
 * started and, with a transporter, `graceMs` have passed since the last (re)connection.
 */
export function discoveryPendingMs(broker: ServiceBroker | undefined, graceMs: number = DEFAULT_DISCOVERY_GRACE_MS): number {
  if (!broker) return 0;
  trackReadiness(broker);
  const tracker = trackers.get(broker)!;
  if (!broker.started) return Math.max(graceMs, 1_000);
  const transit = transitOf(broker);
  if (!transit) return 0;
  if (!transit.connected) return Math.max(graceMs, 1_000);
  const since = Math.max(tracker.joinedAt, tracker.startedAt ?? 0);
  return Math.max(0, since + graceMs - Date.now());
}
