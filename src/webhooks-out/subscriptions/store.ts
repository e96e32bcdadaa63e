/**
 * The subscription store: subscriptions and their signing secrets in a KeyValueStore (Redis shared by every
 * node, or memory), indexed by (tenant, event type) so matching reads only that tenant's subscriptions of that
 * type and its `*` ones. Implements the delivery side's `SubscriptionLookup`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { BadRequestError, ConfigError, NotFoundError, UnavailableError } from '../../errors';
import { activeSecrets } from '../../registry/redact';
import type { OutboundUrlPolicy } from '../../security/outbound-url';
import type { KeyValueStore } from '../../store';
import type { DisabledReason, Subscription, SubscriptionLookup } from '../types';
import { SubscriptionLimitError } from './errors';
import { checkSubscriptionSecret, generateSubscriptionSecret } from './secrets';
import {
  DEFAULT_MAX_SUBSCRIPTIONS_PER_TENANT, DEFAULT_SUBSCRIPTION_GRACE_SECONDS, MAX_SUBSCRIPTION_GRACE_SECONDS,
  type CreatedSubscription, type RotateSubscriptionSecretOptions, type RotatedSubscriptionSecret, type StaticSubscriptionInput,
  type SubscriptionInput, type SubscriptionRecord, type SubscriptionUpdate,
} from './types';
import { checkSubscriptionUrl } from './url';
import { checkStaticSubscription, checkSubscriptionId, checkSubscriptionInput, checkSubscriptionUpdate } from './validate';

/** What happened to a subscription, for {@link SubscriptionStoreOptions.onChange}. */
export type SubscriptionChange = 'created' | 'updated' | 'enabled' | 'disabled' | 'rotated' | 'deleted';

export interface SubscriptionStoreOptions {
  /** Clock in ms. Default `Date.now`. */
  now?: () => number;
  /** Key prefix inside the store. Default `subscriptions:`. */
  keyPrefix?: string;
  /** What URLs may reach; `allowPrivateNetworks` is `SWITCHBOARD_ALLOW_PRIVATE_URLS`. Default: internal addresses refused. */
  urlPolicy?: OutboundUrlPolicy;
  /** Most subscriptions per tenant. Default {@link DEFAULT_MAX_SUBSCRIPTIONS_PER_TENANT}. */
  maxPerTenant?: number;
  /**
   * Called after every change is stored (`disabled` also when the subscription already was: a retried
   * notification keeps its id). `subscriptionStore(broker)` broadcasts and publishes from here.
   */
  onChange?: (change: SubscriptionChange, subscription: Subscription) => Promise<void>;
}

/** How long one write holds a subscription's (or a tenant's) lock at most. */
const LOCK_TTL_MS = 5_000;
/** How long a writer waits for a lock before answering 503. */
const LOCK_WAIT_MS = 5_000;

/** The public view: everything but the secrets (and the store's own `disabledAt`). */
export function toSubscription(record: SubscriptionRecord): Subscription {
  const { secrets: _secrets, disabledAt: _disabledAt, ...rest } = record;
  return { ...rest };
}

export class SubscriptionStore implements SubscriptionLookup {
  private readonly now: () => number;
  private readonly prefix: string;
  private readonly urlPolicy: OutboundUrlPolicy;
  private readonly maxPerTenant: number;
  private readonly onChange?: SubscriptionStoreOptions['onChange'];

  constructor(private readonly store: KeyValueStore, options: SubscriptionStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.prefix = options.keyPrefix ?? 'subscriptions:';
    this.urlPolicy = options.urlPolicy ?? {};
    this.maxPerTenant = options.maxPerTenant ?? DEFAULT_MAX_SUBSCRIPTIONS_PER_TENANT;
    if (!Number.isInteger(this.maxPerTenant) || this.maxPerTenant < 1) throw new ConfigError('subscriptions: maxPerTenant must be an integer >= 1', { option: 'maxPerTenant' });
    this.onChange = options.onChange;
  }

