/** Shapes of the channel registry: what is stored, what callers give, and the redacted view the API returns. */
import type { ChannelStatus } from '../types';

/** A webhook secret as stored: `expiresAt` (ms since the epoch) is set on a secret being rotated out. */
export interface StoredSecret {
  value: string;
  /** `null` while the secret is current; after a rotation, when it stops being accepted. */
  expiresAt: number | null;
}

/** A channel as the registry stores it. Holds credentials and secrets: never return it over the API. */
export interface ChannelRecord {
  id: string;
  tenantId: string;
  platform: string;
  credentials: Record<string, unknown>;
  secrets: StoredSecret[];
  settings: Record<string, unknown>;
  status: ChannelStatus;
  /** ms since the epoch. */
  createdAt: number;
  updatedAt: number;
}

/** What `create` takes. `secrets` are all current; `settings`, `credentials` default to `{}`, `status` to `active`. */
export interface ChannelInput {
  /** `[A-Za-z0-9_-]`, 1–128 characters: it appears in webhook URLs and message ids. */
  id: string;
  tenantId: string;
  platform: string;
  credentials?: Record<string, unknown>;
  secrets?: string[];
  settings?: Record<string, unknown>;
  status?: ChannelStatus;
}

/** What `update` takes: fields replaced as given (`settings` and `credentials` whole). Secrets change only by `rotateSecret`. */
export interface ChannelUpdate {
  platform?: string;
  credentials?: Record<string, unknown>;
  settings?: Record<string, unknown>;
  status?: ChannelStatus;
}

/** A channel as the operator API shows it: no credential values, no secrets. */
export interface RedactedChannel {
  id: string;
  tenantId: string;
  platform: string;
  settings: Record<string, unknown>;
  status: ChannelStatus;
  /** Names of the credentials that are set (values never shown). */
  credentialKeys: string[];
  /** One entry per accepted secret: only when it expires (`null` = current). */
  secrets: Array<{ expiresAt: number | null }>;
  createdAt: number;
  updatedAt: number;
}

/** Options of `rotateSecret`. */
export interface RotateSecretOptions {
  /** The new secret. Default: a generated Standard Webhooks secret (`whsec_` + 24 random bytes, base64). */
  secret?: string;
  /** How long the old secrets stay accepted, in seconds. Default {@link DEFAULT_ROTATION_GRACE_SECONDS} (24 h); 0 drops them at once. */
  graceSeconds?: number;
}

/** What `rotateSecret` returns: the new secret (to configure the platform with) and the redacted channel. */
export interface RotateSecretResult {
  secret: string;
  /** When the previous secrets stop being accepted (ms since the epoch). */
  previousExpireAt: number;
  channel: RedactedChannel;
}

/** Old secrets stay accepted for 24 h after a rotation unless told otherwise. */
export const DEFAULT_ROTATION_GRACE_SECONDS = 24 * 60 * 60;

/**
 * Broadcast by the registry actions after a channel was created, changed, disabled, enabled, deleted
 * or had its secret rotated, with `{ channelId }`: integrations forget their cached copy at once.
 */
export const CHANNEL_CHANGED_EVENT = 'switchboard.channel.changed';

/** Payload of {@link CHANNEL_CHANGED_EVENT}. */
export interface ChannelChangedPayload {
  channelId: string;
}
