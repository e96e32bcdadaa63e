/** One Discord REST call: JSON in and out; 429s carry their wait (body `retry_after`, `X-RateLimit-Reset-After`), other errors Discord's code. */
import type { Service } from 'moleculer';
import { PlatformError } from '../../errors';
import { parseRetryAfter } from '../../retry';
import type { IntegrationConfig } from '../../types';
import { parseOrText } from '../../retry/http';
import { apiBase, platformRequest } from '../shared/api';

/** Discord's REST base; a channel's `settings.apiBaseUrl` replaces it. */
export const DISCORD_API_BASE = 'https://discord.com/api/v10';

/** Error codes that mean the token no longer works, or the interaction is gone (its token lives 15 minutes). */
export const DISCORD_UNKNOWN_INTERACTION = 10062;

/** The wait a 429 asks for, in ms: the body's `retry_after` (seconds, fractional), else the headers. */
export function discordRetryAfterMs(body: unknown, headers: Headers): number | undefined {
  const fromBody = (body as { retry_after?: unknown } | null)?.retry_after;
  if (typeof fromBody === 'number' && Number.isFinite(fromBody) && fromBody >= 0) return Math.ceil(fromBody * 1000);
  const resetAfter = Number(headers.get('x-ratelimit-reset-after'));
  if (headers.has('x-ratelimit-reset-after') && Number.isFinite(resetAfter) && resetAfter >= 0) return Math.ceil(resetAfter * 1000);
  return parseRetryAfter(headers.get('retry-after'));
}

/** Calls `path` (after the API base); `auth` is the `Authorization` header (`Bot <token>`), none for interaction webhooks. */
export async function callDiscord(
  service: Service, channel: IntegrationConfig, method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string,
  options: { body?: unknown; auth?: string; signal?: AbortSignal } = {},
): Promise<Record<string, unknown> | undefined> {
  // undici's request, not fetch: no web streams or Response, a fraction of the CPU per call
  const response = await platformRequest(service, `${apiBase(channel, DISCORD_API_BASE)}${path}`, {
    method,
    headers: { ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(options.auth ? { authorization: options.auth } : {}) },
    body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
    signal: options.signal,
  });
  const body = parseOrText(response.text);
  if (response.ok) return body as Record<string, unknown> | undefined;
  const code = (body as { code?: unknown } | undefined)?.code;
  const retryAfterMs = response.status === 429 ? discordRetryAfterMs(body, response.headers) : undefined;
  throw new PlatformError(`discord ${method} ${path.replace(/\/webhooks\/(\d+)\/[^/]+/, '/webhooks/$1/<token>')} failed with HTTP ${response.status}`, {
    status: response.status,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(typeof code === 'number' ? { platformCode: code } : {}),
    ...(body !== undefined ? { body } : {}),
  });
}
