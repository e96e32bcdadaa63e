/** The one way an integration publishes to channels — `broker.sendToChannel` of the channels middleware — and the one error when it is missing. */
import type { Service, ServiceBroker } from 'moleculer';
import { ConfigError } from '../../errors';

type Publishing = Partial<Pick<ServiceBroker, 'sendToChannel'>>;

/** Publishes one payload with its msg id; resolves with the PubAck. Fits the inbound `Publisher` and the outbound `EventPublisher`. */
export type ChannelPublisher = (channel: string, payload: unknown, options: { msgID: string }) => Promise<unknown>;

/** The error of a broker without the channels middleware (`where`: the service, when known). */
export function cannotPublishError(where?: string): ConfigError {
  return new ConfigError(`${where ? `service ${where}: ` : ''}broker.sendToChannel is missing: add the channels middleware (createChannelsMiddleware) to the broker config (createBrokerConfig does)`);
}

/** `broker.sendToChannel`, resolving with the PubAck; rejects with {@link cannotPublishError} (naming `where`) without the middleware. */
export function brokerPublisher(broker: ServiceBroker, where?: string): ChannelPublisher {
  return (channel, payload, options) => {
    const send = (broker as Publishing).sendToChannel;
    if (typeof send !== 'function') return Promise.reject(cannotPublishError(where));
    return send.call(broker, channel, payload as never, options);
  };
}

/** Fails the service start (not each webhook or send) when the broker cannot publish to channels. */
export function assertCanPublish(service: Service): void {
  if (typeof (service.broker as Publishing).sendToChannel !== 'function') throw cannotPublishError(service.name);
}
