/** Checks channel input before it is stored; every error is a 400 naming the field. */
import { BadRequestError } from '../errors';
import type { ChannelStatus } from '../types';
import { frontDoorSettingsProblem } from './front-door';
import type { ChannelInput, ChannelUpdate } from './types';

const ID = /^[A-Za-z0-9_-]{1,128}$/;
const STATUSES: readonly ChannelStatus[] = ['active', 'disabled'];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}

function objectField(name: string, value: unknown): Record<string, unknown> {
  if (!isPlainObject(value)) throw new BadRequestError(`channel.${name} must be an object`, { field: name });
  return value;
}

/** `[A-Za-z0-9_-]{1,128}`: safe in URLs, Redis keys and JetStream message ids. */
export function checkId(name: string, value: unknown): string {
  if (typeof value !== 'string' || !ID.test(value)) {
    throw new BadRequestError(`channel.${name} must be 1-128 characters of letters, digits, '_' or '-'`, { field: name });
  }
  return value;
}

export function checkSecret(value: unknown, field = 'secret'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 1024) {
    throw new BadRequestError(`${field} must be a non-empty string of at most 1024 characters`, { field });
  }
  return value;
}

function checkStatus(value: unknown): ChannelStatus {
  if (!STATUSES.includes(value as ChannelStatus)) throw new BadRequestError(`channel.status must be one of ${STATUSES.join(', ')}`, { field: 'status' });
  return value as ChannelStatus;
}

function checkPlatform(value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(value)) {
    throw new BadRequestError('channel.platform must be 1-64 characters of letters, digits, _ . -', { field: 'platform' });
  }
  return value;
}

/** The settings object, with its front-door entries (basicAuth, allowedSources, inboundRateLimit, publicUrl) checked. */
function settingsField(value: unknown): Record<string, unknown> {
  const settings = objectField('settings', value);
  const problem = frontDoorSettingsProblem(settings);
  if (problem) throw new BadRequestError(problem.message, { field: problem.field });
  return settings;
}

/** Telegram's `secret_token` alphabet (setWebhook): 1-256 of A-Z, a-z, 0-9, `_` and `-`. */
const TELEGRAM_SECRET = /^[A-Za-z0-9_-]{1,256}$/;

/**
 * Platform rules for webhook secrets, checked when a channel is created and when a secret is rotated:
 * a secret the platform cannot send back would make every webhook fail verification.
 */
export function checkPlatformSecret(platform: string, secret: string, field = 'secret'): string {
  if (platform === 'telegram' && !TELEGRAM_SECRET.test(secret)) {
    throw new BadRequestError(
      `${field}: a Telegram secret token must be 1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's alphabet for setWebhook's secret_token); rotate-secret without a secret generates one`,
      { field },
    );
  }
  return secret;
}

/** Validates a new channel; returns it with defaults filled in. */
export function checkChannelInput(input: unknown): Required<ChannelInput> {
  const value = objectField('(body)', input);
  const secrets = value.secrets ?? [];
  if (!Array.isArray(secrets)) throw new BadRequestError('channel.secrets must be an array of strings', { field: 'secrets' });
  const platform = checkPlatform(value.platform);
  const channel = {
    id: checkId('id', value.id),
    tenantId: checkId('tenantId', value.tenantId),
    platform,
    credentials: value.credentials === undefined ? {} : objectField('credentials', value.credentials),
    secrets: secrets.map((s, i) => checkPlatformSecret(platform, checkSecret(s, `channel.secrets[${i}]`), `channel.secrets[${i}]`)),
    settings: value.settings === undefined ? {} : settingsField(value.settings),
    status: value.status === undefined ? 'active' : checkStatus(value.status),
  };
  if (channel.settings.basicAuth !== undefined && channel.secrets.length === 0) {
    throw new BadRequestError('channel.settings.basicAuth needs at least one entry in channel.secrets: the basic-auth password is any active secret', { field: 'secrets' });
  }
  return channel;
}

const UPDATABLE = ['platform', 'credentials', 'settings', 'status'] as const;

/** Validates an update; rejects fields that cannot change this way (id, tenantId, secrets). */
export function checkChannelUpdate(patch: unknown): ChannelUpdate {
  const value = objectField('(body)', patch);
  for (const key of Object.keys(value)) {
    if (!(UPDATABLE as readonly string[]).includes(key)) {
      const hint = key === 'secrets' ? ' (use secret rotation)' : '';
      throw new BadRequestError(`channel.${key} cannot be updated${hint}; updatable: ${UPDATABLE.join(', ')}`, { field: key });
    }
  }
  const out: ChannelUpdate = {};
  if (value.platform !== undefined) out.platform = checkPlatform(value.platform);
  if (value.credentials !== undefined) out.credentials = objectField('credentials', value.credentials);
  if (value.settings !== undefined) out.settings = settingsField(value.settings);
  if (value.status !== undefined) out.status = checkStatus(value.status);
  return out;
}
