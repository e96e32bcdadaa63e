/** What an integration author writes (`IntegrationServiceConfig`) and what `defineIntegration` returns (`IntegrationServiceSchema`). */
import type { Service, ServiceSchema } from 'moleculer';
import type { JsonKeyFilter } from '../filters';
import type { SignatureInput, SignatureScheme, VerifyResult } from '../security';
import type {
  AppContext, BaseSpec, IntegrationConfig, NormalizedMessage, NormalizedStatus, OutboundMessage, SendResult, WebhookEvent,
} from '../types';
import type { ServiceConfig } from '../service/types';
import type { InboundOptions } from './options';
import type { OutboundOptions } from './outbound/options';
import type { SendAttempt } from './outbound/send-message';

/** A GET on the webhook URL (a platform's subscription challenge), as `verifyWebhook` sees it. */
export interface WebhookChallengeRequest {
  channelId: string;
  /** Query parameters; a repeated name keeps its first value. */
  query: Record<string, string>;
  /** Request headers, names lower-cased. */
  headers: Record<string, string>;
}

/** What answers a challenge: a string is sent as `text/plain`, an object as JSON. */
export type WebhookChallengeAnswer = string | Record<string, unknown>;

/** What an `answers` handler learns about the stored webhook. */
export interface StoredWebhook {
  eventId: string;
  /** Messages this event carries, all stored (0 for a duplicate delivery). */
  messages: number;
  /** True when an earlier delivery of the event stored it. */
  duplicate: boolean;
}

/** The HTTP answer body an `answers` handler returns: a string is sent as text, anything else as JSON. */
export type WebhookAnswerBody = string | Record<string, unknown> | unknown[];

/**
 * One answer route (clustaar.webhook's `app.on(event, handler, filter)`): for webhooks of `event` (or any of
 * a list, or `'*'`) whose payload passes `filter`, `handler`'s return value is the HTTP answer body. It runs
 * only after the messages are stored, within `inbound.answerTimeoutMs`; returning undefined, throwing or
 * running over the budget sends the default answer instead.
 */
export interface WebhookAnswer<TPayload = Record<string, unknown>> {
  event: string | readonly string[];
  /** A JSON-key filter over the payload (`jsonKeyEquals`, `allOf`...). Default: every payload. */
  filter?: JsonKeyFilter;
  handler(this: IntegrationThis, webhook: WebhookEvent<TPayload>, stored: StoredWebhook): WebhookAnswerBody | undefined | Promise<WebhookAnswerBody | undefined>;
}

/** The outcome of a custom `validateSignature`: a `VerifyResult`, or a plain boolean. */
export type CustomVerifyResult = VerifyResult | boolean;

/** What `checkHealth` reports for one channel. */
export interface ChannelHealth {
  healthy: boolean;
  message?: string;
  /** Round-trip time of the check, in ms. */
  latencyMs?: number;
  details?: Record<string, unknown>;
}

/** What `validateCredentials` reports; never include a secret. */
export interface CredentialsCheck {
  valid: boolean;
  message?: string;
}

/** `this` inside every hook: the Moleculer service instance. */
export type IntegrationThis = Service;

/**
 * An integration: its spec, how its webhooks are verified, identified and normalized, and
 * (optionally) how it sends. Hooks run with `this` bound to the service. `TPayload` (the parsed
 * body) is inferred from an annotated hook, e.g. `normalize(webhook: WebhookEvent<AcmeBody>)`.
 */
export interface IntegrationServiceConfig<
  TPayload = Record<string, unknown>,
  TChannel extends IntegrationConfig = IntegrationConfig,
