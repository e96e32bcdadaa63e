export type {
  Participant, MediaKind, MessageContent, OutboundContent, OutboundButton, NormalizedMessage, NormalizedStatus, DeliveryStatus,
  OutboundMessage, SendResult, WebhookEvent,
} from './messages';
export type { IntegrationCapability, IntegrationStatus, BaseSpec, ChannelStatus, IntegrationConfig } from './integration';
export type { AppUser, AppMeta, PermissionHelpers, AppContext } from './context';
export type { SwitchboardRuntime } from './runtime';
export { RUNTIME_METADATA_KEY } from './runtime';
