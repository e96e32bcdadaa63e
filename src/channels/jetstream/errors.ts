/**
 * Typed provisioning failures (as nats.js's `jserrors.ts`): one class with a reason code `as const`
 * and `isX(err)` predicates, the cause kept; and the JetStream API error codes we act on, read from
 * `api_error.err_code` instead of matching messages.
 */
import { ConfigError } from '../../errors';

/** Why provisioning a stream, a consumer or the failure-count bucket failed. */
export const ProvisionErrorReason = {
  /** The server did not answer a stream/bucket lookup (JetStream starting, timeout): worth retrying. */
  StreamUnreadable: 'STREAM_UNREADABLE',
  /** Creating a stream/bucket failed for a reason other than a conflict (JetStream starting, limits): worth retrying. */
  StreamNotCreated: 'STREAM_NOT_CREATED',
  /** An existing stream's config differs from the wanted one (`data.conflicts`); not retried. */
  StreamConflict: 'STREAM_CONFLICT',
  /** An existing consumer cannot be used (a push consumer, another ack policy); not retried. */
  ConsumerConflict: 'CONSUMER_CONFLICT',
  /** The adapter is not connected. */
  NotConnected: 'NOT_CONNECTED',
} as const;
export type ProvisionErrorReason = (typeof ProvisionErrorReason)[keyof typeof ProvisionErrorReason];

/** Reasons a retry may fix. */
const TRANSIENT: ReadonlySet<ProvisionErrorReason> = new Set([ProvisionErrorReason.StreamUnreadable, ProvisionErrorReason.StreamNotCreated, ProvisionErrorReason.NotConnected]);

/**
 * A stream, consumer or bucket could not be provisioned. A `ConfigError` (the start fails with it);
 * `reason` (also in `data.reason`, so it survives the transporter) says why.
 */
export class ProvisionError extends ConfigError {
  readonly reason: ProvisionErrorReason;

  constructor(reason: ProvisionErrorReason, message: string, data: Record<string, unknown> = {}, cause?: unknown) {
    super(message, { ...data, reason }, cause);
    this.name = 'ProvisionError';
    this.reason = reason;
  }
}

function hasReason(err: unknown, reason: ProvisionErrorReason): boolean {
  return err instanceof ProvisionError && err.reason === reason;
}

export function isProvisionError(err: unknown): err is ProvisionError {
  return err instanceof ProvisionError;
}
/** An existing stream conflicts with the wanted config. */
export function isStreamConflict(err: unknown): err is ProvisionError {
  return hasReason(err, ProvisionErrorReason.StreamConflict);
}
/** An existing consumer cannot be used by this adapter. */
export function isConsumerConflict(err: unknown): err is ProvisionError {
  return hasReason(err, ProvisionErrorReason.ConsumerConflict);
}
/**
 * Worth another try: a provisioning failure a retry may fix, or any other error (a NATS timeout,
 * a connection lost mid-way). Conflicts are not: they need an operator.
 */
export function isRetryableProvisioning(err: unknown): boolean {
  return !(err instanceof ConfigError) || (err instanceof ProvisionError && TRANSIENT.has(err.reason));
}

/** JetStream API error codes (`api_error.err_code`) the adapter acts on. */
export const JsApiErrorCode = {
  ConsumerNotFound: 10014,
  StreamNameInUse: 10058,
  StreamNotFound: 10059,
  /** Another stream holds the subjects — also what a create racing another node's create of the same stream can get. */
  StreamSubjectOverlap: 10065,
  /** `Nats-Expected-Last-Subject-Sequence` did not match: another writer came first (KV compare-and-set). */
  WrongLastSequence: 10071,
} as const;
export type JsApiErrorCode = (typeof JsApiErrorCode)[keyof typeof JsApiErrorCode];

/** The JetStream API error code of a nats.js error, if the server answered with one. */
export function jsApiErrorCode(err: unknown): number | undefined {
  return (err as { api_error?: { err_code?: number } } | null)?.api_error?.err_code;
}

/** The server answered "no such stream" or "no such consumer" (by code, or by status 404 from an older server). */
export function isNotFound(err: unknown): boolean {
  const code = jsApiErrorCode(err);
  if (code !== undefined) return code === JsApiErrorCode.StreamNotFound || code === JsApiErrorCode.ConsumerNotFound;
  return (err as { api_error?: { code?: number } } | null)?.api_error?.code === 404;
}

/** The server refused a stream create because the name is taken (created meanwhile by another node). */
export function isStreamNameInUse(err: unknown): boolean {
  return jsApiErrorCode(err) === JsApiErrorCode.StreamNameInUse;
}

/** The subjects are held by another stream (or by the same stream, created meanwhile by another node). */
export function isStreamSubjectOverlap(err: unknown): boolean {
  return jsApiErrorCode(err) === JsApiErrorCode.StreamSubjectOverlap;
}

/** A compare-and-set write lost to another writer. */
export function isWrongLastSequence(err: unknown): boolean {
  return jsApiErrorCode(err) === JsApiErrorCode.WrongLastSequence;
}
