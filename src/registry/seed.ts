/** Channels from `SWITCHBOARD_CHANNELS` (a JSON array, or a path to a JSON file) written into the registry at start. */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors';
import type { ChannelRegistry } from './channel-registry';
import type { ChannelInput } from './types';
import { checkChannelInput } from './validate';

const VARIABLE = 'SWITCHBOARD_CHANNELS';

/**
 * Parses the value of `SWITCHBOARD_CHANNELS`: a JSON array of channels, or a path to a file holding one.
 * Throws `ConfigError` naming the variable (and the channel index) on anything invalid. Empty/unset → `[]`.
 */
export function parseChannelsSource(value: string | undefined): ChannelInput[] {
  if (value === undefined || value.trim() === '') return [];
  let text = value.trim();
  if (!text.startsWith('[')) {
    try {
      text = readFileSync(text, 'utf8');
    } catch (err) {
      throw new ConfigError(`${VARIABLE} is neither a JSON array nor a readable file: ${value}`, { variable: VARIABLE }, err);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${VARIABLE} does not hold valid JSON: ${(err as Error).message}`, { variable: VARIABLE }, err);
  }
  if (!Array.isArray(parsed)) throw new ConfigError(`${VARIABLE} must hold a JSON array of channels`, { variable: VARIABLE });
  const seen = new Set<string>();
  return parsed.map((item, index) => {
    let channel: ChannelInput;
    try {
      channel = checkChannelInput(item);
    } catch (err) {
      throw new ConfigError(`${VARIABLE}[${index}]: ${(err as Error).message}`, { variable: VARIABLE, index }, err);
    }
    if (seen.has(channel.id)) throw new ConfigError(`${VARIABLE}[${index}]: channel id ${channel.id} appears twice`, { variable: VARIABLE, index });
    seen.add(channel.id);
    return channel;
  });
}

export interface SeedOptions {
  /** Replace channels that already exist. Default `false`: changes made through the API survive a restart. */
  overwrite?: boolean;
}

/** Writes the channels into the registry; returns how many were created or replaced, and how many left as they were. */
export async function seedChannels(registry: ChannelRegistry, channels: ChannelInput[], options: SeedOptions = {}): Promise<{ written: number; kept: number }> {
  let written = 0;
  let kept = 0;
  for (const channel of channels) {
    if (!options.overwrite && (await registry.getRecord(channel.id))) {
      kept += 1;
      continue;
    }
    await registry.put(channel);
    written += 1;
  }
  return { written, kept };
}
