/** A fake Telegram Bot API on node:http: `POST /bot<token>/sendMessage`, `GET /bot<token>/getMe`, scripted failures, every request recorded. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scripted answer; consumed in order per bot token, then the platform answers normally. */
export type Scripted =
  | { status: 500 | 502 | 503 | 400 | 401 | 403 }
  | { status: 429; retryAfter?: string; bodyRetryAfter?: number }
  | { delayMs: number };

export interface RecordedRequest {
  token: string;
  method: string;
  body: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  at: number;
}

export interface FakeTelegram {
  url: string;
  requests: RecordedRequest[];
  /** Sends to `token` answer these first, in order. */
  script(token: string, ...answers: Scripted[]): void;
  /** Every answer delayed by this many ms (a realistic platform latency). */
  latencyMs: number;
  /** Tokens the platform accepts; other tokens get 401 from every method. */
  tokens: Set<string>;
  close(): Promise<void>;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Bad Request: chat not found', 401: 'Unauthorized', 403: 'Forbidden: bot was blocked by the user',
  500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable',
};

export async function startFakeTelegram(): Promise<FakeTelegram> {
  const scripts = new Map<string, Scripted[]>();
  let nextId = 1;
  const state = { latencyMs: 0 };
  const tokens = new Set<string>();
  const requests: RecordedRequest[] = [];
  // Latency and scripted delays still waiting; close() ends them (their connections are closed by then).
  const delays = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  let closed = false;
  const delay = (ms: number) => new Promise<void>((resolve) => {
    const entry = { timer: setTimeout(() => { delays.delete(entry); resolve(); }, ms), resolve };
    delays.add(entry);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const match = /^\/bot([^/]+)\/(sendMessage|getMe)$/.exec(req.url ?? '');
    if (!match) {
      json(res, req.method === 'HEAD' || req.url === '/' ? 200 : 404, { ok: req.url === '/', description: 'Not Found' });
      return;
    }
    const [, token = '', method = ''] = match;
    let body: Record<string, unknown> = {};
    try { body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> : {}; } catch { /* keep {} */ }
    requests.push({ token, method, body, headers: req.headers, at: Date.now() });
    if (state.latencyMs > 0) await delay(state.latencyMs);
    const next = method === 'sendMessage' ? scripts.get(token)?.shift() : undefined;
    if (next && 'delayMs' in next) await delay(next.delayMs);
    else if (next && next.status === 429) {
      const seconds = next.bodyRetryAfter ?? 1;
      json(res, 429, { ok: false, error_code: 429, description: `Too Many Requests: retry after ${seconds}`, parameters: { retry_after: seconds } },
        next.retryAfter === undefined ? {} : { 'retry-after': next.retryAfter });
      return;
    } else if (next) {
      json(res, next.status, { ok: false, error_code: next.status, description: DESCRIPTIONS[next.status] });
      return;
    }
    if (closed) { res.destroy(); return; }
    if (!tokens.has(token)) {
      json(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
      return;
    }
    if (method === 'getMe') {
      json(res, 200, { ok: true, result: { id: 42, is_bot: true, first_name: 'Test', username: 'test_bot' } });
      return;
    }
    if (typeof body.chat_id !== 'string' && typeof body.chat_id !== 'number') {
      json(res, 400, { ok: false, error_code: 400, description: 'Bad Request: chat_id is empty' });
      return;
    }
    json(res, 200, { ok: true, result: { message_id: nextId++, date: Math.floor(Date.now() / 1000), chat: { id: body.chat_id, type: 'private' }, text: body.text } });
  }

  const server: Server = createServer((req, res) => { handle(req, res).catch(() => { res.statusCode = 500; res.end(); }); });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    tokens,
    script: (token, ...answers) => { scripts.set(token, [...(scripts.get(token) ?? []), ...answers]); },
    get latencyMs() { return state.latencyMs; },
    set latencyMs(ms: number) { state.latencyMs = ms; },
    close: () => new Promise<void>((resolve) => {
      closed = true;
      for (const { timer, resolve: end } of delays) { clearTimeout(timer); end(); }
      delays.clear();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
