/** A fake Discord REST API on node:http: interaction webhooks, channel messages, reactions, `/users/@me`; Discord's error and 429 bodies. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DiscordRequest {
  method: string;
  path: string;
  body: unknown;
  authorization: string | undefined;
}

export interface FakeDiscord {
  url: string;
  requests: DiscordRequest[];
  /** The next calls answer 429 with Discord's body (`retry_after` in seconds). */
  rateLimit(times: number, retryAfterSeconds: number): void;
  botToken: string;
  close(): Promise<void>;
}

function json(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (body === undefined) { res.writeHead(status, headers); res.end(); return; }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export async function startFakeDiscord(botToken: string): Promise<FakeDiscord> {
  const requests: DiscordRequest[] = [];
  let limited = { times: 0, seconds: 0 };
  let nextId = 900000000000000000n;
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: unknown;
    try { body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined; } catch { body = undefined; }
    const path = req.url ?? '/';
    requests.push({ method: req.method ?? '', path, body, authorization: req.headers.authorization });
    if (limited.times > 0) {
      limited.times--;
      return json(res, 429, { message: 'You are being rate limited.', retry_after: limited.seconds, global: false }, { 'x-ratelimit-reset-after': String(limited.seconds) });
    }
    const id = String(nextId++);
    if (/^\/webhooks\/\d+\/[^/]+\/messages\/@original$/.test(path) && req.method === 'PATCH') return json(res, 200, { id, type: 0, ...(body as object) });
    if (/^\/webhooks\/\d+\/[^/?]+/.test(path)) return json(res, 200, { id, type: 0, ...(body as object) });
    if (req.headers.authorization !== `Bot ${botToken}`) return json(res, 401, { message: '401: Unauthorized', code: 0 });
    if (path === '/users/@me') return json(res, 200, { id: '775799577604522054', username: 'switchboard-bot', bot: true });
    let m: RegExpExecArray | null;
    if ((m = /^\/channels\/([^/]+)\/messages$/.exec(path)) && req.method === 'POST') {
      if (m[1] === '404') return json(res, 404, { message: 'Unknown Channel', code: 10003 });
      return json(res, 200, { id, channel_id: m[1], type: 0, ...(body as object) });
    }
    if (/^\/channels\/[^/]+\/messages\/[^/]+\/reactions\/[^/]+\/@me$/.test(path) && req.method === 'PUT') return json(res, 204);
    if (/^\/channels\/[^/]+\/typing$/.test(path)) return json(res, 204);
    return json(res, 404, { message: '404: Not Found', code: 0 });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`, requests, botToken,
    rateLimit: (times, seconds) => { limited = { times, seconds }; },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
