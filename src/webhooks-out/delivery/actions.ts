/**
 * The delivery actions of the `webhooks` service (names in `WEBHOOKS_ACTIONS`): send a test event, list and
 * read deliveries, redeliver one, recover the failed ones since a time. Each takes the caller's `tenantId`
 * (or `ctx.meta.tenantId`); another tenant's subscription or delivery is a 403.
 */
import type { Context, Service } from 'moleculer';
import type { ServiceActions } from '../../types/moleculer';
import { BadRequestError, ForbiddenError, NotFoundError } from '../../errors';
import { publicDelivery, withoutSchedule, type StoredDelivery } from '../history/types';
import { WEBHOOKS_ACTIONS, type DeliveryOutcome, type Subscription } from '../types';
import { manualJobMsgId, newDeliveryId, jobMsgId } from './ids';
import type { DeliveryJob } from './job';
import { queueOrdered } from './ordering';
import type { DeliveryRuntime } from './runtime';

/** The event type of a test delivery. */
export const TEST_EVENT_TYPE = 'webhook.test';
/** At most this many deliveries are re-queued by one `recover` call. */
export const MAX_RECOVER = 10_000;

const ID = { type: 'string', min: 1, max: 200 } as const;
const TENANT = { type: 'string', min: 1, max: 200, optional: true } as const;
type Ctx<P> = Context<P & { tenantId?: string }, { tenantId?: string; $statusCode?: number }>;

/** The tenant the call acts for: `params.tenantId`, which must agree with `ctx.meta.tenantId` when both are set; either alone counts. */
function tenantOf(ctx: Ctx<unknown>): string | undefined {
  const meta = typeof ctx.meta?.tenantId === 'string' ? ctx.meta.tenantId : undefined;
  if (meta !== undefined && ctx.params.tenantId !== undefined && meta !== ctx.params.tenantId) {
    throw new ForbiddenError('tenantId is not the tenant of your API key', { tenantId: ctx.params.tenantId });
  }
  return ctx.params.tenantId ?? meta;
}

async function ownedSubscription(rt: DeliveryRuntime, id: string, tenantId: string | undefined): Promise<Subscription> {
  const sub = await rt.lookup.get(id);
  if (!sub) throw new NotFoundError(`subscription ${id} not found`, { subscriptionId: id });
  if (tenantId !== undefined && sub.tenantId !== tenantId) throw new ForbiddenError(`subscription ${id} belongs to another tenant`, { subscriptionId: id });
  return sub;
}

async function ownedDelivery(rt: DeliveryRuntime, id: string, tenantId: string | undefined): Promise<StoredDelivery> {
  const d = await rt.history.getDelivery(id);
  if (!d) throw new NotFoundError(`delivery ${id} not found`, { deliveryId: id });
  if (tenantId !== undefined && d.tenantId !== tenantId) throw new ForbiddenError(`delivery ${id} belongs to another tenant`, { deliveryId: id });
  return d;
}

const encodeCursor = (c: string | null) => (c === null ? null : Buffer.from(c).toString('base64url'));
function decodeCursor(c: string | undefined): string | undefined {
  if (c === undefined || c === '') return undefined;
  const raw = Buffer.from(c, 'base64url').toString('utf8');
  if (!/^\d{15}\|[A-Za-z0-9_]+$/.test(raw)) throw new BadRequestError('cursor is not one this API gave', { cursor: c.slice(0, 100) });
  return raw;
}

function parseSince(since: unknown): number {
  const ms = typeof since === 'number' ? since : typeof since === 'string' && /^\d{1,15}$/.test(since) ? Number(since) : Date.parse(String(since));
  if (!Number.isFinite(ms) || ms < 0) throw new BadRequestError('since must be an ISO 8601 time or ms since the epoch', { since: String(since).slice(0, 100) });
  return ms;
}

