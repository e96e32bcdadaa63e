/** Channel names: the SDK namespace and the channels every Switchboard service shares. */

/** The default namespace that prefixes every Switchboard channel (`SWITCHBOARD_NAMESPACE` overrides it in config). */
export const NAMESPACE = 'switchboard';

/**
 * The names of the SDK's channels under one namespace. With a literal namespace (as in
 * `INTEGRATION_CHANNELS`) the names are literal types, so a `defineService` channel handler keyed by one
 * gets its payload type (see `ChannelPayload`).
 */
export interface ChannelNames<NS extends string = string> {
  /** `<ns>.processing.message.received` — a normalized inbound message, stored before the webhook is answered. */
  readonly MESSAGE_RECEIVED: `${NS}.processing.message.received`;
  /** `<ns>.processing.message.sent` — a message the platform accepted. */
  readonly MESSAGE_SENT: `${NS}.processing.message.sent`;
  /** `<ns>.processing.message.failed` — a send that failed for good (after its retries). */
  readonly MESSAGE_FAILED: `${NS}.processing.message.failed`;
  /** `<ns>.processing.message.status` — a delivery receipt (sent, delivered, read, failed) of a sent message. */
  readonly MESSAGE_STATUS: `${NS}.processing.message.status`;
  /** `<ns>.outbound.send` — the durable queue of messages to send. */
  readonly OUTBOUND_SEND: `${NS}.outbound.send`;
}

/** `[A-Za-z0-9_-]` tokens separated by dots; no wildcards, no spaces. */
const SUBJECT_TOKEN = /^[A-Za-z0-9_-]+$/;

/** True when `name` is a valid channel (NATS subject) name: dot-separated tokens of letters, digits, `_` and `-`. */
export function isValidChannelName(name: string): boolean {
  return name.length > 0 && name.length <= 255 && name.split('.').every((t) => SUBJECT_TOKEN.test(t));
}

/** The SDK's channel names under `namespace` (default {@link NAMESPACE}). Throws on a namespace that is not a valid subject token list. */
export function channelNames<const NS extends string = typeof NAMESPACE>(namespace: NS = NAMESPACE as NS): ChannelNames<NS> {
  if (!isValidChannelName(namespace)) {
    throw new TypeError(`channelNames: namespace "${namespace}" must be dot-separated tokens of [A-Za-z0-9_-]`);
  }
  return Object.freeze({
    MESSAGE_RECEIVED: `${namespace}.processing.message.received`,
    MESSAGE_SENT: `${namespace}.processing.message.sent`,
    MESSAGE_FAILED: `${namespace}.processing.message.failed`,
    MESSAGE_STATUS: `${namespace}.processing.message.status`,
    OUTBOUND_SEND: `${namespace}.outbound.send`,
  });
}

/** The SDK's channels under the default namespace. */
export const INTEGRATION_CHANNELS: ChannelNames<typeof NAMESPACE> = channelNames(NAMESPACE);

/** The dead-letter channel under `namespace`: `<ns>.deadletter`. */
export function deadLetterChannel(namespace: string = NAMESPACE): string {
  channelNames(namespace); // validates
  return `${namespace}.deadletter`;
}

/** A JetStream stream name for a channel: dots and anything outside `[A-Za-z0-9_-]` become `_`. */
export function streamNameFor(channel: string): string {
  return channel.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** A durable consumer name for a group: same rule as {@link streamNameFor}. */
export function durableNameFor(group: string): string {
  return group.replace(/[^A-Za-z0-9_-]/g, '_');
}
