/** The channel registry: channels stored in Redis or memory, secret rotation, seeding, redaction. */
export { ChannelRegistry, generateSecret } from './channel-registry';
export type { ChannelRegistryOptions } from './channel-registry';
export { channelRegistry } from './broker-registry';
export { channelRegistryActions } from './actions';
export { parseChannelsSource, seedChannels } from './seed';
export type { SeedOptions } from './seed';
export { redactChannel, toIntegrationConfig, activeSecrets } from './redact';
export { DEFAULT_ROTATION_GRACE_SECONDS, CHANNEL_CHANGED_EVENT } from './types';
export type {
  ChannelRecord, StoredSecret, ChannelInput, ChannelUpdate, RedactedChannel, RotateSecretOptions, RotateSecretResult, ChannelChangedPayload,
} from './types';
export { frontDoorSettingsProblem, frontDoorSettings, redactFrontDoorSettings, MAX_ALLOWED_SOURCES } from './front-door';
export type { FrontDoorSettings, BasicAuthSettings, InboundRateLimitSettings, SettingProblem } from './front-door';
