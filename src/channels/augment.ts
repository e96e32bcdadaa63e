/** Types `broker.sendToChannel` (added by the channels middleware) with Switchboard's publish options and PubAck. */
import type { ChannelPublishOptions, PublishAck } from './options';

declare module 'moleculer' {
  interface ServiceBroker {
    /** Publishes to a channel; resolves once JetStream stored it (PubAck), rejects with `PublishError` otherwise. */
    sendToChannel(channelName: string, payload: unknown, opts?: ChannelPublishOptions): Promise<PublishAck>;
  }
}
