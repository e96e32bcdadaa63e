/** `@switchboard/sdk/registry`: the channel registry (default `getChannelConfig`, operator API CRUD, seeding) and its service. */
export {
  ChannelRegistry, channelRegistry, channelRegistryActions, generateSecret, parseChannelsSource, seedChannels, redactChannel,
  DEFAULT_ROTATION_GRACE_SECONDS, CHANNEL_CHANGED_EVENT,
} from '../registry';
export type {
  ChannelRegistryOptions, SeedOptions, ChannelRecord, StoredSecret, ChannelInput, ChannelUpdate, RedactedChannel,
  RotateSecretOptions, RotateSecretResult, ChannelChangedPayload,
} from '../registry';
export { frontDoorSettingsProblem, MAX_ALLOWED_SOURCES } from '../registry';
export type { FrontDoorSettings, BasicAuthSettings, InboundRateLimitSettings } from '../registry';
export { createRegistryService } from '../services';
export type { RegistryServiceOptions } from '../services';
