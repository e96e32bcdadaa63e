/** Demo consumer: logs every normalized inbound message from `<ns>.processing.message.received` (see the README's three steps). */
import { CHANNEL_CONFIG, channelNames, defineService, NAMESPACE, type IntegrationMessageReceivedPayload } from '@switchboard/sdk';

const channels = channelNames(process.env.SWITCHBOARD_NAMESPACE ?? NAMESPACE);

export default defineService({
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
