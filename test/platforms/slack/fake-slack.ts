/** A fake Slack Web API on node:http: `POST /<method>` with a bot token, Slack's `{ ok, ... }` answers and error bodies, scripted failures. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scripted answer, consumed in order: an HTTP 429, or a 200 `ok:false` with Slack's error string. */
export type SlackScripted = { http429: number } | { okFalse: string; retryAfter?: number };

export interface SlackRequest {
  method: string;
  body: Record<string, unknown>;
  authorization: string | undefined;
  contentType: string | undefined;
}

export interface FakeSlack {
  url: string;
  requests: SlackRequest[];
  script(...answers: SlackScripted[]): void;
  /** Tokens the fake accepts; others get `invalid_auth`. */
  tokens: Set<string>;
  close(): Promise<void>;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export async function startFakeSlack(): Promise<FakeSlack> {
  const scripted: SlackScripted[] = [];
  const requests: SlackRequest[] = [];
  const tokens = new Set<string>();
  let seq = 1;
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const method = (req.url ?? '/').slice(1);
    let body: Record<string, unknown> = {};
    try { body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> : {}; } catch { /* {} */ }
    requests.push({ method, body, authorization: req.headers.authorization, contentType: req.headers['content-type'] });
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (!tokens.has(token)) return json(res, 200, { ok: false, error: 'invalid_auth' });
    const next = scripted.shift();
    if (next && 'http429' in next) return json(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(next.http429) });
    if (next) return json(res, 200, { ok: false, error: next.okFalse }, next.retryAfter !== undefined ? { 'retry-after': String(next.retryAfter) } : {});
    const ts = `1700000000.${String(seq++).padStart(6, '0')}`;
    switch (method) {
      case 'auth.test': return json(res, 200, { ok: true, url: 'https://example.slack.com/', team: 'Example', user: 'bot', team_id: 'T1', user_id: 'U061F7AUR' });
      case 'chat.postMessage': return json(res, 200, { ok: true, channel: body.channel, ts, message: { type: 'message', text: body.text, ts, ...(body.thread_ts ? { thread_ts: body.thread_ts } : {}) } });
      case 'chat.update': return json(res, 200, { ok: true, channel: body.channel, ts: body.ts, text: body.text });
      case 'chat.delete': return json(res, 200, { ok: true, channel: body.channel, ts: body.ts });
      case 'reactions.add': return json(res, 200, { ok: true });
      default: return json(res, 404, { ok: false, error: 'unknown_method' });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`, requests, tokens,
    script: (...answers) => { scripted.push(...answers); },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
