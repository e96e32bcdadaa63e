/** The queued-send consumer: `<ns>.outbound.send` messages for this integration go through the same send pipeline. */
import type { Context, Service } from 'moleculer';
import type { ChannelDefinition } from '../../channels/options';
import type { OutboundSendPayload } from '../../channels/payloads';
import { BadRequestError } from '../../errors';
import type { OutboundRuntime } from './runtime';
import { sendMessage } from './send-message';

/** The stream position of a delivery (JetStream `Delivery` or the in-memory adapter's), for a default idempotency key. */
function positionOf(raw: unknown): string | undefined {
  const r = raw as { info?: { stream?: unknown; streamSequence?: unknown }; stream?: unknown; seq?: unknown } | undefined;
  const stream = r?.info?.stream ?? r?.stream;
  const seq = r?.info?.streamSequence ?? r?.seq;
  return typeof stream === 'string' && typeof seq === 'number' ? `${stream}:${seq}` : undefined;
}

/**
 * The channel definition consuming queued sends for `service`: messages for other integrations
 * are skipped (acked by the filter). A send that fails after its retries publishes
 * `message.failed` and throws, so the channel dead-letters it with the error (after
 * `queue.maxRetries` redeliveries); re-publish the dead letter's payload to re-drive it. Without
 * an `idempotencyKey`, the stream position is the key, so a redelivery never sends twice.
 */
export function queueConsumer(service: Service, runtime: OutboundRuntime): ChannelDefinition {
  const { queue } = runtime.options;
  return {
    group: `${service.fullName}.outbound`,
    context: true,
    maxInFlight: queue.maxInFlight,
    maxRetries: queue.maxRetries,
    filter: (payload) => (payload as Partial<OutboundSendPayload> | null)?.integration === service.name,
    handler: (async (ctx: Context<OutboundSendPayload & { tenantId?: string }>, raw: unknown) => {
      const payload = ctx.params;
      if (!payload || typeof payload.channelId !== 'string' || !payload.message || typeof payload.message !== 'object') {
        throw new BadRequestError('queued send: `channelId` and `message` are required', { integration: service.name });
      }
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
