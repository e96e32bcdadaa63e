/**
 * A fake Telegram Bot API on node:http, speaking its real shapes: `POST /bot<token>/<method>` with JSON,
 * answers `{ ok: true, result }` or `{ ok: false, error_code, description, parameters? }` (HTTP status =
 * error_code, as Telegram does). `getUpdates` long-polls and confirms by offset, answers 409 while a
 * webhook is set or while another `getUpdates` of the same bot is running — as Telegram does.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TelegramUpdate } from '../../../src/platforms/telegram/types';

export interface RecordedCall {
  token: string;
  method: string;
  body: Record<string, unknown>;
  at: number;
}

export type ErrorAnswer = { ok: false; error_code: number; description: string; parameters?: Record<string, unknown> };

/** Error bodies as Telegram sends them (test/fixtures/telegram/bot-api-answers.json). */
export const ANSWERS = JSON.parse(readFileSync(join(__dirname, '../../fixtures/telegram/bot-api-answers.json'), 'utf8')) as Record<string, ErrorAnswer>;

export interface FakeBotApi {
  url: string;
  calls: RecordedCall[];
  /** Bots the API knows; any other token gets 401. */
  addBot(token: string): void;
  /** The next calls of `method` for `token` answer these errors first, in order. */
  fail(token: string, method: string, ...answers: ErrorAnswer[]): void;
  /** Queues updates for `getUpdates` of `token`. */
  push(token: string, ...updates: TelegramUpdate[]): void;
  /** The webhook set for `token`, if any. */
  webhook(token: string): { url: string; secret_token?: string; allowed_updates?: unknown } | undefined;
  /** `getUpdates` refused with 409 because another one of the same bot was running. */
  conflicts(token: string): number;
  /** Updates `getUpdates` returned for `token` (with repeats, as returned). */
  delivered(token: string): number[];
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export async function startFakeBotApi(): Promise<FakeBotApi> {
  const bots = new Set<string>();
  const failures = new Map<string, ErrorAnswer[]>();
  const queues = new Map<string, TelegramUpdate[]>();
  const waiters = new Map<string, Set<() => void>>();
  const webhooks = new Map<string, { url: string; secret_token?: string; allowed_updates?: unknown }>();
  const polling = new Map<string, number>();
  const conflicts = new Map<string, number>();
  const delivered = new Map<string, number[]>();
  const calls: RecordedCall[] = [];
  let nextMessageId = 2000;

  const wake = (token: string) => { for (const w of waiters.get(token) ?? []) w(); };

  async function getUpdates(token: string, body: Record<string, unknown>, req: IncomingMessage): Promise<[number, unknown]> {
    if (webhooks.has(token)) return [409, { ok: false, error_code: 409, description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first" }];
    if ((polling.get(token) ?? 0) > 0) {
      conflicts.set(token, (conflicts.get(token) ?? 0) + 1);
      return [409, { ok: false, error_code: 409, description: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running' }];
    }
    polling.set(token, 1);
    try {
      const offset = typeof body.offset === 'number' ? body.offset : undefined;
      const limit = typeof body.limit === 'number' ? body.limit : 100;
      const timeout = typeof body.timeout === 'number' ? body.timeout : 0;
      const queue = queues.get(token) ?? [];
      // An offset confirms every update before it: Telegram forgets them.
      if (offset !== undefined) queues.set(token, queue.filter((u) => u.update_id >= offset));
      const ready = () => (queues.get(token) ?? []).slice(0, limit);
      if (ready().length === 0 && timeout > 0) {
        await new Promise<void>((resolve) => {
          const set = waiters.get(token) ?? new Set();
          waiters.set(token, set);
          const done = () => { clearTimeout(timer); set.delete(done); resolve(); };
          const timer = setTimeout(done, timeout * 1000);
          set.add(done);
          req.once('close', done);
        });
      }
      const result = ready();
      // Counted only when the poller is still there to get them (an aborted long poll receives nothing).
      if (!req.socket.destroyed) delivered.set(token, [...(delivered.get(token) ?? []), ...result.map((u) => u.update_id)]);
      return [200, { ok: true, result }];
    } finally {
      polling.set(token, 0);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.url ?? '');
    if (!match) return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, token = '', method = ''] = match;
    let body: Record<string, unknown> = {};
    try { body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> : {}; } catch { /* {} */ }
    calls.push({ token, method, body, at: Date.now() });
    if (!bots.has(token)) return send(res, 401, ANSWERS.unauthorized);
    const failure = failures.get(`${token}/${method}`)?.shift();
    if (failure) return send(res, failure.error_code, failure);
    const chat = { id: Number(body.chat_id), type: Number(body.chat_id) < 0 ? 'supergroup' : 'private' };
    const sent = (extra: Record<string, unknown>) => ({ ok: true, result: { message_id: nextMessageId++, date: Math.floor(Date.now() / 1000), chat, ...extra } });
    switch (method) {
      case 'getMe': return send(res, 200, { ok: true, result: { id: Number(token.split(':')[0]), is_bot: true, first_name: 'Fake', username: 'fake_bot' } });
      case 'getUpdates': { const [status, answer] = await getUpdates(token, body, req); return send(res, status, answer); }
      case 'setWebhook': webhooks.set(token, { url: String(body.url), secret_token: body.secret_token as string | undefined, allowed_updates: body.allowed_updates }); return send(res, 200, { ok: true, result: true, description: 'Webhook was set' });
      case 'deleteWebhook': webhooks.delete(token); return send(res, 200, { ok: true, result: true, description: 'Webhook was deleted' });
      case 'sendMessage': return send(res, 200, sent({ text: body.text }));
      case 'sendPhoto': return send(res, 200, sent({ photo: [{ file_id: String(body.photo), file_unique_id: 'u', width: 1, height: 1 }] }));
      case 'sendDocument': return send(res, 200, sent({ document: { file_id: String(body.document), file_unique_id: 'u' } }));
      case 'sendChatAction': case 'answerCallbackQuery': case 'setMessageReaction': case 'deleteMessage': return send(res, 200, { ok: true, result: true });
      default: return send(res, 404, { ok: false, error_code: 404, description: 'Not Found: method not found' });
    }
  }

  const server = createServer((req, res) => { handle(req, res).catch(() => send(res, 500, { ok: false, error_code: 500, description: 'Internal Server Error' })); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    addBot: (token) => { bots.add(token); },
    fail: (token, method, ...answers) => { failures.set(`${token}/${method}`, [...(failures.get(`${token}/${method}`) ?? []), ...answers]); },
    push: (token, ...updates) => { queues.set(token, [...(queues.get(token) ?? []), ...updates]); wake(token); },
    webhook: (token) => webhooks.get(token),
    conflicts: (token) => conflicts.get(token) ?? 0,
    delivered: (token) => delivered.get(token) ?? [],
    close: () => new Promise<void>((resolve) => { for (const set of waiters.values()) for (const w of set) w(); server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
