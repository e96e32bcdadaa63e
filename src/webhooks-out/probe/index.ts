/** Tenant webhooks, the probe: disabled endpoints tried periodically, re-enabled and replayed once they answer 2xx. */
export { probeMixin, probeLoop, ProbeLoop } from './mixin';
export type { ProbeMixinOptions } from './mixin';
export {
  resolveProbeOptions, probeOptionsFrom, PROBE_INTERVAL_VARIABLE, DEFAULT_PROBE_MAX_INTERVAL_MS, DEFAULT_PROBE_REASONS, DEFAULT_PROBE_CONCURRENCY,
} from './options';
export type { ProbeOptions, ResolvedProbeOptions, ProbeReason } from './options';
export { isProbed, isDue, currentState, nextProbeWaitMs, afterFailure, replaySinceMs, REPLAY_QUEUE_SLACK_MS } from './decide';
export type { ProbeState, ReplayBounds } from './decide';
export { probeRound, probeOne } from './round';
export type { ProbeRuntime, ProbeSubscriptions, ProbeOutcome } from './round';
export { sendProbe, probeDeliveryId, PROBE_EVENT_TYPE } from './send';
export { ProbeStateStore } from './state';
