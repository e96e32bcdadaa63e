/** The contract every webhook signature scheme implements: inputs, the verify result, the scheme interface. */

/** Request headers as Node and moleculer-web hand them over; names are matched case-insensitively. */
export type WebhookHeaders = Record<string, string | string[] | undefined>;

/** What a scheme needs to verify one delivery. */
export interface SignatureInput {
  /** The exact bytes the platform sent. Never a re-serialized body. */
  rawBody: Buffer;
  /** The request headers. */
  headers: WebhookHeaders;
  /** Every active secret of the channel; a delivery signed with any of them is accepted (rotation). */
  secrets: readonly string[];
  /** The current time in milliseconds, for timestamp checks. Default: `Date.now()`. */
  now?: number;
  /**
   * The request's public URL, for schemes that sign it (Twilio): the channel's `settings.publicUrl`, else
   * `SWITCHBOARD_PUBLIC_URL` + the request's path and query. Never built from the `Host` header.
   */
  url?: string;
  /** What the channel's own checks proved before the signature step (`noSignature()` needs one of them). */
  authenticatedBy?: readonly ChannelAuthentication[];
}

/** A channel-level check that passed before verification: HTTP basic auth, or a source address allowlist. */
export type ChannelAuthentication = 'basicAuth' | 'allowedSources';

/** Why a delivery did not verify. Every reason maps to HTTP 401. */
export type VerifyFailureReason = 'missing' | 'malformed' | 'mismatch' | 'stale' | 'future';

/** The outcome of `verify`: either valid (with what the scheme learned) or a reason and a message safe to log. */
export type VerifyResult =
  | { valid: true; /** Seconds since the epoch, when the scheme carries a timestamp. */ timestamp?: number; /** The delivery id, when the scheme carries one. */ eventId?: string }
  | { valid: false; reason: VerifyFailureReason; message: string };

/** What `sign` needs to produce the headers a platform would send. */
export interface SignParams {
  /** The body to sign; a string is signed as its UTF-8 bytes. */
  rawBody: Buffer | string;
  /** The secret to sign with, in the form the scheme expects (e.g. `whsec_...` for Standard Webhooks). */
  secret: string;
  /** Seconds since the epoch, for schemes that carry a timestamp. Default: now. */
  timestamp?: number;
  /** The delivery id, for schemes that carry one. Default: a random `msg_<uuid>`. */
  id?: string;
  /** The public URL the request is sent to, for schemes that sign it (Twilio). */
  url?: string;
}

/** A webhook signature scheme: verifies what a platform sends and signs what one would send. */
export interface SignatureScheme {
  /** A short stable name, e.g. `standard-webhooks`, `meta`, `hmac-sha256-hex`. */
  readonly name: string;
  /** Checks a delivery against every secret. Never throws, whatever the headers or body. */
  verify(input: SignatureInput): VerifyResult;
  /** The headers a platform would send for this body (tests, CLI, outbound webhooks). Throws `ConfigError` on an unusable secret. */
  sign(input: SignParams): Record<string, string>;
  /** The replay window in seconds, when the scheme carries a timestamp. */
  readonly toleranceSeconds?: number;
  /** True for `noSignature()`: the pipeline accepts it only on channels with `basicAuth` or `allowedSources`. */
  readonly unsigned?: boolean;
}
