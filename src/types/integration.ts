/** What describes an integration (its spec) and one of its channels (its config). */

export type IntegrationCapability =
  | 'RECEIVE_MESSAGE'
  | 'SEND_MESSAGE'
  | 'SEND_MEDIA'
  | 'WEBHOOK_VERIFICATION'
  | 'REACTIONS'
  | 'INTERACTIVE'
  | (string & {});

export type IntegrationStatus = 'ACTIVE' | 'BETA' | 'DEPRECATED' | 'INACTIVE';

/** Static description of an integration, reported by `i_status`. */
export interface BaseSpec {
  id: string;
  name: string;
  platform: string;
  version: string;
  status: IntegrationStatus;
  capabilities: IntegrationCapability[];
  description?: string;
}

export type ChannelStatus = 'active' | 'disabled';

/** One channel: a tenant's connection to a platform (a bot, a phone number, a workspace). */
export interface IntegrationConfig<
  TCredentials extends Record<string, unknown> = Record<string, unknown>,
  TSettings extends Record<string, unknown> = Record<string, unknown>,
> {
  id: string;
  tenantId: string;
  platform: string;
  /** What the integration needs to call the platform (tokens, keys). Never returned by the API. */
  credentials: TCredentials;
  /** Every webhook secret currently accepted; more than one while a secret is rotated. Never returned by the API. */
  secrets: string[];
  settings: TSettings;
  status: ChannelStatus;
}
