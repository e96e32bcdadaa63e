/**
 * Queued sends on `<ns>.outbound.send`: {@link enqueueSend} puts one there after the checks a direct
 * send makes (params, channel, tenant), and {@link queueConsumer} takes this integration's messages
 * off it into the same send pipeline.
 */
import { randomUUID } from 'node:crypto';
import { Errors, Validators, type Context, type Service, type ServiceBroker } from 'moleculer';
import type { ChannelDefinition } from '../../channels/options';
import type { OutboundSendPayload } from '../../channels/payloads';
import type { PublishAck } from '../../channels/options';
import { brokerPublisher } from '../runtime/publisher';
import { resolveOwnedChannel } from '../channel/resolve';
import type { OutboundRuntime } from '../runtime/outbound';
import { sendMessage, type SendRequest } from './send-message';

/** Checks params against a send's params schema; rejects with Moleculer's `ValidationError` (422 `VALIDATION_ERROR`, the failures in `data`). */
export type SendParamsCheck = (params: unknown) => Promise<void>;

/**
 * Compiles `schema` (the `i_sendMessage` params) with the broker's validator — the one that checks
 * direct calls — or fastest-validator when the broker runs without one, so a queued message is
 * never sent unchecked.
 */
export function compileSendParamsCheck(broker: ServiceBroker, schema: Record<string, unknown>): SendParamsCheck {
  const own = (broker as Partial<Pick<ServiceBroker, 'validator'>>).validator;
  const validator = own && typeof own.compile === 'function' ? own : new Validators.Fastest();
  const check = validator.compile(schema) as (params: unknown) => true | unknown[] | Promise<true | unknown[]>;
  return async (params) => {
    const res = await check(params && typeof params === 'object' ? params : {});
    if (res !== true) throw new Errors.ValidationError('Parameters validation error!', 'VALIDATION_ERROR', res as unknown as Record<string, unknown>);
  };
}

/** What a queued send answers (HTTP 202 on `/api`): where the request was stored. */
export interface QueuedSend {
  queued: true;
  integration: string;
  channelId: string;
  /** The stream and sequence that stored it; for a `duplicate` (same idempotency key inside the duplicate window), the first copy's. */
  stream?: string;
  seq?: number;
  duplicate?: boolean;
  idempotencyKey?: string;
  /** The message id it was queued with (`Nats-Msg-Id`): from the idempotency key, else generated for this send. */
  queueId: string;
}

/**
 * Queues a send for `service` after the checks a direct send makes before sending (its params were
 * validated by the action): the queue must be on (501), the channel active and of this platform
 * (404) and the caller's tenant's (403). The consumer checks again at send time.
 */
export async function enqueueSend(service: Service, runtime: OutboundRuntime, ctx: Context, request: SendRequest): Promise<QueuedSend> {
  if (!runtime.options.queue.enabled) {
    throw new Errors.MoleculerClientError(`integration ${service.name} does not take queued sends (outbound.queue.enabled is false)`, 501, 'NOT_IMPLEMENTED');
  }
  const pipeline = runtime.pipeline(ctx);
  await resolveOwnedChannel(pipeline.lookupChannel, request.channelId, pipeline.platform, request.tenantId);
  const { channelId, message, idempotencyKey, tenantId } = request;
  const payload: OutboundSendPayload & { tenantId?: string } = {
    integration: service.name, channelId, message, ...(tenantId !== undefined ? { tenantId } : {}), ...(idempotencyKey ? { idempotencyKey } : {}),
  };
  // Every queued send carries a msg id: a publish that timed out may have been stored, and a retry
  // with the same id is stored once. Without an idempotency key, the id is this send's own.
  const queueId = `queue:${service.name}:${channelId}:${idempotencyKey ?? `q-${randomUUID()}`}`;
  const ack = (await brokerPublisher(service.broker, service.name)(runtime.queueChannel, payload, { msgID: queueId })) as PublishAck | undefined;
  return {
    queued: true, integration: service.name, channelId, queueId,
    ...(ack ? { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate } : {}),
    ...(idempotencyKey ? { idempotencyKey } : {}),
  };
}

