/** Inbound pipeline options: every default a named `DEFAULT_*` constant, merged and checked in one place. */
import { ConfigError } from '../errors';
import { assertIntOption, assertOption } from '../errors/options';
import { BODY_FORMATS, type BodyFormat } from './inbound/body-format';

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

/** Body formats taken when `inbound.bodyFormats` is not given: JSON only. */
export const DEFAULT_BODY_FORMATS: readonly BodyFormat[] = ['json'];
/** Most fields a form body may carry: 1000. More → 400. */
export const DEFAULT_MAX_FORM_FIELDS = 1000;
/** Form fields whose value is parsed as JSON: Slack interactivity's `payload`. */
export const DEFAULT_FORM_JSON_FIELDS: readonly string[] = ['payload'];
/**
 * How long an `answers` handler may take, after the messages are stored, before the default answer is sent:
 * 2 s — inside Discord's and Slack's 3-second deadline with the storing before it.
 */
export const DEFAULT_ANSWER_TIMEOUT_MS = 2_000;

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
  /**
   * The bodies taken: `'json'` (`application/json`, `application/*+json`) and/or `'form'`
   * (`application/x-www-form-urlencoded`: Slack commands and interactivity, Twilio); another content type → 415.
   * The signature is always checked over the raw bytes first. Default {@link DEFAULT_BODY_FORMATS} (`['json']`).
   */
  bodyFormats?: readonly BodyFormat[];
  /** Most fields a form body may carry. Default {@link DEFAULT_MAX_FORM_FIELDS}. */
  maxFormFields?: number;
  /** Form fields whose value is JSON, parsed into the payload (depth-limited). Default {@link DEFAULT_FORM_JSON_FIELDS} (`['payload']`). */
  formJsonFields?: readonly string[];
  /** Time budget of an `answers` handler, in ms; over it the default answer is sent. Default {@link DEFAULT_ANSWER_TIMEOUT_MS}. */
  answerTimeoutMs?: number;
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
    bodyFormats: options.bodyFormats ?? DEFAULT_BODY_FORMATS,
    maxFormFields: options.maxFormFields ?? DEFAULT_MAX_FORM_FIELDS,
    formJsonFields: options.formJsonFields ?? DEFAULT_FORM_JSON_FIELDS,
    answerTimeoutMs: options.answerTimeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS,
  };
  positiveInt(where, 'channelCacheTtlMs', o.channelCacheTtlMs, 0);
  positiveInt(where, 'claimTtlMs', o.claimTtlMs, 100);
  positiveInt(where, 'doneTtlMs', o.doneTtlMs, 100);
  positiveInt(where, 'maxBodyBytes', o.maxBodyBytes, 1);
  positiveInt(where, 'maxJsonDepth', o.maxJsonDepth, 1);
  positiveInt(where, 'maxMessagesPerWebhook', o.maxMessagesPerWebhook, 1);
  positiveInt(where, 'maxFormFields', o.maxFormFields, 1);
  positiveInt(where, 'answerTimeoutMs', o.answerTimeoutMs, 1);
  assertOption(Array.isArray(o.bodyFormats) && o.bodyFormats.length > 0 && o.bodyFormats.every((f) => BODY_FORMATS.includes(f)),
    where, 'inbound.bodyFormats', `must be a non-empty list of ${BODY_FORMATS.map((f) => `'${f}'`).join(', ')}`, o.bodyFormats);
  assertOption(Array.isArray(o.formJsonFields) && o.formJsonFields.every((f) => typeof f === 'string' && f !== ''),
    where, 'inbound.formJsonFields', 'must be a list of field names', o.formJsonFields);
  if (o.doneTtlMs < o.claimTtlMs) {
    throw new ConfigError(`${where}: option \`inbound.doneTtlMs\` (${o.doneTtlMs}) must not be shorter than \`inbound.claimTtlMs\` (${o.claimTtlMs})`, { option: 'inbound.doneTtlMs' });
  }
  return o;
}