/** `runtimeOf` gives the service's delivery runtime (the mixin sets it up in `created`). */
export function deliveryActions(runtimeOf: (service: Service) => DeliveryRuntime): ServiceActions {
  return {
    [WEBHOOKS_ACTIONS.test]: {
      params: { tenantId: TENANT, subscriptionId: ID },
      async handler(this: Service, ctx: Ctx<{ subscriptionId: string }>) {
        const rt = runtimeOf(this);
        const sub = await ownedSubscription(rt, ctx.params.subscriptionId, tenantOf(ctx));
        const now = rt.options.now();
        const deliveryId = newDeliveryId();
        const job: DeliveryJob = {
          deliveryId, subscriptionId: sub.id, tenantId: sub.tenantId, eventType: TEST_EVENT_TYPE, eventId: `test_${deliveryId.slice(4)}`,
          timestamp: new Date(now).toISOString(), data: { subscriptionId: sub.id, message: 'A test event from Switchboard' }, trigger: 'scheduled', storedAt: now,
        };
        await rt.history.createDelivery({
          deliveryId, subscriptionId: sub.id, tenantId: sub.tenantId, eventType: job.eventType, eventId: job.eventId,
          outcome: 'pending', attemptCount: 0, createdAt: job.timestamp, job, scheduledAttempts: 0,
        });
        await rt.publishJob(job, jobMsgId(deliveryId, job.generation));
        ctx.meta.$statusCode = 202;
        return { deliveryId };
      },
    },
    [WEBHOOKS_ACTIONS.deliveries]: {
      params: {
        tenantId: TENANT, subscriptionId: ID,
        outcome: { type: 'enum', values: ['pending', 'succeeded', 'failed'], optional: true },
        limit: { type: 'number', integer: true, min: 1, max: 500, optional: true, convert: true },
        cursor: { type: 'string', max: 200, optional: true },
      },
      async handler(this: Service, ctx: Ctx<{ subscriptionId: string; outcome?: DeliveryOutcome; limit?: number; cursor?: string }>) {
        const rt = runtimeOf(this);
        await ownedSubscription(rt, ctx.params.subscriptionId, tenantOf(ctx));
        const page = await rt.history.listDeliveries(ctx.params.subscriptionId, {
          outcome: ctx.params.outcome, limit: ctx.params.limit, cursor: decodeCursor(ctx.params.cursor),
        });
        return { deliveries: page.deliveries.map(publicDelivery), nextCursor: encodeCursor(page.nextCursor) };
      },
    },
    [WEBHOOKS_ACTIONS.delivery]: {
      params: { tenantId: TENANT, deliveryId: ID },
      async handler(this: Service, ctx: Ctx<{ deliveryId: string }>) {
        const rt = runtimeOf(this);
        const d = await ownedDelivery(rt, ctx.params.deliveryId, tenantOf(ctx));
        return { delivery: publicDelivery(d), attempts: await rt.history.attempts(d.deliveryId) };
      },
    },
    [WEBHOOKS_ACTIONS.redeliver]: {
      params: { tenantId: TENANT, deliveryId: ID },
      async handler(this: Service, ctx: Ctx<{ deliveryId: string }>) {
        const rt = runtimeOf(this);
        const d = await ownedDelivery(rt, ctx.params.deliveryId, tenantOf(ctx));
        await ownedSubscription(rt, d.subscriptionId, tenantOf(ctx));
        await rt.publishJob({ ...d.job, trigger: 'manual' }, manualJobMsgId(d.deliveryId, rt.options.now()));
        ctx.meta.$statusCode = 202;
        return { deliveryId: d.deliveryId };
      },
    },
    [WEBHOOKS_ACTIONS.recover]: {
      params: { tenantId: TENANT, subscriptionId: ID, since: { type: 'any' } },
      async handler(this: Service, ctx: Ctx<{ subscriptionId: string; since: unknown }>) {
        const rt = runtimeOf(this);
        await ownedSubscription(rt, ctx.params.subscriptionId, tenantOf(ctx));
        const since = parseSince(ctx.params.since);
        const ids = (await rt.history.failedSince(ctx.params.subscriptionId, since)).slice(0, MAX_RECOVER);
        let requeued = 0;
        for (const id of ids) {
          const d = await rt.history.getDelivery(id);
          if (!d || d.outcome !== 'failed') continue;
          const rest = withoutSchedule(d);
          const job: DeliveryJob = { ...d.job, trigger: 'scheduled', generation: (d.job.generation ?? 0) + 1 };
          await rt.history.saveDelivery({ ...rest, job, outcome: 'pending', scheduledAttempts: 0 }, 'failed');
          if (job.orderKey) await queueOrdered(rt, job as DeliveryJob & { orderKey: string });
          else await rt.publishJob(job, jobMsgId(id, job.generation));
          requeued += 1;
        }
        ctx.meta.$statusCode = 202;
        return { requeued };
      },
    },
  };
}
