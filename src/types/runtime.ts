/** What the broker config tells SDK services about the runtime, under `broker.metadata.switchboard`. */

export interface SwitchboardRuntime {
  /** Channel namespace: channels are `<namespace>.processing.message.received` etc. */
  namespace: string;
  /** NATS server URL(s) when running on NATS; absent in one-process memory mode. */
  natsUrl?: string;
  /** Redis URL when state is shared in Redis; absent in memory mode. */
  redisUrl?: string;
  /** HTTP port of the gateway. */
  port?: number;
  /** Listen address of the gateway (`HOST`). */
  host?: string;
  /** Channel URLs (outbound, health) may reach loopback and private networks. Default false. */
  allowPrivateNetworks?: boolean;
}

/** Where services find `SwitchboardRuntime` in `broker.metadata`. */
export const RUNTIME_METADATA_KEY = 'switchboard';
