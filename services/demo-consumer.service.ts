/**
 * Demo consumer of the memory-mode trial (`npm start` with no NATS_URL): logs every normalized inbound message
 * from `<ns>.processing.message.received` (see the README's three steps). With NATS_URL set it consumes nothing
 * and creates no durable group on the server — a real deployment's consumers are its own services.
 */
import { CHANNEL_CONFIG, channelNames, defineService, NAMESPACE, type IntegrationMessageReceivedPayload } from '@switchboard/sdk';

const channels = channelNames(process.env.SWITCHBOARD_NAMESPACE ?? NAMESPACE);
/** Only the one-process memory trial runs the demo consumer. */
const memoryMode = !process.env.NATS_URL;

const demoConsumer = defineService({
  name: 'demo-consumer',
  channels: {
    [channels.MESSAGE_RECEIVED]: {
      ...CHANNEL_CONFIG.DEFAULTS,
      group: 'demo-consumer',
      handler(ctx) {
        const { integration, channelId, tenantId, message } = ctx.params as unknown as IntegrationMessageReceivedPayload;
        const content = message.content.type === 'text' ? JSON.stringify(message.content.text) : `[${message.content.type}]`;
        this.logger.info(`message.received ${integration}/${channelId} (tenant ${tenantId}) from ${message.from.id} in ${message.conversationId}: ${content}`);
      },
    },
  },
});

export default memoryMode ? demoConsumer : { ...demoConsumer, channels: {} };
