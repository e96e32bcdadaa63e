/** Discord interactions → `NormalizedMessage`s: application commands → `command`, message components → `interactive_reply`. */
import type { NormalizedMessage } from '../../types';
import { INTERACTION_TYPE, type DiscordCommandOption, type DiscordInteraction } from './types';
import { idOf, objectOf, textOf } from '../shared/fields';

/** Discord's epoch (2015-01-01), the base of the time in a snowflake id. */
const DISCORD_EPOCH_MS = 1_420_070_400_000n;

/** The creation time a snowflake id carries, ms since the epoch; `fallback` for anything not a snowflake. */
export function snowflakeTime(id: unknown, fallback: number): number {
  if (typeof id !== 'string' || !/^\d{1,20}$/.test(id)) return fallback;
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH_MS);
}

/** An option's value as Discord sends one (text, a number, a boolean), or nothing. */
const optionValue = (v: unknown): string | number | boolean | undefined =>
  (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)) ? v : undefined);

/** The options that are objects with a name; a list field that is not a list has none. */
function optionsOf(options: unknown): Array<DiscordCommandOption & Record<string, unknown>> {
  if (!Array.isArray(options)) return [];
  return options.filter((o): o is DiscordCommandOption & Record<string, unknown> => typeof objectOf(o)?.name === 'string');
}

/** `a b c` for a command's option values, sub-commands flattened in order (`/config set key value` → `set key value`). */
function optionText(options: unknown): string {
  return optionsOf(options).map((o) => (o.options ? [o.name, optionText(o.options)].filter(Boolean).join(' ') : String(optionValue(o.value) ?? ''))).filter(Boolean).join(' ');
}

/** `{ name: value }` of a command's options, sub-commands nested. */
function optionMap(options: unknown): Record<string, unknown> {
  return Object.fromEntries(optionsOf(options).map((o) => [o.name, o.options ? optionMap(o.options) : optionValue(o.value)]));
}

/** The interaction's user, in a guild (`member.user`) or a DM (`user`). */
function userOf(interaction: DiscordInteraction) {
  const user = objectOf(objectOf(interaction.member)?.user) ?? objectOf(interaction.user);
  const name = textOf(user?.global_name) ?? textOf(user?.username);
  return { id: textOf(user?.id) ?? 'unknown', ...(name ? { name } : {}) };
}

/**
 * The message an interaction carries; none for PINGs, autocomplete and anything unknown. `metadata` holds
 * what completing it needs: `interactionToken` (valid 15 minutes) and `applicationId`.
 */
export function normalizeDiscord(interaction: DiscordInteraction, receivedAt: number): NormalizedMessage[] {
  const conversationId = idOf(interaction.channel_id) ?? idOf(objectOf(interaction.channel)?.id);
  const id = idOf(interaction.id);
  const data = objectOf(interaction.data);
  if (!conversationId || !id || !data) return [];
  const guildId = textOf(interaction.guild_id);
  const base = {
    id, platform: 'discord', conversationId, from: userOf(interaction), timestamp: snowflakeTime(id, receivedAt),
    metadata: {
      interactionToken: textOf(interaction.token), applicationId: textOf(interaction.application_id),
      ...(guildId ? { guildId } : {}),
    } as Record<string, unknown>,
  };
  const name = idOf(data.name);
  if (interaction.type === INTERACTION_TYPE.APPLICATION_COMMAND && name) {
    base.metadata.options = optionMap(data.options);
    return [{ ...base, content: { type: 'command', command: name, text: optionText(data.options) } }];
  }
  const customId = idOf(data.custom_id);
  if (interaction.type === INTERACTION_TYPE.MESSAGE_COMPONENT && customId) {
    const value = Array.isArray(data.values) ? idOf(data.values[0]) : undefined;
    const replyToId = textOf(objectOf(interaction.message)?.id);
    return [{
      ...base, metadata: { ...base.metadata, customId },
      content: { type: 'interactive_reply', replyId: value ?? customId },
      ...(replyToId ? { replyToId } : {}),
    }];
  }
  return [];
}

/** Interaction types by number; a Map, so a type such as `"constructor"` names nothing. */
const EVENT_TYPES = new Map<number, string>([
  [INTERACTION_TYPE.PING, 'ping'], [INTERACTION_TYPE.APPLICATION_COMMAND, 'application_command'],
  [INTERACTION_TYPE.MESSAGE_COMPONENT, 'message_component'], [INTERACTION_TYPE.AUTOCOMPLETE, 'autocomplete'],
  [INTERACTION_TYPE.MODAL_SUBMIT, 'modal_submit'],
]);

/** The kind of interaction, for `answers`: `ping`, `application_command`, `message_component`, `autocomplete`, `modal_submit`. */
export function discordEventType(interaction: DiscordInteraction): string | undefined {
  const type: unknown = interaction?.type;
  return typeof type === 'number' ? EVENT_TYPES.get(type) : undefined;
}
