/** Reads and validates the environment variables Switchboard understands; every error names the variable. */
import { isIP } from 'node:net';
import { ConfigError } from '../errors';
import { parseCidr, splitAddressList } from '../security/sources';
import { checkedSentinelUrl, isSentinelUrl } from '../store/redis-url';
import { OPS_ENV_VARIABLES, readOpsEnv, type OpsEnv } from './ops-env';

/** Every environment variable Switchboard reads, with what it means. */
export const ENV_VARIABLES = {
  NATS_URL: 'NATS server URL(s), comma-separated (nats://host:4222). Unset: one process, in-memory transport and channels.',
  REDIS_URL: 'Redis URL (redis://host:6379 or rediss://), or a Sentinel set (redis+sentinel://host:26379,host2:26379/mymaster). Unset: cacher and state in memory.',
  PORT: 'HTTP port of the gateway. Default 3000.',
  HOST: 'Address the gateway listens on. Default `127.0.0.1` in memory mode (its demo channel\'s secret is public), `0.0.0.0` when NATS_URL is set.',
  SWITCHBOARD_NAMESPACE: 'Prefix of channel names and Redis keys. Default `switchboard`.',
  SWITCHBOARD_NODE_ID: 'Moleculer node id. Default: hostname and pid.',
  SWITCHBOARD_LOG_LEVEL: 'trace | debug | info | warn | error | fatal. Default info.',
  // front door (inbound auth, public URL, webhook VCR)
  SWITCHBOARD_TRUSTED_PROXIES: 'Comma-separated IPs or CIDRs of your reverse proxies: X-Forwarded-For is believed only from them (the client is the right-most entry not in the set). Default: none (the socket peer is the client).',
  SWITCHBOARD_PUBLIC_URL: 'The origin platforms reach the gateway at (https://hooks.example.com): Twilio signatures are checked over it + the request path and query, unless a channel sets settings.publicUrl. Default: none.',
  SWITCHBOARD_RECORD_WEBHOOKS: 'A directory: each verified inbound request is written there as one JSON fixture (the webhook VCR; no secret or credential). Default: off.',
  SWITCHBOARD_API_KEYS: 'Operator API keys: `key:tenant[,key:tenant...]`, or a path to a JSON file.',
  SWITCHBOARD_CHANNELS: 'Channels to register at start: a JSON array, or a path to a JSON file.',
  SWITCHBOARD_ALLOW_PRIVATE_URLS: 'true lets channel URLs (outboundUrl, healthUrl) reach loopback and private networks. Default false.',
  SWITCHBOARD_SUBSCRIPTIONS: 'Static tenant webhook subscriptions (read-only through the API): a JSON array, or a path to a JSON file.',
  SWITCHBOARD_WEBHOOK_PROBE_INTERVAL_MS: 'Turns on the probe of tenant webhook endpoints disabled for failing: every this many ms a signed webhook.test; a 2xx enables the subscription and replays its failed deliveries. Default: off.',
  ...OPS_ENV_VARIABLES,
} as const;

export const DEFAULT_PORT = 3000;
/** The gateway's listen address in memory mode: loopback only (the seeded demo channel's secret is public). */
export const DEFAULT_MEMORY_HOST = '127.0.0.1';
/** The gateway's listen address when `NATS_URL` is set: every interface. */
export const DEFAULT_CLUSTER_HOST = '0.0.0.0';
export const DEFAULT_NAMESPACE = 'switchboard';
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface SwitchboardEnv extends OpsEnv {
  natsUrl?: string;
  redisUrl?: string;
  port: number;
  /** The gateway's listen address (`HOST`); see {@link DEFAULT_MEMORY_HOST} and {@link DEFAULT_CLUSTER_HOST}. */
  host: string;
  namespace: string;
  nodeID?: string;
  logLevel: LogLevel;
  /** Channel URLs may reach loopback and private networks (SSRF guard off). */
  allowPrivateNetworks: boolean;
  /** `SWITCHBOARD_TRUSTED_PROXIES`: IPs/CIDRs whose X-Forwarded-For is believed. Default none. */
  trustedProxies?: string[];
  /** `SWITCHBOARD_PUBLIC_URL`: the gateway's public origin. */
  publicUrl?: string;
  /** `SWITCHBOARD_RECORD_WEBHOOKS`: where the webhook VCR writes fixtures. */
  recordWebhooksDir?: string;
}