/** The stream position of a delivery (JetStream `Delivery` or the in-memory adapter's), for a default idempotency key. */
function positionOf(raw: unknown): string | undefined {
  const r = raw as { info?: { stream?: unknown; streamSequence?: unknown }; stream?: unknown; seq?: unknown } | undefined;
  const stream = r?.info?.stream ?? r?.stream;
  const seq = r?.info?.streamSequence ?? r?.seq;
  return typeof stream === 'string' && typeof seq === 'number' ? `${stream}:${seq}` : undefined;
}

/** Whether any node has (or had, and may bring back) an integration that can take `integration`'s queued sends. */
function isKnownIntegration(broker: ServiceBroker, integration: unknown): boolean {
  if (typeof integration !== 'string' || integration.length === 0) return false;
  const registry = broker.registry as unknown as { getActionEndpoints?(action: string): unknown };
  return typeof registry?.getActionEndpoints !== 'function' || registry.getActionEndpoints(`${integration}.i_sendMessage`) != null;
}

/**
 * The channel definition consuming queued sends for `service`. Messages for other integrations are
 * skipped (acked by the filter); one naming an integration no node has is logged at error level by
 * every consumer group that skips it — nothing would send it otherwise, and the filter cannot
 * dead-letter (a consumer cannot tell "never existed" from "all its nodes restarting", and that
 * integration's own group would still send it after a dead letter). Each message of this
 * integration is checked with `check` (the `i_sendMessage` params) first: an invalid one is
 * dead-lettered with the validation error and never sent. A send that fails after its retries
 * publishes `message.failed` and throws, so the channel dead-letters it with the error (after
 * `queue.maxRetries` redeliveries); re-publish the dead letter's payload to re-drive it. Without an
 * `idempotencyKey`, the stream position is the key, so a redelivery never sends twice.
 */
export function queueConsumer(service: Service, runtime: OutboundRuntime, check: SendParamsCheck): ChannelDefinition {
  const { queue } = runtime.options;
  const group = `${service.fullName}.outbound`;
  return {
    group,
    context: true,
    maxInFlight: queue.maxInFlight,
    maxRetries: queue.maxRetries,
    filter: (payload) => {
      const p = (payload ?? {}) as Partial<OutboundSendPayload> & { tenantId?: unknown };
      if (p.integration === service.name) return true;
      if (!isKnownIntegration(service.broker, p.integration)) {
        service.logger.error(
          `queued send on "${runtime.queueChannel}" for integration ${JSON.stringify(p.integration ?? null)} (channel ${JSON.stringify(p.channelId ?? null)}`
          + `${p.idempotencyKey ? `, idempotency key ${JSON.stringify(p.idempotencyKey)}` : ''}${typeof p.tenantId === 'string' ? `, tenant ${JSON.stringify(p.tenantId)}` : ''}) `
          + `skipped by group "${group}": no integration of that name is registered, so nothing sends it; publish it again naming the right integration`,
        );
      }
      return false;
    },
    handler: (async (ctx: Context<OutboundSendPayload & { tenantId?: string }>, raw: unknown) => {
      const payload = ctx.params;
      // The direct path's validation; a failure is dead-lettered with it (x-error-type VALIDATION_ERROR), nothing is sent.
      await check(payload);
      runtime.counters.queued++;
      const position = positionOf(raw);
      const idempotencyKey = payload.idempotencyKey ?? (position ? `queue:${position}` : undefined);
      return sendMessage(runtime.pipeline(ctx), {
        channelId: payload.channelId,
        message: payload.message,
        ...(idempotencyKey ? { idempotencyKey } : {}),
        ...(typeof payload.tenantId === 'string' ? { tenantId: payload.tenantId } : {}),
      });
    }) as unknown as ChannelDefinition['handler'],
  };
}
