/** The channel registry: channels (config, credentials, secrets) kept in a KeyValueStore, shared by every node on Redis. */
import { randomBytes, randomUUID } from 'node:crypto';
import { BadRequestError, ConflictError, NotFoundError, UnavailableError } from '../errors';
import type { KeyValueStore } from '../store';
import type { IntegrationConfig } from '../types';
import { activeSecrets, redactChannel, toIntegrationConfig } from './redact';
import {
  DEFAULT_ROTATION_GRACE_SECONDS,
  type ChannelInput, type ChannelRecord, type ChannelUpdate, type RedactedChannel, type RotateSecretOptions,
  type RotateSecretResult,
} from './types';
import { checkChannelInput, checkChannelUpdate, checkId, checkPlatformSecret, checkSecret } from './validate';

export interface ChannelRegistryOptions {
  /** Clock in ms, for secret expiry. Default `Date.now`. */
  now?: () => number;
  /** Key prefix inside the store. Default `channels:`. */
  keyPrefix?: string;
}

/** How long one write holds a channel's lock at most (a crashed writer frees it after this). */
const LOCK_TTL_MS = 5_000;
/** How long a writer waits for the lock before answering 503. */
const LOCK_WAIT_MS = 5_000;

/**
 * A new webhook secret: a Standard Webhooks one (`whsec_` + 24 random bytes in base64), or for
 * `platform` 'telegram' 32 random bytes in base64url (Telegram's secret_token alphabet).
 */
