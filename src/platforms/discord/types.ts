/** The parts of Discord's interaction payloads the integration reads (https://discord.com/developers/docs/interactions/receiving-and-responding). */

export interface DiscordUser {
  id: string;
  username?: string;
  global_name?: string | null;
}

/** An application command option (`data.options[]`); sub-commands nest `options`. */
export interface DiscordCommandOption {
  name: string;
  type: number;
  value?: string | number | boolean;
  options?: DiscordCommandOption[];
}

/** Interaction types: 1 PING, 2 APPLICATION_COMMAND, 3 MESSAGE_COMPONENT, 4 AUTOCOMPLETE, 5 MODAL_SUBMIT. */
export const INTERACTION_TYPE = { PING: 1, APPLICATION_COMMAND: 2, MESSAGE_COMPONENT: 3, AUTOCOMPLETE: 4, MODAL_SUBMIT: 5 } as const;

/** Interaction response types used here: 1 PONG, 5 deferred message with source, 6 deferred update of a component's message. */
export const RESPONSE_TYPE = { PONG: 1, DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE: 5, DEFERRED_UPDATE_MESSAGE: 6 } as const;

/** One interaction, as Discord POSTs it to the interactions endpoint. */
export interface DiscordInteraction {
  id: string;
  application_id: string;
  type: number;
  token: string;
  version?: number;
  guild_id?: string;
  channel_id?: string;
  channel?: { id: string };
  /** In a guild: the member (with its user). */
  member?: { user: DiscordUser };
  /** In a DM: the user. */
  user?: DiscordUser;
  data?: {
    id?: string;
    name?: string;
    type?: number;
    options?: DiscordCommandOption[];
    custom_id?: string;
    component_type?: number;
    values?: string[];
  };
  message?: { id: string };
}
