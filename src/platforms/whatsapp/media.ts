/**
 * Inbound media: a message's `mediaId` → Meta's media URL and details (`GET /{version}/{media-id}`), and the
 * bytes (the URL needs the channel's token, so consumers ask the integration: the `getMedia` action).
 */
import { PayloadTooLargeError, PlatformError } from '../../errors';
import { whatsappApiError } from './errors';
import type { Fetch } from './send';
import type { WhatsAppApi } from './settings';

/** Largest media `getMedia` downloads: 16 MiB (WhatsApp images are ≤ 5 MB, audio/video ≤ 16 MB). Larger → 413. */
export const DEFAULT_MAX_MEDIA_BYTES = 16 * 1024 * 1024;

/** What Meta says of a media id. The `url` is valid for 5 minutes and needs the access token. */
export interface WhatsAppMediaInfo {
  mediaId: string;
  url: string;
  mimeType?: string;
  sha256?: string;
  size?: number;
}

/** Looks a media id up (scoped to the channel's phone number). */
export async function mediaInfo(fetchFn: Fetch, api: WhatsAppApi, mediaId: string, signal?: AbortSignal): Promise<WhatsAppMediaInfo> {
  const response = await fetchFn(`${api.base}/${encodeURIComponent(mediaId)}?phone_number_id=${api.phoneNumberId}`, {
    method: 'GET', headers: { authorization: `Bearer ${api.accessToken}` }, ...(signal ? { signal } : {}),
  });
  if (!response.ok) throw await whatsappApiError(response, 'WhatsApp media lookup');
  const body = (await response.json().catch(() => null)) as { url?: unknown; mime_type?: unknown; sha256?: unknown; file_size?: unknown } | null;
  if (typeof body?.url !== 'string') throw new PlatformError('the Graph API answered a media lookup without a url', { status: response.status });
  return {
    mediaId, url: body.url,
    ...(typeof body.mime_type === 'string' ? { mimeType: body.mime_type } : {}),
    ...(typeof body.sha256 === 'string' ? { sha256: body.sha256 } : {}),
    ...(typeof body.file_size === 'number' || typeof body.file_size === 'string' ? { size: Number(body.file_size) } : {}),
  };
}

/** Downloads the media at `info.url` with the token, reading at most `maxBytes` (more → 413, the rest not read). */
export async function downloadMedia(fetchFn: Fetch, api: WhatsAppApi, info: WhatsAppMediaInfo, maxBytes = DEFAULT_MAX_MEDIA_BYTES, signal?: AbortSignal): Promise<Buffer> {
  if (info.size !== undefined && info.size > maxBytes) throw new PayloadTooLargeError(`the media is ${info.size} bytes; the limit is ${maxBytes}`, { limit: maxBytes });
  const response = await fetchFn(info.url, { method: 'GET', headers: { authorization: `Bearer ${api.accessToken}` }, ...(signal ? { signal } : {}) });
  if (!response.ok) throw await whatsappApiError(response, 'WhatsApp media download');
  const chunks: Buffer[] = [];
  let total = 0;
  const reader = response.body?.getReader();
  if (!reader) return Buffer.alloc(0);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new PayloadTooLargeError(`the media is over the limit of ${maxBytes} bytes`, { limit: maxBytes });
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}
