/** Discord interactions → `NormalizedMessage`s: application commands → `command`, message components → `interactive_reply`. */
import type { NormalizedMessage } from '../../types';
import { INTERACTION_TYPE, type DiscordCommandOption, type DiscordInteraction } from './types';

/** Discord's epoch (2015-01-01), the base of the time in a snowflake id. */
const DISCORD_EPOCH_MS = 1_420_070_400_000n;

/** The creation time a snowflake id carries, ms since the epoch; `fallback` for anything not a snowflake. */
export function snowflakeTime(id: string, fallback: number): number {
  if (!/^\d{1,20}$/.test(id)) return fallback;
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH_MS);
}

/** `a b c` for a command's option values, sub-commands flattened in order (`/config set key value` → `set key value`). */
function optionText(options: DiscordCommandOption[] | undefined): string {
  return (options ?? []).map((o) => (o.options ? [o.name, optionText(o.options)].filter(Boolean).join(' ') : String(o.value ?? ''))).filter(Boolean).join(' ');
}

/** `{ name: value }` of a command's options, sub-commands nested. */
function optionMap(options: DiscordCommandOption[] | undefined): Record<string, unknown> {
  return Object.fromEntries((options ?? []).map((o) => [o.name, o.options ? optionMap(o.options) : o.value]));
}

/** The interaction's user, in a guild (`member.user`) or a DM (`user`). */
function userOf(interaction: DiscordInteraction) {
  const user = interaction.member?.user ?? interaction.user;
  const name = user?.global_name ?? user?.username;
  return { id: user?.id ?? 'unknown', ...(name ? { name } : {}) };
}

/**
 * The message an interaction carries; none for PINGs, autocomplete and anything unknown. `metadata` holds
 * what completing it needs: `interactionToken` (valid 15 minutes) and `applicationId`.
 */
export function normalizeDiscord(interaction: DiscordInteraction, receivedAt: number): NormalizedMessage[] {
  const conversationId = interaction.channel_id ?? interaction.channel?.id;
  if (!conversationId || !interaction.data) return [];
  const base = {
    id: interaction.id, platform: 'discord', conversationId, from: userOf(interaction), timestamp: snowflakeTime(interaction.id, receivedAt),
    metadata: {
      interactionToken: interaction.token, applicationId: interaction.application_id,
      ...(interaction.guild_id ? { guildId: interaction.guild_id } : {}),
    } as Record<string, unknown>,
  };
  if (interaction.type === INTERACTION_TYPE.APPLICATION_COMMAND && interaction.data.name) {
    base.metadata.options = optionMap(interaction.data.options);
    return [{ ...base, content: { type: 'command', command: interaction.data.name, text: optionText(interaction.data.options) } }];
  }
  if (interaction.type === INTERACTION_TYPE.MESSAGE_COMPONENT && interaction.data.custom_id) {
    const value = interaction.data.values?.[0];
    return [{
      ...base, metadata: { ...base.metadata, customId: interaction.data.custom_id },
      content: { type: 'interactive_reply', replyId: value ?? interaction.data.custom_id },
      ...(interaction.message?.id ? { replyToId: interaction.message.id } : {}),
    }];
  }
  return [];
}

/** The kind of interaction, for `answers`: `ping`, `application_command`, `message_component`, `autocomplete`, `modal_submit`. */
export function discordEventType(interaction: DiscordInteraction): string | undefined {
  const names: Record<number, string> = {
    [INTERACTION_TYPE.PING]: 'ping', [INTERACTION_TYPE.APPLICATION_COMMAND]: 'application_command',
    [INTERACTION_TYPE.MESSAGE_COMPONENT]: 'message_component', [INTERACTION_TYPE.AUTOCOMPLETE]: 'autocomplete',
    [INTERACTION_TYPE.MODAL_SUBMIT]: 'modal_submit',
  };
  return names[interaction?.type];
}