export function generateSecret(platform?: string): string {
  if (platform === 'telegram') return randomBytes(32).toString('base64url');
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export class ChannelRegistry {
  private readonly now: () => number;
  private readonly prefix: string;

  constructor(private readonly store: KeyValueStore, options: ChannelRegistryOptions = {}) {
    this.now = options.now ?? Date.now;
    this.prefix = options.keyPrefix ?? 'channels:';
  }

  private key(id: string) { return `${this.prefix}id:${id}`; }
  private tenantKey(tenantId: string) { return `${this.prefix}tenant:${tenantId}`; }
  private get allKey() { return `${this.prefix}all`; }

  /** The stored record (with credentials and every secret), or null. For trusted in-process callers only. */
  async getRecord(id: string): Promise<ChannelRecord | null> {
    const raw = await this.store.get(this.key(id));
    return raw === null ? null : (JSON.parse(raw) as ChannelRecord);
  }

  /** The channel as an integration uses it (active secrets only), or null when unknown. Disabled channels are returned too. */
  async get(id: string): Promise<IntegrationConfig | null> {
    const record = await this.getRecord(id);
    return record ? toIntegrationConfig(record, this.now()) : null;
  }

  /** The channel without credential or secret values, or null when unknown. */
  async getRedacted(id: string): Promise<RedactedChannel | null> {
    const record = await this.getRecord(id);
    return record ? redactChannel(record, this.now()) : null;
  }

  /** Every channel of a tenant, redacted, sorted by id. */
  async listByTenant(tenantId: string): Promise<RedactedChannel[]> {
    return this.redactAll(await this.store.setMembers(this.tenantKey(tenantId)));
  }

  /** Every channel, redacted, sorted by id. */
  async list(): Promise<RedactedChannel[]> {
    return this.redactAll(await this.store.setMembers(this.allKey));
  }

  private async redactAll(ids: string[]): Promise<RedactedChannel[]> {
    const now = this.now();
    const records = await Promise.all(ids.map((id) => this.getRecord(id)));
    return records.filter((r): r is ChannelRecord => r !== null).map((r) => redactChannel(r, now)).sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Creates a channel; 409 when the id is taken, 400 on invalid input. */
  async create(input: ChannelInput): Promise<RedactedChannel> {
    const checked = checkChannelInput(input);
    return this.locked(checked.id, async () => {
      if (await this.getRecord(checked.id)) throw new ConflictError(`channel ${checked.id} already exists`, { channelId: checked.id });
      const now = this.now();
      const record: ChannelRecord = {
        ...checked,
        secrets: checked.secrets.map((value) => ({ value, expiresAt: null })),
        createdAt: now,
        updatedAt: now,
      };
      await this.write(record);
      return redactChannel(record, now);
    });
  }

  /** Writes `input` whole (current secrets as given), creating or replacing the channel. Used by seeding. */
  async put(input: ChannelInput): Promise<RedactedChannel> {
    const checked = checkChannelInput(input);
    return this.locked(checked.id, async () => {
      const existing = await this.getRecord(checked.id);
      const now = this.now();
      const record: ChannelRecord = {
        ...checked,
        secrets: checked.secrets.map((value) => ({ value, expiresAt: null })),
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
      };
      if (existing && existing.tenantId !== record.tenantId) await this.store.removeFromSet(this.tenantKey(existing.tenantId), record.id);
      await this.write(record);
      return redactChannel(record, now);
    });
  }

  /** Replaces the given fields; 404 when unknown. */
  async update(id: string, patch: ChannelUpdate): Promise<RedactedChannel> {
    const checked = checkChannelUpdate(patch);
    return this.modify(id, (record) => ({ ...record, ...checked }));
  }

  /** Sets the status to `disabled`: webhooks then get 404 and sends fail with 404. */
  async disable(id: string): Promise<RedactedChannel> {
    return this.modify(id, (record) => ({ ...record, status: 'disabled' }));
  }

  /** Sets the status to `active`. */
  async enable(id: string): Promise<RedactedChannel> {
    return this.modify(id, (record) => ({ ...record, status: 'active' }));
  }

  /** Removes the channel; true when it existed. */
  async delete(id: string): Promise<boolean> {
    checkId('id', id);
    return this.locked(id, async () => {
      const record = await this.getRecord(id);
      if (!record) return false;
      await this.store.delete(this.key(id));
      await this.store.removeFromSet(this.tenantKey(record.tenantId), id);
      await this.store.removeFromSet(this.allKey, id);
      return true;
    });
  }

  /**
   * Makes a new secret current at once; the secrets accepted until now stay accepted for
   * `graceSeconds` (default 24 h), then disappear. Returns the new secret: the only place it is ever given back.
   */
  async rotateSecret(id: string, options: RotateSecretOptions = {}): Promise<RotateSecretResult> {
    const graceSeconds = options.graceSeconds ?? DEFAULT_ROTATION_GRACE_SECONDS;
    if (!Number.isFinite(graceSeconds) || graceSeconds < 0) {
      throw new BadRequestError('graceSeconds must be a number of seconds >= 0', { field: 'graceSeconds' });
    }
    const given = options.secret === undefined ? undefined : checkSecret(options.secret);
    let secret = '';
    let previousExpireAt = 0;
    const channel = await this.modify(id, (record) => {
      secret = given === undefined ? generateSecret(record.platform) : checkPlatformSecret(record.platform, given);
      const now = this.now();
      previousExpireAt = now + Math.round(graceSeconds * 1000);
      const kept = activeSecrets(record.secrets, now)
        .filter((s) => s.value !== secret)
        .map((s) => ({ value: s.value, expiresAt: s.expiresAt === null ? previousExpireAt : Math.min(s.expiresAt, previousExpireAt) }))
        .filter((s) => s.expiresAt > now);
      return { ...record, secrets: [{ value: secret, expiresAt: null }, ...kept] };
    });
    return { secret, previousExpireAt, channel };
  }

  private async modify(id: string, change: (record: ChannelRecord) => ChannelRecord): Promise<RedactedChannel> {
    checkId('id', id);
    return this.locked(id, async () => {
      const record = await this.getRecord(id);
      if (!record) throw new NotFoundError(`channel ${id} not found`, { channelId: id });
      const now = this.now();
      const next = change(record);
      next.secrets = activeSecrets(next.secrets, now);
      next.updatedAt = now;
      await this.write(next);
      return redactChannel(next, now);
    });
  }

  private async write(record: ChannelRecord): Promise<void> {
    await this.store.set(this.key(record.id), JSON.stringify(record));
    await this.store.addToSet(this.tenantKey(record.tenantId), record.id);
    await this.store.addToSet(this.allKey, record.id);
  }

  /** Runs `fn` holding the channel's lock, so concurrent writes (on any node) never lose one another. */
  private async locked<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const lockKey = `${this.key(id)}:lock`;
    const token = randomUUID();
    const deadline = Date.now() + LOCK_WAIT_MS;
    while (!(await this.store.setIfAbsent(lockKey, token, LOCK_TTL_MS))) {
      if (Date.now() > deadline) throw new UnavailableError(`channel ${id} is locked by another writer; try again`, { channelId: id });
      await new Promise((r) => setTimeout(r, 10 + Math.random() * 20));
    }
    try {
      return await fn();
    } finally {
      await this.store.deleteIfEquals(lockKey, token).catch(() => false);
    }
  }
}
