/** The part of @moleculer/channels' `BaseAdapter` our adapters use, typed (its own typings are loose). */
import { Adapters } from '@moleculer/channels';
import type { ServiceBroker } from 'moleculer';
import type { MoleculerLogger, MoleculerSerializer } from '../types/moleculer';

/** What an adapter gets from `BaseAdapter`: options, broker, serializer, topic prefix, metrics. */
export interface ChannelsBaseAdapter {
  opts: { prefix: string | null; serializer: string; [k: string]: unknown };
  broker: ServiceBroker;
  logger: MoleculerLogger;
  serializer: MoleculerSerializer;
  connected: boolean;
  init(broker: ServiceBroker, logger: MoleculerLogger): void;
  addPrefixTopic(topic: string): string;
  metricsIncrement(metricName: string, chan: { name: string; group: string }): void;
}

/**
 * `BaseAdapter` with a precise type. Subclassing it keeps `instanceof Adapters.Base` true, which is
 * how the channels middleware accepts an adapter instance.
 */
export const BaseAdapter = Adapters.Base as unknown as new (opts?: Record<string, unknown>) => ChannelsBaseAdapter;
