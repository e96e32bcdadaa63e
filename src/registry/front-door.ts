/**
 * A channel's front-door settings — `basicAuth`, `allowedSources`, `inboundRateLimit`, `publicUrl` — checked in one
 * place: the registry refuses bad ones at creation and update (400 naming the field), the pipeline reads them.
 */
import { parseCidr } from '../security/sources';

/** HTTP basic auth for a channel; the password is any active entry of the channel's `secrets`. */
export interface BasicAuthSettings {
  /** The user name the source sends (no `:`). */
  username: string;
}

/** A token bucket per channel: `burst` tokens, refilled at `perSecond`; over it → 429 with `Retry-After`. */
export interface InboundRateLimitSettings {
  perSecond: number;
  burst: number;
}

/** The settings the inbound pipeline reads before the signature. */
export interface FrontDoorSettings {
  basicAuth?: BasicAuthSettings;
  /** IPs and CIDRs the request must come from (the client behind `SWITCHBOARD_TRUSTED_PROXIES`). */
  allowedSources?: string[];
  inboundRateLimit?: InboundRateLimitSettings;
  /** The full public URL the platform is configured with (query included), for schemes that sign it (Twilio). */
  publicUrl?: string;
}

/** Most entries of `allowedSources`. */
export const MAX_ALLOWED_SOURCES = 256;

/** What is wrong with one setting, for a 400 (registry) or a 500 (a hand-written `getChannelConfig`). */
export interface SettingProblem {
  field: string;
  message: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The first problem with the front-door settings in `settings`, or undefined when they are usable (or absent). */
export function frontDoorSettingsProblem(settings: Record<string, unknown> | undefined): SettingProblem | undefined {
  if (!settings) return undefined;
  const { basicAuth, allowedSources, inboundRateLimit, publicUrl } = settings;
  if (basicAuth !== undefined) {
    const field = 'settings.basicAuth';
    if (!isObject(basicAuth) || Object.keys(basicAuth).some((k) => k !== 'username')) {
      return { field, message: `channel.${field} must be { username } (the password is any active entry of the channel's secrets)` };
    }
    const { username } = basicAuth;
    if (typeof username !== 'string' || username.length === 0 || username.length > 256 || username.includes(':') || /[\u0000-\u001f\u007f]/.test(username)) {
      return { field: `${field}.username`, message: `channel.${field}.username must be 1-256 printable characters without ':'` };
    }
  }
  if (allowedSources !== undefined) {
    const field = 'settings.allowedSources';
    if (!Array.isArray(allowedSources) || allowedSources.length === 0 || allowedSources.length > MAX_ALLOWED_SOURCES) {
      return { field, message: `channel.${field} must be a list of 1-${MAX_ALLOWED_SOURCES} IPs or CIDRs, e.g. ['10.0.0.0/8']` };
    }
    const bad = allowedSources.findIndex((s) => !parseCidr(s));
    if (bad >= 0) return { field: `${field}[${bad}]`, message: `channel.${field}[${bad}] is not an IP address or CIDR: ${JSON.stringify(allowedSources[bad])}` };
  }
  if (inboundRateLimit !== undefined) {
    const field = 'settings.inboundRateLimit';
    if (!isObject(inboundRateLimit) || Object.keys(inboundRateLimit).some((k) => k !== 'perSecond' && k !== 'burst')) {
      return { field, message: `channel.${field} must be { perSecond, burst }` };
    }
    const { perSecond, burst } = inboundRateLimit;
    if (typeof perSecond !== 'number' || !Number.isFinite(perSecond) || perSecond <= 0 || perSecond > 1_000_000) {
      return { field: `${field}.perSecond`, message: `channel.${field}.perSecond must be a number of requests per second above 0` };
    }
    if (!Number.isInteger(burst) || (burst as number) < 1 || (burst as number) > 1_000_000) {
      return { field: `${field}.burst`, message: `channel.${field}.burst must be a whole number of requests, 1 or more` };
    }
  }
  if (publicUrl !== undefined) {
    const field = 'settings.publicUrl';
    let url: URL | undefined;
    try { url = typeof publicUrl === 'string' ? new URL(publicUrl) : undefined; } catch { url = undefined; }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.username !== '' || url.password !== '') {
      return { field, message: `channel.${field} must be the full http(s) URL configured at the platform, e.g. https://hooks.example.com/webhooks/twilio/ch1` };
    }
  }
  return undefined;
}

/** The front-door settings of a channel whose settings passed {@link frontDoorSettingsProblem}. */
export function frontDoorSettings(settings: Record<string, unknown> | undefined): FrontDoorSettings {
  return (settings ?? {}) as FrontDoorSettings;
}

/** The settings as the operator API shows them: `basicAuth` only as `{ configured: true }`. */
export function redactFrontDoorSettings(settings: Record<string, unknown>): Record<string, unknown> {
  if (settings.basicAuth === undefined) return settings;
  return { ...settings, basicAuth: { configured: true } };
}
