/** Inbound pipeline options: every default a named `DEFAULT_*` constant, merged and checked in one place. */
import { ConfigError } from '../errors';
import { assertIntOption } from '../errors/options';

/** A resolved channel config is reused for this long before `getChannelConfig` is asked again: 5 s. */
export const DEFAULT_CHANNEL_CACHE_TTL_MS = 5_000;
/** A claim on an event id held by a request in flight expires after 30 s (a crashed node frees it). */
export const DEFAULT_CLAIM_TTL_MS = 30_000;
/** An event id stays marked done for 24 h: cover the platform's retry horizon. */
export const DEFAULT_DONE_TTL_MS = 24 * 60 * 60 * 1000;
/** Largest webhook body accepted: 1 MiB. Above it → 413 before any signature work. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Deepest JSON nesting accepted in a webhook body: 64 levels. Deeper → 400 before parsing. */
export const DEFAULT_MAX_JSON_DEPTH = 64;
/** Most messages one webhook may normalize to: 100. More → 400. */
export const DEFAULT_MAX_MESSAGES_PER_WEBHOOK = 100;

/** How an integration's inbound pipeline behaves. Every field is optional. */
export interface InboundOptions {
  /** How long a channel config is memoized, in ms (0 = never). Default {@link DEFAULT_CHANNEL_CACHE_TTL_MS}. */
  channelCacheTtlMs?: number;
  /** Lifetime of an in-flight claim on an event id, in ms. Default {@link DEFAULT_CLAIM_TTL_MS}. */
  claimTtlMs?: number;
  /** How long an event id stays marked done, in ms; at least `claimTtlMs`. Default {@link DEFAULT_DONE_TTL_MS} (24 h). */
  doneTtlMs?: number;
  /** Largest body accepted by `i_receiveWebhook`, in bytes. Default {@link DEFAULT_MAX_BODY_BYTES} (1 MiB). */
  maxBodyBytes?: number;
  /** Deepest JSON nesting accepted. Default {@link DEFAULT_MAX_JSON_DEPTH}. */
  maxJsonDepth?: number;
  /** Most messages one webhook may carry. Default {@link DEFAULT_MAX_MESSAGES_PER_WEBHOOK}. */
  maxMessagesPerWebhook?: number;
}

export type ResolvedInboundOptions = Required<InboundOptions>;

const positiveInt = (where: string, option: keyof InboundOptions, value: number, min: number) =>
  assertIntOption(where, `inbound.${option}`, value, min);

/** Merges `options` over the defaults; throws `ConfigError` naming the option when a value is invalid or conflicts. */
export function resolveInboundOptions(where: string, options: InboundOptions = {}): ResolvedInboundOptions {
  const o: ResolvedInboundOptions = {
    channelCacheTtlMs: options.channelCacheTtlMs ?? DEFAULT_CHANNEL_CACHE_TTL_MS,
    claimTtlMs: options.claimTtlMs ?? DEFAULT_CLAIM_TTL_MS,
    doneTtlMs: options.doneTtlMs ?? DEFAULT_DONE_TTL_MS,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    maxJsonDepth: options.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH,
    maxMessagesPerWebhook: options.maxMessagesPerWebhook ?? DEFAULT_MAX_MESSAGES_PER_WEBHOOK,
  };
  positiveInt(where, 'channelCacheTtlMs', o.channelCacheTtlMs, 0);
  positiveInt(where, 'claimTtlMs', o.claimTtlMs, 100);
  positiveInt(where, 'doneTtlMs', o.doneTtlMs, 100);
  positiveInt(where, 'maxBodyBytes', o.maxBodyBytes, 1);
  positiveInt(where, 'maxJsonDepth', o.maxJsonDepth, 1);
  positiveInt(where, 'maxMessagesPerWebhook', o.maxMessagesPerWebhook, 1);
  if (o.doneTtlMs < o.claimTtlMs) {
    throw new ConfigError(`${where}: option \`inbound.doneTtlMs\` (${o.doneTtlMs}) must not be shorter than \`inbound.claimTtlMs\` (${o.claimTtlMs})`, { option: 'inbound.doneTtlMs' });
  }
  return o;
}
