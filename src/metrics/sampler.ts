/** Samples JetStream consumer info into gauges: pending and ack-pending per channel and group, dead letters. */
import type { ServiceBroker } from 'moleculer';
import type { NatsConnection } from 'nats';
import { deadLetterChannel } from '../channels/names';
import { SWITCHBOARD_METRICS } from './names';

/** Consumer info is read every 5 s by default. */
export const DEFAULT_SAMPLE_INTERVAL_MS = 5_000;

/** Reads every stream of `namespace` and its consumers once, and sets the gauges. */
export async function sampleConsumers(broker: ServiceBroker, nc: NatsConnection, namespace: string): Promise<void> {
  if (!broker.isMetricsEnabled() || nc.isClosed()) return;
  const jsm = await nc.jetstreamManager();
  const deadLetters = deadLetterChannel(namespace);
  for await (const stream of jsm.streams.list()) {
    const channel = stream.config.subjects?.find((s) => s.startsWith(`${namespace}.`));
    if (!channel) continue;
    if (channel === deadLetters) broker.metrics.set(SWITCHBOARD_METRICS.DEAD_LETTERS, stream.state.messages, { channel });
    for await (const consumer of jsm.consumers.list(stream.config.name)) {
      const group = consumer.config.durable_name ?? consumer.name;
      broker.metrics.set(SWITCHBOARD_METRICS.CONSUMER_PENDING, consumer.num_pending, { channel, group });
      broker.metrics.set(SWITCHBOARD_METRICS.CONSUMER_ACK_PENDING, consumer.num_ack_pending, { channel, group });
    }
  }
}
