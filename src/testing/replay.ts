/**
 * `replayWebhook`: a webhook VCR fixture re-signed with a test secret and sent again — over HTTP to a gateway, or
 * straight to the integration's `i_receiveWebhook` — so tests are built from real traffic.
 */
import { readFile } from 'node:fs/promises';
import type { ServiceBroker } from 'moleculer';
import { ConfigError } from '../errors';
import type { WebhookRecording } from '../integration/inbound/record';
import {
  ed25519Signature, metaSignature, slackSignature, standardWebhooks, telegramSecretToken, twilioSignature, type SignatureScheme,
} from '../security';
import { headerValues as headerValuesOf } from '../security/headers';

export interface ReplayOptions {
  /** The test secret to sign with, in the scheme's form (`whsec_...`, a Slack signing secret, a hex Ed25519 private key...). */
  secret: string;
  /** The scheme to sign with. Default: guessed from the recorded signature headers (Standard Webhooks/Svix, Slack, Meta, Twilio, Ed25519, Telegram). */
  scheme?: SignatureScheme;
  /** A gateway's base URL (`http://127.0.0.1:3000`): the fixture is POSTed to it at its recorded path. */
  baseUrl?: string;
  /** Or a broker: the fixture goes straight to `<integration>.i_receiveWebhook`. */
  broker?: ServiceBroker;
  /** The URL a URL-signing scheme (Twilio) signs. Default: `baseUrl` + the recorded path. */
  url?: string;
  /** The channel to replay into. Default: the recorded one. */
  channelId?: string;
  /** Headers laid over the recorded ones after signing (e.g. `authorization` for a basic-auth channel). */
  headers?: Record<string, string>;
  /** Timestamp to sign with, seconds. Default: now. */
  timestamp?: number;
}

export interface ReplayResult {
  status: number;
  body: unknown;
}

/** Headers a replay never copies from the fixture: hop-by-hop and length (recomputed). */
const DROPPED = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'keep-alive', 'expect']);

/** The scheme whose signature header the fixture carries. */
export function schemeOfRecording(headers: Record<string, string>): SignatureScheme {
  const has = (name: string) => headerValuesOf(headers, name).length > 0;
  if (has('webhook-signature') || has('svix-signature')) return standardWebhooks();
  if (has('x-slack-signature')) return slackSignature();
  if (has('x-hub-signature-256')) return metaSignature();
  if (has('x-twilio-signature')) return twilioSignature();
  if (has('x-signature-ed25519')) return ed25519Signature();
  if (has('x-telegram-bot-api-secret-token')) return telegramSecretToken();
  throw new ConfigError('replayWebhook: no known signature header in the fixture; pass `scheme`', { option: 'scheme' });
}

/** Every header name a scheme writes or reads for its signature: those are replaced when re-signing. */
const SIGNATURE_HEADERS = [
  'webhook-id', 'webhook-timestamp', 'webhook-signature', 'svix-id', 'svix-timestamp', 'svix-signature',
  'x-slack-signature', 'x-slack-request-timestamp', 'x-hub-signature-256', 'x-twilio-signature',
  'x-signature-ed25519', 'x-signature-timestamp', 'x-telegram-bot-api-secret-token',
];

async function load(file: string | WebhookRecording): Promise<WebhookRecording> {
  const recording = typeof file === 'string' ? (JSON.parse(await readFile(file, 'utf8')) as WebhookRecording) : file;
  if (!recording || typeof recording.integration !== 'string' || typeof recording.channelId !== 'string' || typeof recording.body !== 'string') {
    throw new ConfigError('replayWebhook: not a webhook VCR fixture ({ integration, channelId, path, headers, body, ... })', { option: 'file' });
  }
  return recording;
}

/**
 * Re-signs a recorded request with `secret` (the delivery id kept, the timestamp now) and replays it. Resolves
 * with the status and body the gateway — or the action — answered; an error answer is a result, not a throw.
 */
export async function replayWebhook(file: string | WebhookRecording, options: ReplayOptions): Promise<ReplayResult> {
  const recording = await load(file);
  if (!options?.baseUrl && !options?.broker) throw new ConfigError('replayWebhook: give `baseUrl` (a gateway) or `broker`', { option: 'baseUrl' });
  const rawBody = Buffer.from(recording.body, 'base64');
  const recorded = recording.headers ?? {};
  const scheme = options.scheme ?? schemeOfRecording(recorded);
  const channelId = options.channelId ?? recording.channelId;
  const path = options.channelId ? recording.path.replace(`/${encodeURIComponent(recording.channelId)}`, `/${encodeURIComponent(channelId)}`) : recording.path;
  const id = headerValuesOf(recorded, 'webhook-id')[0] ?? headerValuesOf(recorded, 'svix-id')[0];
  const url = options.url ?? (options.baseUrl ? options.baseUrl.replace(/\/+$/, '') + path : undefined);

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(recorded)) {
    const lower = name.toLowerCase();
    if (!DROPPED.has(lower) && !SIGNATURE_HEADERS.includes(lower)) headers[lower] = value;
  }
  const signed = scheme.sign({ rawBody, secret: options.secret, timestamp: options.timestamp, id, url });
  for (const [name, value] of Object.entries({ ...signed, ...options.headers })) headers[name.toLowerCase()] = value;

  if (options.baseUrl) {
    const res = await fetch(options.baseUrl.replace(/\/+$/, '') + path, { method: recording.method || 'POST', headers, body: rawBody });
    const text = await res.text();
    let body: unknown = text;
    try { body = JSON.parse(text); } catch { /* a text answer */ }
    return { status: res.status, body };
  }
  try {
    const body = await options.broker!.call(`${recording.integration}.i_receiveWebhook`, {
      channelId, body: recording.body, headers, path, receivedAt: Date.now(),
    });
    return { status: 200, body };
  } catch (err) {
    const e = err as { code?: number; type?: string; message?: string };
    const status = typeof e.code === 'number' && e.code >= 400 ? e.code : 500;
    return { status, body: { error: e.type ?? 'ERROR', code: status, message: e.message ?? '' } };
  }
}