> {
  /** The Moleculer service name; also the `:integration` segment of the webhook URL. `[A-Za-z0-9_-]`. */
  name: string;
  /** Static description reported by `i_status`. `spec.platform` must equal a channel's `platform`. */
  spec: BaseSpec;

  // ── inbound ──
  /** How deliveries are signed. Required unless `validateSignature` is given. */
  webhookSignature?: SignatureScheme;
  /**
   * A custom signature check, used instead of `webhookSignature`. Return `true`/`false` or a
   * `VerifyResult`. A throw counts as an invalid signature (401), never as a server error.
   */
  validateSignature?(this: IntegrationThis, input: SignatureInput, channel: TChannel): CustomVerifyResult | Promise<CustomVerifyResult>;
  /**
   * What a duplicate delivery shares (a string or number). Default (also when this returns
   * undefined or null): the scheme's delivery id (e.g. `webhook-id`), else the SHA-256 of the raw
   * body. Anything else but a non-empty string or a finite number → 400.
   */
  eventId?(this: IntegrationThis, webhook: WebhookEvent<TPayload>): unknown;
  /**
   * The channel's config, or null when unknown. Memoized in process for `inbound.channelCacheTtlMs`.
   * Default: the broker's channel registry (`channelRegistry(broker).get`).
   */
  getChannelConfig?(this: IntegrationThis, ctx: AppContext, channelId: string): Promise<TChannel | null> | TChannel | null;
  /** Extra payload validation after parsing; `false` → 400. */
  validateWebhook?(this: IntegrationThis, webhook: WebhookEvent<TPayload>): boolean | Promise<boolean>;
  /** The messages a webhook carries (may be none: status updates, typing...). */
  normalize(this: IntegrationThis, webhook: WebhookEvent<TPayload>, channel: TChannel): NormalizedMessage[] | Promise<NormalizedMessage[]>;
  /**
   * The delivery receipts a webhook carries (WhatsApp `statuses`), published after its messages on
   * `<ns>.processing.message.status`, de-duplicated per (message id, status). Default: none.
   */
  statuses?(this: IntegrationThis, webhook: WebhookEvent<TPayload>, channel: TChannel): NormalizedStatus[] | Promise<NormalizedStatus[]>;
  /**
   * Answers a GET subscription challenge. Default: Meta's `hub.mode=subscribe`,
   * `hub.verify_token` (checked against `settings.verifyToken`), `hub.challenge`.
   */
  verifyWebhook?(this: IntegrationThis, ctx: AppContext, request: WebhookChallengeRequest, channel: TChannel): WebhookChallengeAnswer | Promise<WebhookChallengeAnswer>;
  /**
   * Answers a challenge that arrives as a signed POST (checked after the signature, before the
   * claim): return the answer, or undefined for an ordinary delivery. Default: Slack's
   * `url_verification` → `{ challenge }`. `false` turns POST challenges off.
   */
  webhookChallenge?: false | ((this: IntegrationThis, webhook: WebhookEvent<TPayload>) => WebhookChallengeAnswer | undefined);
  /** Timeouts, TTLs and limits of the inbound pipeline. */
  inbound?: InboundOptions;
  /** The event type of a webhook (`'ping'`, `'slash_command'`, `'block_actions'`...), which `answers` route on. Default: none (only `'*'` answers match). */
  eventType?(this: IntegrationThis, webhook: WebhookEvent<TPayload>): string | undefined;
  /** HTTP answers shaped by the integration, after storage; the first matching entry answers. Default: `{ success, messages, eventId }`. */
  answers?: ReadonlyArray<WebhookAnswer<TPayload>>;

  // ── outbound (hooks used by the outbound actions) ──
  /**
   * Sends one message through the platform; returns the platform's message id. Called once per
   * attempt: pass `attempt.signal` to `fetch` (it fires at the attempt timeout) and
   * `attempt.idempotencyKey` to the platform if it de-duplicates; throw `PlatformError` (see `ensureOk`) on an error status.
   */
  sendMessage?(this: IntegrationThis, ctx: AppContext, message: OutboundMessage, channel: TChannel, attempt: SendAttempt): Promise<SendResult>;
  /** Adjusts a message before `sendMessage` (e.g. platform limits, formatting). */
  transform?(this: IntegrationThis, message: OutboundMessage, channel: TChannel): OutboundMessage | Promise<OutboundMessage>;
  /** Checks that the platform is reachable for a channel. */
  checkHealth?(this: IntegrationThis, ctx: AppContext, channel: TChannel): Promise<ChannelHealth>;
  /** Checks a channel's credentials against the platform. */
  validateCredentials?(this: IntegrationThis, ctx: AppContext, channel: TChannel): Promise<CredentialsCheck>;
  /** Retries, idempotency, rate limit, timeouts and the queued-send consumer of the outbound actions. */
  outbound?: OutboundOptions;

  // ── the rest of a service, passed through to defineService ──
  /** Datasource classes, as in `defineService` (`ctx.datasources.<name>`, `this.datasources.<name>`). */
  datasources?: ServiceConfig['datasources'];
  /** Method memoization, as in `defineService`. */
  memoize?: ServiceConfig['memoize'];
  settings?: ServiceSchema['settings'];
  metadata?: ServiceSchema['metadata'];
  dependencies?: ServiceSchema['dependencies'];
  mixins?: ServiceSchema['mixins'];
  actions?: ServiceSchema['actions'];
  methods?: ServiceSchema['methods'];
  events?: ServiceSchema['events'];
  hooks?: ServiceSchema['hooks'];
  channels?: Record<string, unknown>;
  created?: ServiceSchema['created'];
  started?: ServiceSchema['started'];
  stopped?: ServiceSchema['stopped'];
}

/** The Moleculer service schema `defineIntegration` returns: the standard `i_*` actions plus the author's own. */
export interface IntegrationServiceSchema extends ServiceSchema {
  name: string;
  actions: NonNullable<ServiceSchema['actions']>;
}
