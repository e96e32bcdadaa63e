/** What every shipped platform shares: its API base (a channel's `settings.apiBaseUrl`) and the guarded request to it. */
import type { Service } from 'moleculer';
import { ConfigError } from '../../errors';
import { httpStatusError } from '../../retry/http';
import { guardedFetch, guardedRequest, type GuardedRequestInit, type OutboundUrlPolicy } from '../../security';
import { runtimeOf } from '../../store';
import type { IntegrationConfig } from '../../types';

/**
 * The API origin (and path prefix) of a channel: `settings.apiBaseUrl` when set (tests point it at a local
 * fake platform), else the platform's default. A trailing slash is dropped.
 */
export function apiBase(channel: IntegrationConfig, fallback: string): string {
  const configured = channel.settings.apiBaseUrl;
  if (configured === undefined || configured === null || configured === '') return fallback.replace(/\/+$/, '');
  if (typeof configured !== 'string' || !/^https?:\/\//.test(configured)) {
    throw new ConfigError(`channel ${channel.id}: settings.apiBaseUrl must be an http(s) URL such as ${fallback}`, { channelId: channel.id, option: 'settings.apiBaseUrl' });
  }
  return configured.replace(/\/+$/, '');
}

/** A credential the platform needs, or a `ConfigError` naming the field. */
export function credential(channel: IntegrationConfig, name: string): string {
  const value = channel.credentials[name];
  if (typeof value !== 'string' || value === '') {
    throw new ConfigError(`channel ${channel.id}: credentials.${name} is not set`, { channelId: channel.id, option: `credentials.${name}` });
  }
  return value;
}

/**
 * The SSRF policy of a platform URL. `settings.apiBaseUrl` is tenant-controlled, so the URL is guarded (checked on
 * the address dialled): internal addresses are refused unless `SWITCHBOARD_ALLOW_PRIVATE_URLS=true`; the refusal's
 * detail goes to the service's log, never to the caller.
 */
function platformPolicy(service: Service): OutboundUrlPolicy {
  return {
    allowPrivateNetworks: runtimeOf(service.broker).allowPrivateNetworks,
    onRefused: (detail) => service.logger.warn(`platform URL refused: ${detail}`),
  };
}

/** `fetch` to a platform URL, guarded like {@link platformRequest}; kept for WhatsApp's pluggable `fetch` option. */
export function platformFetch(service: Service, url: string, init: GuardedRequestInit): Promise<Response> {
  return guardedFetch(url, init, platformPolicy(service));
}

/** At most this many bytes of a platform's answer are read (a JSON API answer is far smaller; the rest is never downloaded). */
export const MAX_PLATFORM_ANSWER_BYTES = 4 * 1024 * 1024;

/**
 * Sent unless the caller names its own: `fetch` used to send one (`undici`) and some APIs (Discord's) refuse
 * requests without it.
 */
const DEFAULT_USER_AGENT = 'switchboard-sdk';

/** What {@link platformRequest} sends. No deadline of its own: the retry attempt's `signal` bounds the request. */
export interface PlatformRequestInit {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/** What a platform answered: the status, whether it is 2xx, the headers and the (capped) body as text. */
export interface PlatformAnswer {
  status: number;
  ok: boolean;
  headers: Headers;
  text: string;
}

/**
 * One request to a platform URL with undici's `request` (`guardedRequest`) rather than `fetch`: no web streams or
 * `Response`, a fraction of the CPU per call. Same guard as {@link platformFetch}; redirects are never followed (a
 * 3xx is the answer). Rejects with `UnsafeUrlError` (refused), the signal's reason (aborted) or the connection's
 * error (the retry policy classifies it by its code); any status resolves.
 */
export async function platformRequest(service: Service, url: string, init: PlatformRequestInit): Promise<PlatformAnswer> {
  const answer = await guardedRequest(url, {
    method: init.method,
    headers: { 'user-agent': DEFAULT_USER_AGENT, ...init.headers },
    body: init.body,
    signal: init.signal,
    maxBodyBytes: MAX_PLATFORM_ANSWER_BYTES,
  }, platformPolicy(service));
  return { status: answer.status, ok: answer.status >= 200 && answer.status < 300, headers: headersOf(answer.headers), text: answer.body.toString('utf8') };
}

/**
 * `Headers` from guardedRequest's flat lower-case ones, so callers read them as they read a `Response`'s. A value
 * `Headers` refuses (not Latin-1) is left out rather than failing the call: callers only read rate-limit headers.
 */
function headersOf(flat: Record<string, string>): Headers {
  const headers = new Headers();
  for (const name in flat) {
    try { headers.append(name, flat[name]!); } catch { /* not a ByteString: skip it */ }
  }
  return headers;
}

/**
 * Resolves for a 2xx answer; otherwise throws the `PlatformError` `ensureOk` (src/retry) throws for a `Response`:
 * `<what> failed with HTTP <status>`, `data.status`, `data.retryAfterMs` (from `Retry-After`) and `data.body`
 * (the first characters, parsed when JSON) — so retries and callers see the same error whichever client made it.
 */
export function ensureAnswerOk(answer: PlatformAnswer, what: string): void {
  if (!answer.ok) throw httpStatusError(what, answer.status, answer.headers.get('retry-after'), answer.text);
}
