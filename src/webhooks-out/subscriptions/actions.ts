/**
 * The subscription actions of the `webhooks` service (names in `WEBHOOKS_ACTIONS`), each scoped to the
 * caller's `tenantId`: another tenant's subscription is a 403, a static one is read-only (enable and
 * disable apart), and no answer but create's and rotate's carries a secret.
 */
import type { Context, Service, ServiceSchema } from 'moleculer';
import type { ServiceActions } from '../../types/moleculer';
import { BadRequestError, ForbiddenError, NotFoundError } from '../../errors';
import type { AppMeta } from '../../types';
import { WEBHOOKS_ACTIONS, type Subscription } from '../types';
import { subscriptionStore, type BrokerSubscriptionStoreOptions } from './broker-store';
import { parseSubscriptionsSource, seedSubscriptions, SUBSCRIPTIONS_VARIABLE } from './static';
import type { SubscriptionStore } from './store';

const ID = { type: 'string', min: 1, max: 128, pattern: /^[A-Za-z0-9_-]+$/ } as const;
type Ctx<P> = Context<P & { tenantId: string }, AppMeta>;

/** The tenant the call acts for: `params.tenantId`, which must agree with `ctx.meta.tenantId` when that is set (the operator API sets both). */
function tenantOf(ctx: Ctx<unknown>): string {
  const meta = ctx.meta?.tenantId;
  if (typeof meta === 'string' && meta !== ctx.params.tenantId) throw new ForbiddenError('tenantId is not the tenant of your API key', { tenantId: ctx.params.tenantId });
  return ctx.params.tenantId;
}

/** The subscription, if the caller may see it: unknown → 404, another tenant's → 403. */
async function owned(store: SubscriptionStore, id: string, tenantId: string): Promise<Subscription> {
  const subscription = await store.get(id);
  if (!subscription) throw new NotFoundError(`subscription ${id} not found`, { subscriptionId: id });
  if (subscription.tenantId !== tenantId) throw new ForbiddenError(`subscription ${id} belongs to another tenant`, { subscriptionId: id });
  return subscription;
}

/** As {@link owned}, and not static: a subscription from `SWITCHBOARD_SUBSCRIPTIONS` changes only in the configuration. */
async function ownedDynamic(store: SubscriptionStore, id: string, tenantId: string, what: string): Promise<Subscription> {
  const subscription = await owned(store, id, tenantId);
  if (subscription.static) {
    throw new ForbiddenError(`subscription ${id} comes from ${SUBSCRIPTIONS_VARIABLE} and is read-only through the API (it can only be enabled or disabled); ${what} it in the configuration`, { subscriptionId: id, static: true });
  }
  return subscription;
}

function without<T extends Record<string, unknown>>(params: T, ...keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...params };
  for (const k of keys) delete out[k];
  return out;
}

export interface SubscriptionActionsOptions {
  /** Picks the store. Default: `subscriptionStore(service.broker)`. */
  storeOf?: (service: Service) => SubscriptionStore;
}

/**
 * Actions `createSubscription`, `listSubscriptions`, `getSubscription`, `updateSubscription`,
 * `deleteSubscription`, `enableSubscription`, `disableSubscription`, `rotateSubscriptionSecret` (see
 * `WEBHOOKS_ACTIONS`). Each takes `tenantId` (and `subscriptionId` where one is meant); answers are those
 * of the operator API: `{ subscription, secret }`, `{ subscriptions }`, the subscription, `{ deleted: true }`,
 * `{ subscription, secret, previousSecretsExpireAt }`.
 */
