/**
 * One error class per failure. Each extends a Moleculer error so `code` (the HTTP status),
 * `type` (a stable machine name), `data` and `retryable` survive the transporter, the
 * gateway's JSON answer and dead-letter headers. The original error is kept as `cause`.
 */
import { Errors } from 'moleculer';

export const ERROR_TYPES = {
  CONFIG_INVALID: 'CONFIG_INVALID',
  BAD_REQUEST: 'BAD_REQUEST',
  UNAUTHORIZED: 'UNAUTHORIZED',
  INVALID_SIGNATURE: 'INVALID_SIGNATURE',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  RATE_LIMITED: 'RATE_LIMITED',
  DATASOURCE_FAILED: 'DATASOURCE_FAILED',
  PUBLISH_FAILED: 'PUBLISH_FAILED',
  UNAVAILABLE: 'UNAVAILABLE',
  UNSAFE_URL: 'UNSAFE_URL',
  PLATFORM_ERROR: 'PLATFORM_ERROR',
  TIMEOUT: 'TIMEOUT',
  RETRY_EXHAUSTED: 'RETRY_EXHAUSTED',
  SEND_AMBIGUOUS: 'SEND_AMBIGUOUS',
} as const;
export type ErrorType = (typeof ERROR_TYPES)[keyof typeof ERROR_TYPES];

type Data = Record<string, unknown> | undefined;

function keepCause(err: Error, cause: unknown): void {
  if (cause !== undefined) Object.defineProperty(err, 'cause', { value: cause, enumerable: false, writable: true });
}

/** A configuration value (environment variable, service config, option) is invalid. Names the culprit. */
export class ConfigError extends Errors.MoleculerError {
  constructor(message: string, data?: Data, cause?: unknown) {
    super(message, 500, ERROR_TYPES.CONFIG_INVALID, data);
    keepCause(this, cause);
  }
}

/** 400: the request is malformed or fails validation. */
export class BadRequestError extends Errors.MoleculerClientError {
  constructor(message: string, data?: Data, cause?: unknown) {
    super(message, 400, ERROR_TYPES.BAD_REQUEST, data);
    keepCause(this, cause);
  }
}

/** 401: no credentials, or credentials not recognised. */
export class UnauthorizedError extends Errors.MoleculerClientError {
  constructor(message = 'Unauthorized', data?: Data) {
    super(message, 401, ERROR_TYPES.UNAUTHORIZED, data);
  }
}

/** 401: a webhook signature or timestamp did not verify. The message says why, never the secret. */
export class SignatureError extends Errors.MoleculerClientError {
  constructor(message: string, data?: Data) {
    super(message, 401, ERROR_TYPES.INVALID_SIGNATURE, data);
  }
}

/** 403: authenticated, but not allowed (role, permission or tenant). */
export class ForbiddenError extends Errors.MoleculerClientError {
  constructor(message = 'Forbidden', data?: Data) {
    super(message, 403, ERROR_TYPES.FORBIDDEN, data);
  }
}

/** 404: the channel, integration or resource does not exist (or is disabled). */
export class NotFoundError extends Errors.MoleculerClientError {
  constructor(message: string, data?: Data) {
    super(message, 404, ERROR_TYPES.NOT_FOUND, data);
  }
}

/** 409: the request conflicts with work in flight or existing state. */
export class ConflictError extends Errors.MoleculerClientError {
  constructor(message: string, data?: Data) {
    super(message, 409, ERROR_TYPES.CONFLICT, data);
  }
}

/** 413: the body is over the configured limit. */
export class PayloadTooLargeError extends Errors.MoleculerClientError {
  constructor(message: string, data?: Data) {
    super(message, 413, ERROR_TYPES.PAYLOAD_TOO_LARGE, data);
  }
}

/** 415: the body's content type is not one the endpoint reads. */
export class UnsupportedMediaTypeError extends Errors.MoleculerClientError {
  constructor(message: string, data?: Data) {
    super(message, 415, ERROR_TYPES.UNSUPPORTED_MEDIA_TYPE, data);
  }
}

/** 429: a rate limit was hit; `data.retryAfterMs` says when to try again, when known. */
export class RateLimitError extends Errors.MoleculerRetryableError {
  constructor(message: string, data?: Data) {
    super(message, 429, ERROR_TYPES.RATE_LIMITED, data);
  }
}