  private key(id: string) { return `${this.prefix}id:${id}`; }
  private tenantKey(tenantId: string) { return `${this.prefix}tenant:${tenantId}`; }
  /** The index: ids of `tenantId`'s subscriptions that name `eventType` (`*` has its own). */
  private indexKey(tenantId: string, eventType: string) { return `${this.prefix}idx:${tenantId}:${eventType}`; }
  private get staticKey() { return `${this.prefix}static`; }
  /** Ids of the disabled subscriptions (whatever the reason; the record says which). */
  private get disabledKey() { return `${this.prefix}disabled`; }
  private iso(ms = this.now()) { return new Date(ms).toISOString(); }

  /** The stored record (with secrets), or null. For trusted in-process callers only. */
  async getRecord(id: string): Promise<SubscriptionRecord | null> {
    const raw = await this.store.get(this.key(id));
    return raw === null ? null : (JSON.parse(raw) as SubscriptionRecord);
  }

  async get(id: string): Promise<Subscription | null> {
    const record = await this.getRecord(id);
    return record ? toSubscription(record) : null;
  }

  /**
   * Active subscriptions of `tenantId` naming `eventType` or `*` (filters not applied; with `includeDisabled`,
   * the disabled ones too): two index reads and one read per subscription found, whatever else the store holds.
   */
  async match(tenantId: string, eventType: string, o: { includeDisabled?: boolean } = {}): Promise<Subscription[]> {
    const [typed, any] = await Promise.all([
      this.store.setMembers(this.indexKey(tenantId, eventType)),
      eventType === '*' ? Promise.resolve([]) : this.store.setMembers(this.indexKey(tenantId, '*')),
    ]);
    const ids = [...new Set([...typed, ...any])];
    const records = await Promise.all(ids.map((id) => this.getRecord(id)));
    // The record is the truth: an index entry left by an interrupted write is skipped here.
    return records
      .filter((r): r is SubscriptionRecord => r !== null && (r.status === 'active' || o.includeDisabled === true) && r.tenantId === tenantId
        && (r.events.includes(eventType as never) || r.events.includes('*')))
      .map(toSubscription)
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  /** The secrets that sign deliveries now: the current one and those still in their rotation grace, newest first. */
  async signingSecrets(id: string): Promise<string[]> {
    const record = await this.getRecord(id);
    return record ? activeSecrets(record.secrets, this.now()).map((s) => s.value) : [];
  }

  /** Every subscription of a tenant, oldest first. */
  async listByTenant(tenantId: string): Promise<Subscription[]> {
    const ids = await this.store.setMembers(this.tenantKey(tenantId));
    const records = await Promise.all(ids.map((id) => this.getRecord(id)));
    return records.filter((r): r is SubscriptionRecord => r !== null && r.tenantId === tenantId).map(toSubscription)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  /**
   * Creates a subscription for `tenantId`: 400 on invalid input, `UNSAFE_URL` for an internal URL,
   * `SUBSCRIPTION_LIMIT` past the tenant's limit. Returns it with its secret (given, or generated).
   */
  async create(tenantId: string, input: SubscriptionInput | Record<string, unknown>): Promise<CreatedSubscription> {
    checkSubscriptionId(tenantId, 'tenantId');
    const checked = checkSubscriptionInput(input);
    const url = await checkSubscriptionUrl(checked.url, this.urlPolicy);
    const secret = checked.secret ?? generateSubscriptionSecret();
    const record = await this.locked(`tenant:${tenantId}`, async () => {
      const count = (await this.store.setMembers(this.tenantKey(tenantId))).length;
      if (count >= this.maxPerTenant) {
        throw new SubscriptionLimitError(`tenant ${tenantId} already has ${count} subscriptions, the most allowed (${this.maxPerTenant}); delete one first`, { tenantId, limit: this.maxPerTenant });
      }
      const now = this.iso();
      const created: SubscriptionRecord = {
        id: `sub_${randomBytes(12).toString('hex')}`, tenantId, url, events: checked.events,
        ...(checked.filter ? { filter: checked.filter } : {}),
        ...(checked.description !== undefined ? { description: checked.description } : {}),
        status: 'active', ordering: checked.ordering ?? 'none', createdAt: now, updatedAt: now,
        secrets: [{ value: secret, expiresAt: null }],
      };
      await this.write(created, null);
      return created;
    });
    const subscription = toSubscription(record);
    await this.changed('created', subscription);
    return { subscription, secret };
  }

  /** Replaces the given fields (a new URL is checked like at creation); 404 when unknown. */
  async update(id: string, patch: SubscriptionUpdate | Record<string, unknown>): Promise<Subscription> {
    const checked = checkSubscriptionUpdate(patch);
    const url = checked.url === undefined ? undefined : await checkSubscriptionUrl(checked.url, this.urlPolicy);
    return this.modify(id, 'updated', (record) => {
      const next: SubscriptionRecord = { ...record };
      if (url !== undefined) next.url = url;
      if (checked.events !== undefined) next.events = checked.events;
      if (checked.ordering !== undefined) next.ordering = checked.ordering;
      if (checked.filter === null) delete next.filter;
      else if (checked.filter !== undefined) next.filter = checked.filter;
      if (checked.description === null) delete next.description;
      else if (checked.description !== undefined) next.description = checked.description;
      return next;
    });
  }

  /** Sets the status to `active` and clears `disabledReason`. */
  async enable(id: string): Promise<Subscription> {
    return this.modify(id, 'enabled', (record) => {
      const { disabledReason: _reason, disabledAt: _at, ...rest } = record;
      return { ...rest, status: 'active' };
    });
  }

  /**
   * Enables a subscription only while it is still disabled with one of `reasons` and since `disabledAt`
   * (the probe's re-enabling: an operator's disabling in between wins); null when it is not.
   */
  async enableIfDisabled(id: string, expected: { reasons: readonly DisabledReason[]; disabledAt: string }): Promise<Subscription | null> {
    checkSubscriptionId(id);
    const result = await this.locked(id, async () => {
      const record = await this.getRecord(id);
      if (!record || record.status !== 'disabled' || !record.disabledReason || !expected.reasons.includes(record.disabledReason)) return null;
      if ((record.disabledAt ?? record.updatedAt) !== expected.disabledAt) return null;
      const { disabledReason: _reason, disabledAt: _at, ...rest } = record;
      const next: SubscriptionRecord = { ...rest, status: 'active', updatedAt: this.iso() };
      next.secrets = activeSecrets(next.secrets, this.now());
      await this.write(next, record);
      return next;
    });
    if (!result) return null;
    const subscription = toSubscription(result);
    await this.changed('enabled', subscription);
    return subscription;
  }

  /**
   * The disabled subscriptions with the time each was disabled (ISO 8601; `updatedAt` for one disabled
   * before that time was kept), from the store's index of disabled ids — the record is the truth.
   */
  async listDisabled(): Promise<Array<{ subscription: Subscription; disabledAt: string }>> {
    const ids = await this.store.setMembers(this.disabledKey);
    const records = await Promise.all(ids.map((id) => this.getRecord(id)));
    return records
      .filter((r): r is SubscriptionRecord => r !== null && r.status === 'disabled')
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((r) => ({ subscription: toSubscription(r), disabledAt: r.disabledAt ?? r.updatedAt }));
  }

  /**
   * Disables a subscription (an operator: `manual`; a 410: `gone`; failing too long: `failing`); null when
   * it does not exist. An already disabled one keeps its first reason and is returned unchanged — except
   * that an operator's disabling (`manual`) replaces an automatic reason, so the probe leaves it alone.
   */
  async disable(id: string, reason: DisabledReason): Promise<Subscription | null> {
    checkSubscriptionId(id);
    const result = await this.locked(id, async () => {
      const record = await this.getRecord(id);
      if (!record) return null;
      if (record.status === 'disabled' && (reason !== 'manual' || record.disabledReason === 'manual' || record.disabledReason === undefined)) return record;
      const now = this.iso();
      const next: SubscriptionRecord = { ...record, status: 'disabled', disabledReason: reason, updatedAt: now, disabledAt: record.status === 'disabled' ? record.disabledAt ?? now : now };
      next.secrets = activeSecrets(next.secrets, this.now());
      await this.write(next, record);
      return next;
    });
    if (!result) return null;
    const subscription = toSubscription(result);
    await this.changed('disabled', subscription);
    return subscription;
  }

  /** Removes the subscription and its index entries; true when it existed. */
  async delete(id: string): Promise<boolean> {
    checkSubscriptionId(id);
    const removed = await this.locked(id, async () => {
      const record = await this.getRecord(id);
      if (!record) {
        await this.store.removeFromSet(this.staticKey, id);
        return null;
      }
      // The record first: from here on no index entry can make it match.
      await this.store.delete(this.key(id));
      await Promise.all([
        ...record.events.map((e) => this.store.removeFromSet(this.indexKey(record.tenantId, e), id)),
        this.store.removeFromSet(this.tenantKey(record.tenantId), id),
        this.store.removeFromSet(this.staticKey, id),
        this.store.removeFromSet(this.disabledKey, id),
      ]);
      return record;
    });
    if (removed) await this.changed('deleted', toSubscription(removed));
    return removed !== null;
  }

  /**
   * Makes a new secret current at once; the previous ones keep signing for `graceSeconds` (default 24 h).
   * Returns the new secret: with create, the only answer that ever carries one.
   */
  async rotateSecret(id: string, options: RotateSubscriptionSecretOptions = {}): Promise<RotatedSubscriptionSecret> {
    const graceSeconds = options.graceSeconds ?? DEFAULT_SUBSCRIPTION_GRACE_SECONDS;
    if (typeof graceSeconds !== 'number' || !Number.isFinite(graceSeconds) || graceSeconds < 0 || graceSeconds > MAX_SUBSCRIPTION_GRACE_SECONDS) {
      throw new BadRequestError(`graceSeconds must be a number of seconds from 0 to ${MAX_SUBSCRIPTION_GRACE_SECONDS}`, { field: 'graceSeconds' });
    }
    const secret = options.secret === undefined ? generateSubscriptionSecret() : checkSubscriptionSecret(options.secret);
    let expireAt = 0;
    const subscription = await this.modify(id, 'rotated', (record) => {
      const now = this.now();
      expireAt = now + Math.round(graceSeconds * 1000);
      const kept = activeSecrets(record.secrets, now)
        .filter((s) => s.value !== secret)
        .map((s) => ({ value: s.value, expiresAt: s.expiresAt === null ? expireAt : Math.min(s.expiresAt, expireAt) }))
        .filter((s) => s.expiresAt > now);
      return { ...record, secrets: [{ value: secret, expiresAt: null }, ...kept] };
    });
    return { subscription, secret, previousSecretsExpireAt: this.iso(expireAt) };
  }

  /**
   * Writes a static subscription (from `SWITCHBOARD_SUBSCRIPTIONS`) whole, marked `static`. An existing one
   * keeps its `status`, `disabledReason` and `createdAt` (run-time state); the rest follows the configuration.
   */
  async putStatic(input: StaticSubscriptionInput): Promise<Subscription> {
    const checked = checkStaticSubscription(input);
    const result = await this.locked(checked.id, async () => {
      const existing = await this.getRecord(checked.id);
      if (existing && !existing.static) throw new ConfigError(`subscription id ${checked.id} is taken by a subscription created through the API`, { id: checked.id });
      const now = this.iso();
      // run-time state: the stored one if any, else the configured status (a configured `disabled` reads as manual)
      const status = existing?.status ?? checked.status ?? 'active';
      const disabledReason = existing ? existing.disabledReason : status === 'disabled' ? 'manual' as const : undefined;
      const disabledAt = status === 'disabled' ? existing?.disabledAt ?? (existing ? undefined : now) : undefined;
      const record: SubscriptionRecord = {
        id: checked.id, tenantId: checked.tenantId, url: checked.url, events: checked.events,
        ...(checked.filter ? { filter: checked.filter } : {}),
        ...(checked.description !== undefined ? { description: checked.description } : {}),
        status, ...(disabledReason ? { disabledReason } : {}), ...(disabledAt ? { disabledAt } : {}),
        ordering: checked.ordering ?? 'none', createdAt: existing?.createdAt ?? now, updatedAt: now, static: true,
        secrets: checked.secrets.map((value) => ({ value, expiresAt: null })),
      };
      if (existing && existing.tenantId !== record.tenantId) {
        await Promise.all([
          this.store.removeFromSet(this.tenantKey(existing.tenantId), existing.id),
          ...existing.events.map((e) => this.store.removeFromSet(this.indexKey(existing.tenantId, e), existing.id)),
        ]);
      }
      await this.write(record, existing && existing.tenantId === record.tenantId ? existing : null);
      await this.store.addToSet(this.staticKey, record.id);
      return record;
    });
    const subscription = toSubscription(result);
    await this.changed('updated', subscription);
    return subscription;
  }

  /** Ids of the static subscriptions in the store. */
  async staticIds(): Promise<string[]> {
    return (await this.store.setMembers(this.staticKey)).sort();
  }

  private async modify(id: string, change: SubscriptionChange, fn: (record: SubscriptionRecord) => SubscriptionRecord): Promise<Subscription> {
    checkSubscriptionId(id);
    const result = await this.locked(id, async () => {
      const record = await this.getRecord(id);
      if (!record) throw new NotFoundError(`subscription ${id} not found`, { subscriptionId: id });
      const next = fn(record);
      next.secrets = activeSecrets(next.secrets, this.now());
      next.updatedAt = this.iso();
      await this.write(next, record);
      return next;
    });
    const subscription = toSubscription(result);
    await this.changed(change, subscription);
    return subscription;
  }

  /**
   * Writes the record and its index entries so that no crash leaves it unmatched: new index entries
   * before the record, stale ones removed after (a stale entry is harmless, `match` checks the record).
   */
  private async write(record: SubscriptionRecord, previous: SubscriptionRecord | null): Promise<void> {
    await Promise.all([
      this.store.addToSet(this.tenantKey(record.tenantId), record.id),
      ...record.events.map((e) => this.store.addToSet(this.indexKey(record.tenantId, e), record.id)),
      ...(record.status === 'disabled' ? [this.store.addToSet(this.disabledKey, record.id)] : []),
    ]);
    await this.store.set(this.key(record.id), JSON.stringify(record));
    if (previous) {
      const gone = previous.events.filter((e) => !record.events.includes(e));
      await Promise.all([
        ...gone.map((e) => this.store.removeFromSet(this.indexKey(previous.tenantId, e), record.id)),
        ...(previous.status === 'disabled' && record.status !== 'disabled' ? [this.store.removeFromSet(this.disabledKey, record.id)] : []),
      ]);
    }
  }

  private async changed(change: SubscriptionChange, subscription: Subscription): Promise<void> {
    if (this.onChange) await this.onChange(change, subscription);
  }

  /** Runs `fn` holding a lock (a subscription's, or `tenant:<id>` for creation), on every node alike. */
  private async locked<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const lockKey = `${this.prefix}lock:${name}`;
    const token = randomUUID();
    const deadline = Date.now() + LOCK_WAIT_MS;
    while (!(await this.store.setIfAbsent(lockKey, token, LOCK_TTL_MS))) {
      if (Date.now() > deadline) throw new UnavailableError(`subscription ${name} is locked by another writer; try again`, { subscriptionId: name });
      await new Promise((r) => setTimeout(r, 10 + Math.random() * 20));
    }
    try {
      return await fn();
    } finally {
      await this.store.deleteIfEquals(lockKey, token).catch(() => false);
    }
  }
}
