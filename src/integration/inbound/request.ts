/** The webhook request as the pipeline sees it, decoded from the `i_receiveWebhook` params (body as base64 across the transporter). */
import { BadRequestError, PayloadTooLargeError } from '../../errors';

/** `i_receiveWebhook` params, as the gateway sends them. JSON-safe: the body travels as base64. */
export interface ReceiveWebhookParams {
  channelId: string;
  /** The raw body, base64-encoded (the JSON serializer would mangle a Buffer). */
  body: string;
  /** Request headers, names lower-cased. */
  headers?: Record<string, string>;
  query?: Record<string, string>;
  /** When the gateway received the request, ms since the epoch. Default: now. */
  receivedAt?: number;
  /** The request's path and query as received (`/webhooks/<integration>/<channelId>?...`), for URL-signing schemes and the VCR. */
  path?: string;
  /** The socket peer's address (the client, or the last proxy). */
  remoteAddress?: string;
}

/** One webhook delivery: exact bytes, headers and query. */
export interface InboundRequest {
  channelId: string;
  rawBody: Buffer;
  headers: Record<string, string>;
  query: Record<string, string>;
  receivedAt: number;
  /** The path and query as received, when the gateway sent it. */
  path?: string;
  /** The socket peer's address, when the gateway sent it. */
  remoteAddress?: string;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A copy of a string map with a null prototype, keeping only string values (no `__proto__` games). */
export function stringMap(input: unknown, lowerCaseKeys = false): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  if (input === null || typeof input !== 'object') return out;
  for (const [key, value] of Object.entries(input)) {
    if (typeof value === 'string') out[lowerCaseKeys ? key.toLowerCase() : key] = value;
  }
  return out;
}

/** Decodes and checks the params: base64 body within `maxBodyBytes` (413 above it), headers and query as string maps. */
export function decodeRequest(params: ReceiveWebhookParams, maxBodyBytes: number, now: number = Date.now()): InboundRequest {
  // No `:` — it separates the parts of claim keys and msg ids (`<integration>:<channelId>:<eventId>:<index>`).
  if (typeof params?.channelId !== 'string' || params.channelId.length === 0 || params.channelId.length > 200 || params.channelId.includes(':')) {
    throw new BadRequestError('channelId must be a string of 1-200 characters without ":"', { field: 'channelId' });
  }
  const body = params.body;
  if (typeof body !== 'string' || body.length % 4 !== 0 || !BASE64.test(body)) {
    throw new BadRequestError('body must be the raw request body, base64-encoded', { field: 'body' });
  }
  const decodedLength = (body.length / 4) * 3 - (body.endsWith('==') ? 2 : body.endsWith('=') ? 1 : 0);
  if (decodedLength > maxBodyBytes) {
    throw new PayloadTooLargeError(`body is ${decodedLength} bytes; the limit is ${maxBodyBytes}`, { limit: maxBodyBytes });
  }
  const receivedAt = typeof params.receivedAt === 'number' && Number.isFinite(params.receivedAt) ? params.receivedAt : now;
  return {
    channelId: params.channelId,
    rawBody: Buffer.from(body, 'base64'),
    headers: stringMap(params.headers, true),
    query: stringMap(params.query),
    receivedAt,
    ...frontDoorFields(params),
  };
}

/** `path` (≤ 8 KiB, starting with `/`) and `remoteAddress` (≤ 64 characters) when sent as strings. */
export function frontDoorFields(params: Pick<ReceiveWebhookParams, 'path' | 'remoteAddress'>): Pick<InboundRequest, 'path' | 'remoteAddress'> {
  const out: Pick<InboundRequest, 'path' | 'remoteAddress'> = {};
  if (typeof params.path === 'string' && params.path.startsWith('/') && params.path.length <= 8192) out.path = params.path;
  if (typeof params.remoteAddress === 'string' && params.remoteAddress.length <= 64) out.remoteAddress = params.remoteAddress;
  return out;
}