/** A datasource failed in a lifecycle hook; `data.datasource` names it. */
export class DatasourceError extends Errors.MoleculerError {
  constructor(message: string, data: { datasource: string; service?: string; hook: string }, cause?: unknown) {
    super(message, 500, ERROR_TYPES.DATASOURCE_FAILED, data);
    keepCause(this, cause);
  }
}

/** 503: a message was not durably stored (no PubAck). The sender should retry. */
export class PublishError extends Errors.MoleculerRetryableError {
  constructor(message: string, data?: Data, cause?: unknown) {
    super(message, 503, ERROR_TYPES.PUBLISH_FAILED, data);
    keepCause(this, cause);
  }
}

/** 503: a dependency (Redis, NATS, the platform) is unavailable right now. */
export class UnavailableError extends Errors.MoleculerRetryableError {
  constructor(message: string, data?: Data, cause?: unknown) {
    super(message, 503, ERROR_TYPES.UNAVAILABLE, data);
    keepCause(this, cause);
  }
}

/**
 * 502: a platform answered with an error status. `data.status` is the platform's HTTP status,
 * `data.retryAfterMs` its `Retry-After` (or body hint), `data.body` a bounded excerpt of its answer.
 * Retryable for 408, 429 and 5xx.
 */
export class PlatformError extends Errors.MoleculerError {
  constructor(message: string, data: { status: number; retryAfterMs?: number; body?: unknown; [key: string]: unknown }, cause?: unknown) {
    const retryable = data.status === 408 || data.status === 429 || data.status >= 500;
    super(message, 502, ERROR_TYPES.PLATFORM_ERROR, data);
    this.retryable = retryable;
    keepCause(this, cause);
  }
}

/** 504: one attempt took longer than its timeout. `data.timeoutMs` says how long was allowed. */
export class TimeoutError extends Errors.MoleculerRetryableError {
  constructor(message: string, data?: Data, cause?: unknown) {
    super(message, 504, ERROR_TYPES.TIMEOUT, data);
    keepCause(this, cause);
  }
}

/** 502: every attempt allowed failed. `data.attempts` counts them, `data.lastError` describes the last; `cause` is it. */
export class RetryExhaustedError extends Errors.MoleculerError {
  constructor(message: string, data: { attempts: number; [key: string]: unknown }, cause?: unknown) {
    super(message, 502, ERROR_TYPES.RETRY_EXHAUSTED, data);
    keepCause(this, cause);
  }
}

/**
 * 504: an attempt failed after the request may have reached the platform (a timeout, a reset
 * connection) and the send is not idempotent, so it was not resent: it may or may not have been delivered.
 */
export class AmbiguousSendError extends Errors.MoleculerError {
  constructor(message: string, data: { attempts: number; [key: string]: unknown }, cause?: unknown) {
    super(message, 504, ERROR_TYPES.SEND_AMBIGUOUS, data);
    keepCause(this, cause);
  }
}

/** 400: a tenant-supplied URL points somewhere outbound requests may not go (internal address, bad scheme). Not retried. */
export class UnsafeUrlError extends Errors.MoleculerClientError {
  constructor(message: string, data?: Data, cause?: unknown) {
    super(message, 400, ERROR_TYPES.UNSAFE_URL, data);
    keepCause(this, cause);
  }
}

/** True when `err` carries the given Switchboard error type (works across the transporter, where classes are lost). */
export function isErrorType(err: unknown, type: ErrorType): boolean {
  return typeof err === 'object' && err !== null && (err as { type?: unknown }).type === type;
}

// ── issue 8 (gateway hardening) ──

/** 408: the request (its body) did not arrive within the gateway's deadline. `data.timeoutMs` says how long was allowed. */
export class RequestTimeoutError extends Errors.MoleculerClientError {
  constructor(message: string, data?: Data) {
    super(message, 408, 'REQUEST_TIMEOUT', data);
  }
}

/** 405: the path exists, not with this method. `data.allow` lists the methods it takes. */
export class MethodNotAllowedError extends Errors.MoleculerClientError {
  constructor(message: string, data: { allow: string[] }) {
    super(message, 405, 'METHOD_NOT_ALLOWED', data);
  }
}
