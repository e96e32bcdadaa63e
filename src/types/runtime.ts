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
  /** Channel URLs (outbound, health) may reach loopback and private networks. Default false. */
  allowPrivateNetworks?: boolean;
  /** IPs/CIDRs of reverse proxies whose X-Forwarded-For is believed (`SWITCHBOARD_TRUSTED_PROXIES`). Default none. */
  trustedProxies?: string[];
  /** The gateway's public origin (`SWITCHBOARD_PUBLIC_URL`), for schemes that sign the URL (Twilio). */
  publicUrl?: string;
  /** Where the webhook VCR writes one JSON fixture per verified request (`SWITCHBOARD_RECORD_WEBHOOKS`). Default off. */
  recordWebhooksDir?: string;
}

/** Where services find `SwitchboardRuntime` in `broker.metadata`. */
export const RUNTIME_METADATA_KEY = 'switchboard';
