/** Turns stored channels into what callers may see: active secrets only, and for the API no secret or credential values. */
import type { IntegrationConfig } from '../types';
import { redactFrontDoorSettings } from './front-door';
import type { ChannelRecord, RedactedChannel, StoredSecret } from './types';

/** Secrets still accepted at `now` (current ones, and rotated-out ones inside their grace period). */
export function activeSecrets(secrets: StoredSecret[], now: number): StoredSecret[] {
  return secrets.filter((s) => s.expiresAt === null || s.expiresAt > now);
}

/** The channel as integrations use it: `secrets` holds every secret accepted at `now`, newest first. */
export function toIntegrationConfig(record: ChannelRecord, now: number): IntegrationConfig {
  return {
    id: record.id,
    tenantId: record.tenantId,
    platform: record.platform,
    credentials: { ...record.credentials },
    secrets: activeSecrets(record.secrets, now).map((s) => s.value),
    settings: { ...record.settings },
    status: record.status,
  };
}

/** The channel as the operator API returns it: credential names and secret expiries, never their values. */
export function redactChannel(record: ChannelRecord, now: number): RedactedChannel {
  return {
    id: record.id,
    tenantId: record.tenantId,
    platform: record.platform,
    settings: redactFrontDoorSettings({ ...record.settings }),
    status: record.status,
    credentialKeys: Object.keys(record.credentials).sort(),
    secrets: activeSecrets(record.secrets, now).map((s) => ({ expiresAt: s.expiresAt })),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}
