/** The Bot API client: `POST <apiBaseUrl>/bot<token>/<method>` with JSON, `{ ok, result }` unwrapped, errors typed. */
import { ConfigError, PlatformError } from '../../errors';
import { guardedRequest } from '../../security';
import { MAX_PLATFORM_ANSWER_BYTES } from '../shared/api';
import { DEFAULT_TELEGRAM_API_BASE_URL, type BotApiResponse, type TelegramChannel } from './types';

/** `<bot id>:<secret>` as BotFather issues it. */
const BOT_TOKEN = /^\d{1,20}:[A-Za-z0-9_-]{10,200}$/;

/**
 * A Bot API error answer (`{ ok: false, error_code, description, parameters }`) as a `PlatformError`:
 * `data.status` is the error code (429 and 5xx retryable, other 4xx permanent), `data.retryAfterMs`
 * Telegram's `parameters.retry_after` (so every retry waits it by default), `data.description` its text,
 * `data.reason` a stable name for the failures a product acts on (`bot_blocked`, `chat_not_found`,
 * `unauthorized`, `chat_migrated`, `rate_limited`).
 */
export class TelegramApiError extends PlatformError {
  constructor(method: string, status: number, description: string, data: Record<string, unknown> = {}) {
    super(`telegram ${method}: ${description} (${status})`, { status, method, description, ...data });
    this.name = 'TelegramApiError';
  }
}

/** A stable reason for a Bot API error, from its code and description. */
export function telegramErrorReason(status: number, description: string): string | undefined {
  const text = description.toLowerCase();
  if (status === 429) return 'rate_limited';
  if (status === 401) return 'unauthorized';
  if (status === 403 && text.includes('blocked')) return 'bot_blocked';
  if (status === 403 && text.includes('deactivated')) return 'user_deactivated';
  if (status === 403 && text.includes('kicked')) return 'bot_kicked';
  if (status === 400 && text.includes('chat not found')) return 'chat_not_found';
  if (status === 400 && text.includes('upgraded to a supergroup')) return 'chat_migrated';
  return undefined;
}

/** The channel's Bot API origin: `settings.apiBaseUrl` (an http(s) origin, no path), else api.telegram.org. */
export function apiBaseUrlOf(channel: TelegramChannel): string {
  const raw = channel.settings?.apiBaseUrl;
  if (raw === undefined) return DEFAULT_TELEGRAM_API_BASE_URL;
  let url: URL | undefined;
  try { url = typeof raw === 'string' ? new URL(raw) : undefined; } catch { url = undefined; }
  if (!url || !/^https?:$/.test(url.protocol) || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw new ConfigError(`channel ${channel.id}: settings.apiBaseUrl must be an http(s) origin such as https://api.telegram.org (no path)`, { channelId: channel.id, setting: 'apiBaseUrl' });
  }
  return url.origin;
}

/** The channel's bot token; `ConfigError` (never showing it) when missing or malformed. */
export function botTokenOf(channel: TelegramChannel): string {
  const token = channel.credentials?.botToken;
  if (typeof token !== 'string' || !BOT_TOKEN.test(token)) {
    throw new ConfigError(`channel ${channel.id}: credentials.botToken must be the token BotFather gave (<bot id>:<secret>)`, { channelId: channel.id, credential: 'botToken' });
  }
  return token;
}

/** The bot's numeric id (the part of the token before `:`): safe to log, one per bot. */
export function botIdOf(channel: TelegramChannel): string {
  return botTokenOf(channel).split(':')[0]!;
}

export interface BotApiCallOptions {
  signal?: AbortSignal;
  /** Let `settings.apiBaseUrl` reach loopback and private networks (SWITCHBOARD_ALLOW_PRIVATE_URLS). Default false. */
  allowPrivateNetworks?: boolean;
}

function parseAnswer(text: string): BotApiResponse<unknown> | undefined {
  try {
    const body = JSON.parse(text) as unknown;
    return body && typeof body === 'object' && typeof (body as { ok?: unknown }).ok === 'boolean' ? body as BotApiResponse<unknown> : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Calls one Bot API method and resolves with its `result`. Rejects with `TelegramApiError` for an
 * error answer, `PlatformError` for a non-Bot-API answer (a proxy's 502), and lets network errors
 * through (the retry policy classifies them). The token is in the URL only: never in an error.
 */
export async function callBotApi<T>(channel: TelegramChannel, method: string, params: Record<string, unknown> = {}, options: BotApiCallOptions = {}): Promise<T> {
  const url = `${apiBaseUrlOf(channel)}/bot${botTokenOf(channel)}/${method}`;
  // undici's request, not fetch (no web streams: a fraction of the CPU per call). A channel's own apiBaseUrl is
  // the tenant's: guarded against internal addresses. Telegram's own origin is not. Redirects are never followed.
  const response = await guardedRequest(url, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params), maxBodyBytes: MAX_PLATFORM_ANSWER_BYTES, signal: options.signal,
  }, { allowPrivateNetworks: channel.settings?.apiBaseUrl === undefined || options.allowPrivateNetworks === true });
  const ok = response.status >= 200 && response.status < 300;
  const text = response.body.toString('utf8');
  const body = parseAnswer(text);
  if (body?.ok === true && ok) return body.result as T;
  if (body && body.ok === false) {
    const status = Number.isInteger(body.error_code) && body.error_code >= 400 && body.error_code <= 599 ? body.error_code : (ok ? 500 : response.status);
    const description = typeof body.description === 'string' ? body.description.slice(0, 500) : `HTTP ${response.status}`;
    const retryAfter = body.parameters?.retry_after;
    const migrateTo = body.parameters?.migrate_to_chat_id;
    const reason = telegramErrorReason(status, description);
    throw new TelegramApiError(method, status, description, {
      body: { ok: false, error_code: body.error_code, description, ...(body.parameters ? { parameters: body.parameters } : {}) },
      ...(typeof retryAfter === 'number' && Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterMs: Math.ceil(retryAfter * 1000) } : {}),
      ...(typeof migrateTo === 'number' ? { migrateToChatId: String(migrateTo) } : {}),
      ...(reason ? { reason } : {}),
    });
  }
  throw new PlatformError(`telegram ${method} failed with HTTP ${response.status}`, { status: ok ? 502 : response.status, method, body: text.slice(0, 500) });
}
