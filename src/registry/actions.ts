/** The registry service's actions: channel CRUD and secret rotation, scoped to the caller's tenant (`ctx.meta.tenantId`), never returning secrets. */
import type { Context, Service } from 'moleculer';
import type { ServiceActions } from '../types/moleculer';
import { ForbiddenError, NotFoundError } from '../errors';
import type { AppMeta } from '../types';
import { channelRegistry } from './broker-registry';
import type { ChannelRegistry } from './channel-registry';
import { CHANNEL_CHANGED_EVENT, type ChannelChangedPayload, type ChannelInput, type ChannelUpdate, type RedactedChannel } from './types';

const ID = { type: 'string', min: 1, max: 128 } as const;
type Ctx<P> = Context<P, AppMeta>;
const tenantOf = (ctx: Ctx<unknown>) => (typeof ctx.meta?.tenantId === 'string' ? ctx.meta.tenantId : undefined);

/** Tells every node (integrations' channel caches) that a channel changed; returns `result`. */
async function announced<T>(ctx: Ctx<unknown>, channelId: string, result: T): Promise<T> {
  const payload: ChannelChangedPayload = { channelId };
  await ctx.broadcast(CHANNEL_CHANGED_EVENT, payload);
  return result;
}

/** The channel, redacted, if the caller may see it: unknown → 404, another tenant's → 403. */
async function owned(registry: ChannelRegistry, id: string, tenantId: string | undefined): Promise<RedactedChannel> {
  const channel = await registry.getRedacted(id);
  if (!channel) throw new NotFoundError(`channel ${id} not found`, { channelId: id });
  if (tenantId !== undefined && channel.tenantId !== tenantId) throw new ForbiddenError(`channel ${id} belongs to another tenant`, { channelId: id });
  return channel;
}

/**
 * Actions `create`, `get`, `list`, `update`, `disable`, `enable`, `delete`, `rotateSecret` over
 * the broker's channel registry; each change is broadcast as `CHANNEL_CHANGED_EVENT`.
 * With `ctx.meta.tenantId` set (as the operator API sets it), every
 * action is limited to that tenant's channels; without it (internal calls) to none in particular.
 * `registryOf` picks the registry (default: `channelRegistry(service.broker)`).
 */
export function channelRegistryActions(registryOf: (service: Service) => ChannelRegistry = (s) => channelRegistry(s.broker)): ServiceActions {
  return {
    create: {
      params: { channel: { type: 'object' } },
      async handler(this: Service, ctx: Ctx<{ channel: Partial<ChannelInput> }>) {
        const tenantId = tenantOf(ctx);
        const input = { ...ctx.params.channel };
        if (tenantId !== undefined) {
          if (input.tenantId !== undefined && input.tenantId !== tenantId) throw new ForbiddenError('a channel can only be created for your own tenant', { tenantId: input.tenantId });
          input.tenantId = tenantId;
        }
        const channel = await registryOf(this).create(input as ChannelInput);
        return announced(ctx, channel.id, channel);
      },
    },
    get: {
      params: { id: ID },
      async handler(this: Service, ctx: Ctx<{ id: string }>) {
        return owned(registryOf(this), ctx.params.id, tenantOf(ctx));
      },
    },
    list: {
      params: { tenantId: { ...ID, optional: true } },
      async handler(this: Service, ctx: Ctx<{ tenantId?: string }>) {
        const tenantId = tenantOf(ctx);
        if (tenantId !== undefined && ctx.params.tenantId !== undefined && ctx.params.tenantId !== tenantId) throw new ForbiddenError('you can only list your own tenant\'s channels');
        const which = tenantId ?? ctx.params.tenantId;
        const registry = registryOf(this);
        return { channels: which === undefined ? await registry.list() : await registry.listByTenant(which) };
      },
    },
    update: {
      params: { id: ID, changes: { type: 'object' } },
      async handler(this: Service, ctx: Ctx<{ id: string; changes: ChannelUpdate }>) {
        const registry = registryOf(this);
        await owned(registry, ctx.params.id, tenantOf(ctx));
        return announced(ctx, ctx.params.id, await registry.update(ctx.params.id, ctx.params.changes));
      },
    },
    disable: {
      params: { id: ID },
      async handler(this: Service, ctx: Ctx<{ id: string }>) {
        const registry = registryOf(this);
        await owned(registry, ctx.params.id, tenantOf(ctx));
        return announced(ctx, ctx.params.id, await registry.disable(ctx.params.id));
      },
    },
    enable: {
      params: { id: ID },
      async handler(this: Service, ctx: Ctx<{ id: string }>) {
        const registry = registryOf(this);
        await owned(registry, ctx.params.id, tenantOf(ctx));
        return announced(ctx, ctx.params.id, await registry.enable(ctx.params.id));
      },
    },
    delete: {
      params: { id: ID },
      async handler(this: Service, ctx: Ctx<{ id: string }>) {
        const registry = registryOf(this);
        await owned(registry, ctx.params.id, tenantOf(ctx));
        return announced(ctx, ctx.params.id, { deleted: await registry.delete(ctx.params.id) });
      },
    },
    rotateSecret: {
      // The new secret comes from the caller, so no answer ever has to carry a secret.
      params: { id: ID, secret: { type: 'string', min: 16, max: 1024 }, graceSeconds: { type: 'number', min: 0, max: 30 * 24 * 3600, optional: true } },
      async handler(this: Service, ctx: Ctx<{ id: string; secret: string; graceSeconds?: number }>) {
        const registry = registryOf(this);
        await owned(registry, ctx.params.id, tenantOf(ctx));
        const { channel, previousExpireAt } = await registry.rotateSecret(ctx.params.id, {
          secret: ctx.params.secret, ...(ctx.params.graceSeconds !== undefined ? { graceSeconds: ctx.params.graceSeconds } : {}),
        });
        return announced(ctx, ctx.params.id, { channel, previousSecretsExpireAt: new Date(previousExpireAt).toISOString() });
      },
    },
  };
}
