/** Compile-only: a `defineService` channel handler keyed by an SDK channel name gets its payload type in `ctx.params`, without a cast. */
import { channelNames, defineService, INTEGRATION_CHANNELS, type ChannelPayload, type IntegrationMessageReceivedPayload, type IntegrationMessageStatusPayload } from '../../src/index';
import { type OutboundSendPayload } from '../../src/entries/channels';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
const assert = <T extends true>(value: T): T => value;

// Literal names (the namespace stays a literal; channelNames(ns) still takes any valid string).
assert<Equal<typeof INTEGRATION_CHANNELS.MESSAGE_RECEIVED, 'switchboard.processing.message.received'>>(true);
assert<Equal<ReturnType<typeof channelNames<'acme'>>['OUTBOUND_SEND'], 'acme.outbound.send'>>(true);
const dynamic: string = process.env.NS ?? 'x';
export const anyNamespace: string = channelNames(dynamic).MESSAGE_SENT;
assert<Equal<ChannelPayload<'acme.processing.message.status'>, IntegrationMessageStatusPayload>>(true);
assert<Equal<ChannelPayload<'orders.created'>, Record<string, unknown>>>(true);

export const consumer = defineService({
  name: 'crm-sync',
  channels: {
    [INTEGRATION_CHANNELS.MESSAGE_RECEIVED]: {
      group: 'crm-sync',
      maxInFlight: 5,
      async handler(ctx) {
        assert<Equal<typeof ctx.params, IntegrationMessageReceivedPayload>>(true);
        const text: string | undefined = ctx.params.message.content.type === 'text' ? ctx.params.message.content.text : undefined;
        const platform: string = ctx.params.platform;
        const at: number = ctx.params.timestamp;
        // @ts-expect-error no such field on the received payload
        void ctx.params.nope;
        return { text, platform, at };
      },
    },
    // The function form is typed too.
    [INTEGRATION_CHANNELS.MESSAGE_STATUS](ctx) {
      const status: 'sent' | 'delivered' | 'read' | 'failed' = ctx.params.status;
      return status;
    },
    [channelNames('acme').OUTBOUND_SEND]: {
      handler(ctx) {
        assert<Equal<typeof ctx.params, OutboundSendPayload>>(true);
      },
    },
    // Any other channel keeps the untyped payload.
    'orders.created': {
      handler(ctx) {
        assert<Equal<typeof ctx.params, Record<string, unknown>>>(true);
      },
    },
  },
});