function parseUrls(name: string, value: string, schemes: readonly string[]): string {
  const parts = value.split(',').map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) throw new ConfigError(`${name} is set but empty; unset it or give a URL like ${schemes[0]}://127.0.0.1`, { variable: name });
  for (const part of parts) {
    let url: URL;
    try {
      url = new URL(part);
    } catch (err) {
      throw new ConfigError(`${name} is not a valid URL: "${part}". Expected ${schemes.map((s) => `${s}://host:port`).join(' or ')}.`, { variable: name }, err);
    }
    const scheme = url.protocol.replace(/:$/, '');
    if (!schemes.includes(scheme) || !url.hostname) {
      throw new ConfigError(`${name} must use ${schemes.map((s) => `${s}://`).join(' or ')} with a host; got "${part}".`, { variable: name });
    }
  }
  return parts.join(',');
}

/** Validates `env` (default `process.env`); throws `ConfigError` naming the first bad or unknown variable. */
export function readEnv(env: NodeJS.ProcessEnv = process.env): SwitchboardEnv {
  for (const key of Object.keys(env)) {
    if (key.startsWith('SWITCHBOARD_') && !(key in ENV_VARIABLES)) {
      const known = Object.keys(ENV_VARIABLES).filter((k) => k.startsWith('SWITCHBOARD_')).join(', ');
      throw new ConfigError(`Unknown environment variable ${key}. Known: ${known}.`, { variable: key });
    }
  }
  const result: SwitchboardEnv = { port: DEFAULT_PORT, host: DEFAULT_MEMORY_HOST, namespace: DEFAULT_NAMESPACE, logLevel: 'info', allowPrivateNetworks: false };
  if (env.NATS_URL !== undefined) result.natsUrl = parseUrls('NATS_URL', env.NATS_URL, ['nats', 'tls']);
  if (result.natsUrl) result.host = DEFAULT_CLUSTER_HOST;
  if (env.HOST !== undefined) {
    const host = env.HOST.trim();
    if (!isIP(host) && !/^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(host)) {
      throw new ConfigError(`HOST must be an IP address or a host name (127.0.0.1, 0.0.0.0, ::, localhost); got "${env.HOST}".`, { variable: 'HOST' });
    }
    result.host = host;
  }
  if (env.REDIS_URL !== undefined) result.redisUrl = isSentinelUrl(env.REDIS_URL) ? checkedSentinelUrl(env.REDIS_URL, 'REDIS_URL') : parseUrls('REDIS_URL', env.REDIS_URL, ['redis', 'rediss']);
  if (result.redisUrl?.includes(',') && !isSentinelUrl(result.redisUrl)) throw new ConfigError('REDIS_URL takes one URL, not a list.', { variable: 'REDIS_URL' });
  if (env.PORT !== undefined) {
    const port = /^\d{1,5}$/.test(env.PORT) ? Number(env.PORT) : NaN;
    if (!(port >= 0 && port <= 65535)) throw new ConfigError(`PORT must be a number from 0 to 65535; got "${env.PORT}".`, { variable: 'PORT' });
    result.port = port;
  }
  if (env.SWITCHBOARD_NAMESPACE !== undefined) {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(env.SWITCHBOARD_NAMESPACE)) {
      throw new ConfigError(`SWITCHBOARD_NAMESPACE may hold only letters, digits, '_' and '-' (1-64); got "${env.SWITCHBOARD_NAMESPACE}".`, { variable: 'SWITCHBOARD_NAMESPACE' });
    }
    result.namespace = env.SWITCHBOARD_NAMESPACE;
  }
  if (env.SWITCHBOARD_NODE_ID !== undefined) result.nodeID = env.SWITCHBOARD_NODE_ID;
  if (env.SWITCHBOARD_LOG_LEVEL !== undefined) {
    if (!(LOG_LEVELS as readonly string[]).includes(env.SWITCHBOARD_LOG_LEVEL)) {
      throw new ConfigError(`SWITCHBOARD_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}; got "${env.SWITCHBOARD_LOG_LEVEL}".`, { variable: 'SWITCHBOARD_LOG_LEVEL' });
    }
    result.logLevel = env.SWITCHBOARD_LOG_LEVEL as LogLevel;
  }
  if (env.SWITCHBOARD_ALLOW_PRIVATE_URLS !== undefined) {
    if (!['true', 'false'].includes(env.SWITCHBOARD_ALLOW_PRIVATE_URLS)) {
      throw new ConfigError(`SWITCHBOARD_ALLOW_PRIVATE_URLS must be true or false; got "${env.SWITCHBOARD_ALLOW_PRIVATE_URLS}".`, { variable: 'SWITCHBOARD_ALLOW_PRIVATE_URLS' });
    }
    result.allowPrivateNetworks = env.SWITCHBOARD_ALLOW_PRIVATE_URLS === 'true';
  }
  readFrontDoorEnv(env, result);
  Object.assign(result, readOpsEnv(env));
  return result;
}

/** The front-door variables: trusted proxies, public URL, webhook VCR directory. */
function readFrontDoorEnv(env: NodeJS.ProcessEnv, result: SwitchboardEnv): void {
  if (env.SWITCHBOARD_TRUSTED_PROXIES !== undefined) {
    const entries = splitAddressList(env.SWITCHBOARD_TRUSTED_PROXIES);
    const bad = entries.find((e) => !parseCidr(e));
    if (bad !== undefined) {
      throw new ConfigError(`SWITCHBOARD_TRUSTED_PROXIES must be comma-separated IPs or CIDRs (10.0.0.0/8, 127.0.0.1); got "${bad}".`, { variable: 'SWITCHBOARD_TRUSTED_PROXIES' });
    }
    result.trustedProxies = entries;
  }
  if (env.SWITCHBOARD_PUBLIC_URL !== undefined) {
    let url: URL | undefined;
    try { url = new URL(env.SWITCHBOARD_PUBLIC_URL); } catch { url = undefined; }
    if (!url || !['http:', 'https:'].includes(url.protocol) || url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
      throw new ConfigError(`SWITCHBOARD_PUBLIC_URL must be an origin like https://hooks.example.com (no path, query or credentials); got "${env.SWITCHBOARD_PUBLIC_URL}".`, { variable: 'SWITCHBOARD_PUBLIC_URL' });
    }
    result.publicUrl = url.origin;
  }
  if (env.SWITCHBOARD_RECORD_WEBHOOKS !== undefined) {
    if (env.SWITCHBOARD_RECORD_WEBHOOKS.trim() === '') throw new ConfigError('SWITCHBOARD_RECORD_WEBHOOKS is set but empty; give a directory or unset it.', { variable: 'SWITCHBOARD_RECORD_WEBHOOKS' });
    result.recordWebhooksDir = env.SWITCHBOARD_RECORD_WEBHOOKS;
  }
}
