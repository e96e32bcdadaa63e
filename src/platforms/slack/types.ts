/** The parts of Slack's payloads the integration reads (Events API, slash commands, interactivity). */

/** A file attached to a message (`files[]`). */
export interface SlackFile {
  id: string;
  name?: string;
  title?: string;
  mimetype?: string;
  filetype?: string;
  size?: number;
  url_private?: string;
  permalink?: string;
}

/** A `message` or `app_mention` event (https://api.slack.com/events/message). */
export interface SlackMessageEvent {
  type: 'message' | 'app_mention';
  subtype?: string;
  channel: string;
  channel_type?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts: string;
  thread_ts?: string;
  event_ts?: string;
  files?: SlackFile[];
  /** `message_changed`: the message as it is now. */
  message?: SlackMessageEvent;
  /** `message_deleted`: the deleted message's ts. */
  deleted_ts?: string;
  previous_message?: SlackMessageEvent;
}

/** A `reaction_added` / `reaction_removed` event. */
export interface SlackReactionEvent {
  type: 'reaction_added' | 'reaction_removed';
  user: string;
  reaction: string;
  item: { type: string; channel?: string; ts?: string };
  event_ts: string;
}

export type SlackEvent = SlackMessageEvent | SlackReactionEvent | { type: string; [key: string]: unknown };

/** The Events API envelope (`type: 'event_callback'`). */
export interface SlackEventCallback {
  type: 'event_callback';
  team_id?: string;
  api_app_id?: string;
  event_id: string;
  event_time?: number;
  event: SlackEvent;
  /** The installation the event is for; `user_id` is the bot user (its own messages are ignored). */
  authorizations?: Array<{ user_id?: string; is_bot?: boolean }>;
}

/** A slash command, form-encoded (https://api.slack.com/interactivity/slash-commands). */
export interface SlackSlashCommand {
  command: string;
  text?: string;
  channel_id: string;
  user_id: string;
  user_name?: string;
  team_id?: string;
  trigger_id: string;
  response_url?: string;
}

/** A `block_actions` interaction (the form's `payload` field, JSON). */
export interface SlackBlockActions {
  type: 'block_actions';
  trigger_id: string;
  user: { id: string; username?: string; name?: string };
  channel?: { id: string; name?: string };
  container?: { type: string; message_ts?: string; channel_id?: string; thread_ts?: string };
  message?: { ts: string; thread_ts?: string };
  actions: Array<{ action_id: string; block_id?: string; type: string; value?: string; text?: { text?: string }; selected_option?: { value: string; text?: { text?: string } }; action_ts?: string }>;
  response_url?: string;
}

/** Whatever Slack POSTs to the request URL, after the form (if any) is parsed. */
export type SlackPayload = Partial<Omit<SlackEventCallback, 'type'>> & Partial<SlackSlashCommand> & { payload?: unknown; type?: string; [key: string]: unknown };
