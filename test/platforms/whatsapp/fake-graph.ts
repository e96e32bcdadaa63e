/**
 * A fake Graph API (WhatsApp Cloud API) on node:http: `POST /{version}/{phone-number-id}/messages` and
 * `GET /{version}/{phone-number-id}`, with Meta's answer and error bodies
 * (https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages,
 *  https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/). Every request is recorded.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GraphRequest {
  method: string;
  version: string;
  phoneNumberId: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown> | undefined;
  /** The wamid the fake answered a successful send with. */
  answer?: string;
}

/** A scripted Graph error: HTTP status, Meta code and message (and a Retry-After header, if any). */
export interface GraphFailure { status: number; code: number; message: string; details?: string; subcode?: number; retryAfter?: string }

export const GRAPH_ERRORS = {
  throughput: { status: 400, code: 130429, message: '(#130429) Rate limit hit', details: 'Cloud API message throughput has been reached.' },
  pairRate: { status: 400, code: 131056, message: '(#131056) (Business Account, Consumer Account) pair rate limit hit', details: 'Too many messages sent from the sender phone number to the same recipient phone number in a short period of time.' },
  window: { status: 400, code: 131047, message: 'Re-engagement message', details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' },
  undeliverable: { status: 400, code: 131026, message: 'Message undeliverable', details: 'Message Undeliverable.' },
  token: { status: 401, code: 190, subcode: 463, message: 'Error validating access token: Session has expired on Tuesday, 01-Dec-26 04:00:00 PST.' },
} satisfies Record<string, GraphFailure>;

export interface FakeGraph {
  url: string;
  requests: GraphRequest[];
  /** Access tokens accepted per phone number id; others get error 190. */
  tokens: Map<string, string>;
  /** Uploaded media by id (what a user's image would be), downloadable at the URL the lookup gives. */
  media: Map<string, { bytes: Buffer; mimeType: string }>;
  /** The next sends from `phoneNumberId` fail with these, in order. */
  script(phoneNumberId: string, ...failures: GraphFailure[]): void;
  sends(phoneNumberId: string): GraphRequest[];
  close(): Promise<void>;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function graphError(res: ServerResponse, f: GraphFailure): void {
  json(res, f.status, {
    error: {
      message: f.message, type: 'OAuthException', code: f.code,
      ...(f.subcode ? { error_subcode: f.subcode } : {}),
      ...(f.details ? { error_data: { messaging_product: 'whatsapp', details: f.details } } : {}),
      fbtrace_id: 'A7XmzDQ1JQ2rS0R3m0jF0Zk',
    },
  }, f.retryAfter ? { 'retry-after': f.retryAfter } : {});
}

const SENDABLE = new Set(['text', 'image', 'audio', 'video', 'document', 'sticker', 'location', 'contacts', 'reaction', 'template', 'interactive']);

export async function startFakeGraph(): Promise<FakeGraph> {
  const requests: GraphRequest[] = [];
  const tokens = new Map<string, string>();
  const scripts = new Map<string, GraphFailure[]>();
  const media = new Map<string, { bytes: Buffer; mimeType: string }>();
  let origin = '';

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://graph.local');
    const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    const download = /^\/media-bytes\/(\d+)$/.exec(url.pathname);
    if (download) {
      // lookaside.fbsbx.com in production: any valid token of the business may read it
      const item = media.get(download[1] ?? '');
      if (!bearer || ![...tokens.values()].includes(bearer)) return graphError(res, GRAPH_ERRORS.token);
      if (!item) return json(res, 404, { error: { message: 'Not found', code: 100 } });
      res.writeHead(200, { 'content-type': item.mimeType, 'content-length': item.bytes.length });
      res.end(item.bytes);
      return;
    }
    const match = /^\/(v\d+\.\d+)\/(\d+)(\/messages)?$/.exec(url.pathname);
    if (!match) return json(res, 400, { error: { message: 'Unknown path components', type: 'OAuthException', code: 2500 } });
    const [, version = '', phoneNumberId = '', messages] = match;
    let body: Record<string, unknown> | undefined;
    try { body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> : undefined; } catch { body = undefined; }
    const recorded: GraphRequest = { method: req.method ?? '', version, phoneNumberId, path: url.pathname + url.search, headers: req.headers, body };
    requests.push(recorded);

    const scopedLookup = url.searchParams.get('phone_number_id') !== null;
    if (!scopedLookup && (!bearer || tokens.get(phoneNumberId) !== bearer)) return graphError(res, GRAPH_ERRORS.token);
    const scoped = url.searchParams.get('phone_number_id');
    if (!messages && req.method === 'GET' && scoped !== null) {
      // GET /{version}/{media-id}?phone_number_id=...: the media's URL and details
      if (!bearer || tokens.get(scoped) !== bearer) return graphError(res, GRAPH_ERRORS.token);
      const item = media.get(phoneNumberId);
      if (!item) return json(res, 400, { error: { message: `Unsupported get request. Object with ID '${phoneNumberId}' does not exist`, type: 'GraphMethodException', code: 100, error_subcode: 33 } });
      return json(res, 200, { messaging_product: 'whatsapp', url: `${origin}/media-bytes/${phoneNumberId}`, mime_type: item.mimeType, sha256: 'x', file_size: item.bytes.length, id: phoneNumberId });
    }
    if (!messages && req.method === 'GET') {
      return json(res, 200, { verified_name: 'Lucky Shrub', display_phone_number: '15550783881', quality_rating: 'GREEN', id: phoneNumberId });
    }
    if (!messages || req.method !== 'POST') return json(res, 400, { error: { message: 'Unsupported request', type: 'GraphMethodException', code: 100 } });
    if (body?.status === 'read') {
      if (body.messaging_product !== 'whatsapp' || typeof body.message_id !== 'string') return json(res, 400, { error: { message: '(#100) Invalid parameter', type: 'OAuthException', code: 100 } });
      return json(res, 200, { success: true });
    }
    const next = scripts.get(phoneNumberId)?.shift();
    if (next) return graphError(res, next);
    if (!body || body.messaging_product !== 'whatsapp' || typeof body.to !== 'string' || !SENDABLE.has(String(body.type)) || body[String(body.type)] === undefined) {
      return json(res, 400, { error: { message: '(#100) Invalid parameter', type: 'OAuthException', code: 100, fbtrace_id: 'AbC' } });
    }
    const wamid = `wamid.${randomBytes(24).toString('base64')}`;
    recorded.answer = wamid;
    json(res, 200, {
      messaging_product: 'whatsapp',
      contacts: [{ input: body.to, wa_id: body.to }],
      messages: [{ id: wamid, ...(body.type === 'template' ? { message_status: 'accepted' } : {}) }],
    });
  }

  const server: Server = createServer((req, res) => { handle(req, res).catch(() => { res.statusCode = 500; res.end(); }); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  return {
    url: origin,
    requests,
    tokens,
    media,
    script: (id, ...failures) => { scripts.set(id, [...(scripts.get(id) ?? []), ...failures]); },
    sends: (id) => requests.filter((r) => r.phoneNumberId === id && r.method === 'POST'),
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
