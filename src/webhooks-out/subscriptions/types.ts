/** Shapes of the subscription store: what is stored, what callers give, what rotation returns, and the defaults. */
import type { StoredSecret } from '../../registry/types';
import type { Subscription, SubscriptionFilter, SubscriptionStatus } from '../types';

export type { StoredSecret };

/** A subscription as the store keeps it: the public record plus its signing secrets. Never return it over the API. */
export interface SubscriptionRecord extends Subscription {
  /** Newest first; `expiresAt` (ms since the epoch) is set on secrets being rotated out. */
  secrets: StoredSecret[];
  /** ISO 8601: when a disabled subscription was disabled (kept by the store, not part of the public record). */
  disabledAt?: string;
}

/** What `create` takes (the body of `POST /api/subscriptions`). */
export interface SubscriptionInput {
  /** `http:` or `https:`; an internal address is refused unless `SWITCHBOARD_ALLOW_PRIVATE_URLS=true`. */
  url: string;
  /** `message.received`, `message.sent`, `message.failed`, `message.status`, or `*`; at least one. */
  events: string[];
  /** JSON-key filter on the event's payload: `{ equals?, in?, exists? }`, all must hold. */
  filter?: SubscriptionFilter;
  /** Free text, at most {@link MAX_DESCRIPTION_LENGTH} characters. */
  description?: string;
  /** Default `none`. */
  ordering?: 'none' | 'conversation';
  /** `whsec_` + standard base64 of 24–64 bytes. Default: generated (32 random bytes). */
  secret?: string;
}

/** What `update` takes: every field replaced as given; `null` removes `filter` or `description`. */
export interface SubscriptionUpdate {
  url?: string;
  events?: string[];
  filter?: SubscriptionFilter | null;
  description?: string | null;
  ordering?: 'none' | 'conversation';
}

/** A subscription from `SWITCHBOARD_SUBSCRIPTIONS`: its id, tenant and secret(s) come from the configuration. */
export interface StaticSubscriptionInput extends Omit<SubscriptionInput, 'secret'> {
  /** `[A-Za-z0-9_-]`, 1–128 characters. */
  id: string;
  tenantId: string;
  /** The signing secret; or `secrets` (first is current, the others stay accepted). One of the two is required. */
  secret?: string;
  secrets?: string[];
  /** Status on first start (later starts keep the status the subscription has). Default `active`. */
  status?: SubscriptionStatus;
}

/** Options of `rotateSecret`. */
export interface RotateSubscriptionSecretOptions {
  /** The new secret (`whsec_...`). Default: generated. */
  secret?: string;
  /** How long the previous secrets keep signing deliveries, in seconds. Default {@link DEFAULT_SUBSCRIPTION_GRACE_SECONDS} (24 h). */
  graceSeconds?: number;
}

/** What `create` returns: the subscription and its secret (the only answer but rotation that carries it). */
export interface CreatedSubscription {
  subscription: Subscription;
  secret: string;
}

/** What `rotateSecret` returns. */
export interface RotatedSubscriptionSecret {
  subscription: Subscription;
  secret: string;
  /** ISO 8601: when the previous secrets stop signing deliveries. */
  previousSecretsExpireAt: string;
}

/** The event types a subscription can name, `*` included. */
export const SUBSCRIPTION_EVENT_TYPES = ['message.received', 'message.sent', 'message.failed', 'message.status', '*'] as const;
/** Most subscriptions one tenant may have: 100 (static ones count too). */
export const DEFAULT_MAX_SUBSCRIPTIONS_PER_TENANT = 100;
/** Previous secrets keep signing for 24 h after a rotation unless told otherwise. */
export const DEFAULT_SUBSCRIPTION_GRACE_SECONDS = 24 * 60 * 60;
/** Longest grace period a rotation takes: 30 days. */
export const MAX_SUBSCRIPTION_GRACE_SECONDS = 30 * 24 * 60 * 60;
/** Longest `description`: 500 characters. */
export const MAX_DESCRIPTION_LENGTH = 500;
/** Longest `url`: 2048 characters. */
export const MAX_URL_LENGTH = 2048;
/** Most paths one filter may name (equals + in + exists together): 20. */
export const MAX_FILTER_PATHS = 20;
/** Most values of one `in` list: 100. */
export const MAX_FILTER_IN_VALUES = 100;
/** Random bytes of a generated secret: 32 (Standard Webhooks allows 24–64). */
export const GENERATED_SECRET_BYTES = 32;

/**
 * Broadcast (Moleculer event) after a subscription was created, changed, enabled, disabled, rotated or
 * deleted, with `{ subscriptionId, tenantId }`: a node that caches subscriptions forgets its copy.
 */
export const SUBSCRIPTION_CHANGED_EVENT = 'switchboard.subscription.changed';

/** Payload of {@link SUBSCRIPTION_CHANGED_EVENT}. */
export interface SubscriptionChangedPayload {
  subscriptionId: string;
  tenantId: string;
}
