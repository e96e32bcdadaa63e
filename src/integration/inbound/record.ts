/**
 * The webhook VCR (`SWITCHBOARD_RECORD_WEBHOOKS=<dir>`): each verified request written as one JSON fixture
 * `{ integration, channelId, method, path, headers, body (base64), receivedAt, answer }` — without credentials:
 * `authorization`, `proxy-authorization`, `cookie`, Telegram's secret-token header and any header holding one of
 * the channel's secrets are left out. Signature headers are kept: they do not reveal the secret, and a replay
 * re-signs with a test secret anyway.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One recorded request, as written to `<dir>/<receivedAt>-<integration>-<channelId>-<id>.json`. */
export interface WebhookRecording {
  integration: string;
  channelId: string;
  method: string;
  /** Path and query as received, e.g. `/webhooks/slack/ws1?x=1`. */
  path: string;
  /** Request headers, lower-case names, credentials left out. */
  headers: Record<string, string>;
  /** The raw body, base64. */
  body: string;
  /** When the gateway received it, ms since the epoch. */
  receivedAt: number;
  /** What Switchboard answered: the HTTP status and body. */
  answer: { status: number; body: unknown };
}

/** Headers never written: they carry credentials. */
export const UNRECORDED_HEADERS: readonly string[] = ['authorization', 'proxy-authorization', 'cookie', 'x-telegram-bot-api-secret-token', 'x-api-key'];

/** The headers to record: credentials and any value containing a channel secret removed. */
export function recordableHeaders(headers: Record<string, string>, secrets: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const usable = secrets.filter((s) => typeof s === 'string' && s.length >= 4);
  for (const [name, value] of Object.entries(headers)) {
    if (UNRECORDED_HEADERS.includes(name)) continue;
    if (usable.some((secret) => value.includes(secret))) continue;
    out[name] = value;
  }
  return out;
}

/** Writes one fixture (mode 0600, the directory created if needed); resolves with its path. */
export async function writeRecording(dir: string, recording: WebhookRecording): Promise<string> {
  await mkdir(dir, { recursive: true });
  const safe = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
  const file = join(dir, `${recording.receivedAt}-${safe(recording.integration)}-${safe(recording.channelId)}-${randomUUID().slice(0, 8)}.json`);
  await writeFile(file, `${JSON.stringify(recording, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return file;
}