export function subscriptionActions(options: SubscriptionActionsOptions = {}): ServiceActions {
  const storeOf = options.storeOf ?? ((s: Service) => subscriptionStore(s.broker));
  return {
    [WEBHOOKS_ACTIONS.create]: {
      params: { tenantId: ID },
      async handler(this: Service, ctx: Ctx<Record<string, unknown>>) {
        const tenantId = tenantOf(ctx);
        return storeOf(this).create(tenantId, without(ctx.params, 'tenantId'));
      },
    },
    [WEBHOOKS_ACTIONS.list]: {
      params: { tenantId: ID },
      async handler(this: Service, ctx: Ctx<object>) {
        return { subscriptions: await storeOf(this).listByTenant(tenantOf(ctx)) };
      },
    },
    [WEBHOOKS_ACTIONS.get]: {
      params: { tenantId: ID, subscriptionId: ID },
      async handler(this: Service, ctx: Ctx<{ subscriptionId: string }>) {
        return owned(storeOf(this), ctx.params.subscriptionId, tenantOf(ctx));
      },
    },
    [WEBHOOKS_ACTIONS.update]: {
      params: { tenantId: ID, subscriptionId: ID },
      async handler(this: Service, ctx: Ctx<{ subscriptionId: string } & Record<string, unknown>>) {
        const store = storeOf(this);
        await ownedDynamic(store, ctx.params.subscriptionId, tenantOf(ctx), 'change');
        return store.update(ctx.params.subscriptionId, without(ctx.params, 'tenantId', 'subscriptionId'));
      },
    },
    [WEBHOOKS_ACTIONS.remove]: {
      params: { tenantId: ID, subscriptionId: ID },
      async handler(this: Service, ctx: Ctx<{ subscriptionId: string }>) {
        const store = storeOf(this);
        await ownedDynamic(store, ctx.params.subscriptionId, tenantOf(ctx), 'remove');
        await store.delete(ctx.params.subscriptionId);
        return { deleted: true };
      },
    },
    [WEBHOOKS_ACTIONS.enable]: {
      params: { tenantId: ID, subscriptionId: ID },
      async handler(this: Service, ctx: Ctx<{ subscriptionId: string }>) {
        const store = storeOf(this);
        await owned(store, ctx.params.subscriptionId, tenantOf(ctx));
        return store.enable(ctx.params.subscriptionId);
      },
    },
    [WEBHOOKS_ACTIONS.disable]: {
      params: { tenantId: ID, subscriptionId: ID },
      async handler(this: Service, ctx: Ctx<{ subscriptionId: string }>) {
        const store = storeOf(this);
        await owned(store, ctx.params.subscriptionId, tenantOf(ctx));
        const disabled = await store.disable(ctx.params.subscriptionId, 'manual');
        if (!disabled) throw new NotFoundError(`subscription ${ctx.params.subscriptionId} not found`, { subscriptionId: ctx.params.subscriptionId });
        return disabled;
      },
    },
    [WEBHOOKS_ACTIONS.rotate]: {
      params: { tenantId: ID, subscriptionId: ID },
      async handler(this: Service, ctx: Ctx<{ subscriptionId: string; secret?: unknown; graceSeconds?: unknown }>) {
        const store = storeOf(this);
        await ownedDynamic(store, ctx.params.subscriptionId, tenantOf(ctx), 'rotate the secret of');
        const extra = without(ctx.params, 'tenantId', 'subscriptionId', 'secret', 'graceSeconds');
        const unknown = Object.keys(extra)[0];
        if (unknown !== undefined) throw new BadRequestError(`${unknown} is not an option of rotate-secret; allowed: secret, graceSeconds`, { field: unknown });
        return store.rotateSecret(ctx.params.subscriptionId, {
          ...(ctx.params.secret !== undefined ? { secret: ctx.params.secret as string } : {}),
          ...(ctx.params.graceSeconds !== undefined ? { graceSeconds: ctx.params.graceSeconds as number } : {}),
        });
      },
    },
  };
}

/** Options of {@link subscriptionsMixin}. */
export interface SubscriptionsMixinOptions extends BrokerSubscriptionStoreOptions, SubscriptionActionsOptions {
  /** The static subscriptions' source (JSON array or file path). Default `process.env.SWITCHBOARD_SUBSCRIPTIONS`. */
  staticSubscriptions?: string;
}

/**
 * A mixin for the `webhooks` service: the subscription actions, the broker's store made with
 * `maxPerTenant`, and the static subscriptions of `SWITCHBOARD_SUBSCRIPTIONS` written at start
 * (a bad value stops the start with a `ConfigError` naming the variable and the entry).
 */
export function subscriptionsMixin(options: SubscriptionsMixinOptions = {}): Partial<ServiceSchema> {
  const source = () => (options.staticSubscriptions !== undefined ? options.staticSubscriptions : process.env[SUBSCRIPTIONS_VARIABLE]);
  return {
    actions: subscriptionActions(options),
    created(this: Service) {
      parseSubscriptionsSource(source()); // fail at creation, before anything starts
      if (!options.storeOf) subscriptionStore(this.broker, options.maxPerTenant !== undefined ? { maxPerTenant: options.maxPerTenant } : undefined);
    },
    async started(this: Service) {
      const statics = parseSubscriptionsSource(source());
      const store = options.storeOf ? options.storeOf(this) : subscriptionStore(this.broker);
      const { written, removed } = await seedSubscriptions(store, statics);
      if (written + removed > 0) this.logger.info(`webhooks: ${written} static subscription(s) from ${SUBSCRIPTIONS_VARIABLE}, ${removed} no longer configured removed`);
    },
  };
}
