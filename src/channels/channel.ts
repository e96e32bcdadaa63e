/** A channel subscription as the @moleculer/channels middleware hands it to an adapter, and its resolved options. */
import { resolveConsumerOptions, type ChannelConsumerOptions, type ResolvedConsumerOptions } from './options';

/** A channel as the middleware hands it to the adapter (`subscribe(chan)`). */
export interface Chan extends ChannelConsumerOptions {
  id: string;
  name: string;
  group: string;
  unsubscribing?: boolean;
  handler: (payload: unknown, raw: unknown) => Promise<unknown>;
}

/**
 * Resolves a channel's consumer options (channel over adapter over defaults) and writes the values
 * that apply back on the channel, so the middleware's view matches what runs.
 */
export function resolveChannel(chan: Chan, adapterDefaults: ChannelConsumerOptions, defaultDeadLetterQueue: string): ResolvedConsumerOptions {
  const cfg = resolveConsumerOptions(`channels["${chan.name}"]`, chan, adapterDefaults, defaultDeadLetterQueue);
  chan.maxInFlight = cfg.maxInFlight;
  chan.maxRetries = cfg.maxRetries;
  chan.deadLettering = { ...cfg.deadLettering };
  return cfg;
}
