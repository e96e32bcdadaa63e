/**
 * Channel health and credentials against the Graph API (`GET /{version}/{phone-number-id}`), and the
 * token mark: a send answered with error 190 marks the channel unhealthy (for that token) until the
 * token changes or a day passes, so `i_healthCheck` reports it without another call.
 */
import { createHash } from 'node:crypto';
import type { KeyValueStore } from '../../store';
import type { IntegrationConfig } from '../../types';
import type { ChannelHealth, CredentialsCheck } from '../../integration/types';
import { graphErrorCode, TOKEN_CODE, whatsappApiError } from './errors';
import type { Fetch } from './send';
import type { WhatsAppApi } from './settings';

/** How long a rejected token keeps its channel marked unhealthy: 24 h (or until the token changes). */
export const TOKEN_MARK_TTL_MS = 24 * 60 * 60 * 1000;

/** The phone number fields read by the health check. */
const FIELDS = 'display_phone_number,verified_name,quality_rating';

/** The store key of a channel's token mark. */
export function tokenMarkKey(channel: Pick<IntegrationConfig, 'tenantId' | 'id'>): string {
  return `whatsapp:token-rejected:${encodeURIComponent(channel.tenantId)}:${encodeURIComponent(channel.id)}`;
}

/** A short fingerprint of a token (never the token): the mark applies only to the token that was rejected. */
export function tokenFingerprint(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 16);
}

interface TokenMark { fingerprint: string; at: number; message: string }

/** Marks the channel's current token as rejected (best effort: a store failure only loses the mark). */
export async function markTokenRejected(store: KeyValueStore, channel: IntegrationConfig, api: WhatsAppApi, message: string, now = Date.now()): Promise<void> {
  const mark: TokenMark = { fingerprint: tokenFingerprint(api.accessToken), at: now, message };
  await store.set(tokenMarkKey(channel), JSON.stringify(mark), TOKEN_MARK_TTL_MS).catch(() => undefined);
}

/** The mark for the channel's current token, if any. */
export async function rejectedTokenMark(store: KeyValueStore, channel: IntegrationConfig, api: WhatsAppApi): Promise<TokenMark | undefined> {
  const raw = await store.get(tokenMarkKey(channel)).catch(() => null);
  if (!raw) return undefined;
  try {
    const mark = JSON.parse(raw) as TokenMark;
    return mark.fingerprint === tokenFingerprint(api.accessToken) ? mark : undefined;
  } catch {
    return undefined;
  }
}

/** Reads the phone number; resolves with its fields, or throws the mapped Graph error. */
export async function fetchPhoneNumber(fetchFn: Fetch, api: WhatsAppApi, signal?: AbortSignal): Promise<Record<string, unknown>> {
  const response = await fetchFn(`${api.base}/${api.phoneNumberId}?fields=${FIELDS}`, {
    method: 'GET', headers: { authorization: `Bearer ${api.accessToken}` }, ...(signal ? { signal } : {}),
  });
  if (!response.ok) throw await whatsappApiError(response, 'WhatsApp phone number lookup');
  return ((await response.json().catch(() => ({}))) ?? {}) as Record<string, unknown>;
}

/** Health: unhealthy at once while the current token is marked rejected; otherwise the phone number lookup decides. */
export async function whatsappHealth(fetchFn: Fetch, store: KeyValueStore, channel: IntegrationConfig, api: WhatsAppApi): Promise<ChannelHealth> {
  const mark = await rejectedTokenMark(store, channel, api);
  if (mark) {
    return { healthy: false, message: `the access token was rejected (Graph error ${TOKEN_CODE}) at ${new Date(mark.at).toISOString()}; replace credentials.accessToken`, details: { platformCode: TOKEN_CODE } };
  }
  const started = Date.now();
  try {
    const phone = await fetchPhoneNumber(fetchFn, api);
    return {
      healthy: true, message: 'the Graph API answers for this phone number', latencyMs: Date.now() - started,
      details: { displayPhoneNumber: phone.display_phone_number, verifiedName: phone.verified_name, qualityRating: phone.quality_rating },
    };
  } catch (err) {
    if (graphErrorCode(err) === TOKEN_CODE) await markTokenRejected(store, channel, api, (err as Error).message);
    return { healthy: false, message: (err as Error).message, latencyMs: Date.now() - started, ...(graphErrorCode(err) !== undefined ? { details: { platformCode: graphErrorCode(err) } } : {}) };
  }
}

/** Credentials: valid when the token can read the phone number id. */
export async function whatsappCredentials(fetchFn: Fetch, api: WhatsAppApi): Promise<CredentialsCheck> {
  try {
    const phone = await fetchPhoneNumber(fetchFn, api);
    return { valid: true, message: `the token can send as ${typeof phone.display_phone_number === 'string' ? phone.display_phone_number : api.phoneNumberId}` };
  } catch (err) {
    return { valid: false, message: (err as Error).message };
  }
}
