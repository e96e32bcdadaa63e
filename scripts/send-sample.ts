/**
 * Signs a sample webhook with a channel's secret and POSTs it to the gateway, printing the answer.
 *
 *   npm run send-sample -- [--platform generic|whatsapp|telegram] [--channel <id>] [--text "hello"]
 *                          [--from <user id>] [--url http://localhost:3000] [--event-id <id>]
 *
 * - generic (default): Standard Webhooks headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`).
 * - whatsapp: Meta's text-message fixture (test/fixtures/whatsapp/text-message.json), a fresh wamid and
 *   timestamp, signed with the channel's app secret (`x-hub-signature-256: sha256=<hex>`).
 * - telegram: the Telegram text-message fixture (test/fixtures/telegram/text-message.json), a fresh
 *   update_id, with the channel's secret token in `x-telegram-bot-api-secret-token`.
 *
 * The channel comes from SWITCHBOARD_CHANNELS (as the services read it): --channel, else the first channel of
 * the platform; for generic without SWITCHBOARD_CHANNELS, the built-in demo channel. Sending the same
 * --event-id twice shows de-duplication.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { standardWebhooks } from '@switchboard/sdk';
import { parseChannelsSource, type ChannelInput } from '@switchboard/sdk/registry';
import { GENERIC_DEMO_CHANNEL } from '../services/generic.service';

const PLATFORMS = ['generic', 'whatsapp', 'telegram'] as const;
type Platform = (typeof PLATFORMS)[number];
const USAGE = 'usage: npm run send-sample -- [--platform generic|whatsapp|telegram] [--channel <id>] [--text <text>] [--from <user id>] [--url <gateway url>] [--event-id <id>]';

interface Sample { body: string; headers: Record<string, string>; eventId: string }

/**
 * A fixture's payload: WhatsApp fixtures wrap it as `{ source, description, payload }`; a bare payload (Telegram's)
 * is taken as is, without its `_source` note.
 */
function fixturePayload(platform: 'whatsapp' | 'telegram'): Record<string, unknown> {
  const file = join(__dirname, '..', 'test', 'fixtures', platform, 'text-message.json');
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  if (parsed.payload && typeof parsed.payload === 'object') return parsed.payload as Record<string, unknown>;
  const { _source: _ignored, ...payload } = parsed;
  return payload;
}

function genericSample(secret: string, text: string, from: string, eventId: string): Sample {
  const body = JSON.stringify({
    messages: [{ id: `msg_${randomUUID()}`, conversationId: 'sample-conversation', from: { id: from, name: 'Sample User' }, text, timestamp: Date.now() }],
  });
  return { body, headers: standardWebhooks().sign({ rawBody: body, secret, id: eventId }), eventId };
}

function whatsappSample(secret: string, text: string, from: string, eventId: string | undefined): Sample {
  const payload = fixturePayload('whatsapp') as { entry: Array<{ changes: Array<{ value: { contacts?: Array<{ wa_id: string }>; messages: Array<Record<string, unknown>> } }> }> };
  const value = payload.entry[0].changes[0].value;
  const wamid = eventId ?? `wamid.${randomBytes(24).toString('base64')}`;
  if (value.contacts?.[0]) value.contacts[0].wa_id = from;
  Object.assign(value.messages[0], { id: wamid, from, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: text } });
  const body = JSON.stringify(payload);
  return { body, headers: { 'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` }, eventId: wamid };
}

function telegramSample(secret: string, text: string, from: string, eventId: string | undefined): Sample {
  const payload = fixturePayload('telegram') as { update_id?: number; message?: Record<string, unknown> & { chat?: Record<string, unknown>; from?: Record<string, unknown> } };
  const updateId = eventId !== undefined && /^\d+$/.test(eventId) ? Number(eventId) : Math.floor(Math.random() * 1e9);
  payload.update_id = updateId;
  if (payload.message) {
    payload.message.date = Math.floor(Date.now() / 1000);
    payload.message.text = text;
    payload.message.message_id = Math.floor(Math.random() * 1e6);
    if (/^\d+$/.test(from)) {
      if (payload.message.from) payload.message.from.id = Number(from);
      if (payload.message.chat) payload.message.chat.id = Number(from);
    }
  }
  return { body: JSON.stringify(payload), headers: { 'x-telegram-bot-api-secret-token': secret }, eventId: String(updateId) };
}

function findChannel(platform: Platform, wanted: string | undefined): { channel?: ChannelInput; known: string[]; where: string } {
  const source = process.env.SWITCHBOARD_CHANNELS;
  const channels = source ? parseChannelsSource(source) : platform === 'generic' ? [GENERIC_DEMO_CHANNEL] : [];
  const where = source ? 'SWITCHBOARD_CHANNELS' : 'the built-in demo config (set SWITCHBOARD_CHANNELS)';
  const ofPlatform = channels.filter((c) => c.platform === platform);
  const channel = wanted ? channels.find((c) => c.id === wanted) : ofPlatform[0];
  return { channel, known: ofPlatform.map((c) => c.id), where };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      platform: { type: 'string', default: 'generic' },
      channel: { type: 'string' },
      text: { type: 'string', default: 'Hello from send-sample 👋' },
      from: { type: 'string' },
      url: { type: 'string', default: `http://localhost:${process.env.PORT ?? 3000}` },
      'event-id': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) { console.log(USAGE); return 0; }
  const platform = values.platform as Platform;
  if (!PLATFORMS.includes(platform)) { console.error(`--platform must be one of ${PLATFORMS.join(', ')}\n${USAGE}`); return 2; }
  const { channel, known, where } = findChannel(platform, values.channel ?? (platform === 'generic' ? 'demo' : undefined));
  if (!channel) {
    console.error(`no ${platform} channel${values.channel ? ` "${values.channel}"` : ''} in ${where} (known ${platform} channels: ${known.join(', ') || 'none'})`);
    return 2;
  }
  if (channel.platform !== platform) console.error(`warning: channel ${channel.id} is a ${channel.platform} channel; signing it as ${platform}`);
  const secret = channel.secrets?.[0];
  if (!secret) { console.error(`channel ${channel.id} has no secret`); return 2; }

  const eventId = values['event-id'];
  const sample = platform === 'whatsapp' ? whatsappSample(secret, values.text!, values.from ?? '16505551234', eventId)
    : platform === 'telegram' ? telegramSample(secret, values.text!, values.from ?? '', eventId)
      : genericSample(secret, values.text!, values.from ?? 'sample-user', eventId ?? `evt_${randomUUID()}`);
  const url = `${values.url!.replace(/\/$/, '')}/webhooks/${platform}/${encodeURIComponent(channel.id)}`;
  console.log(`POST ${url}  (event ${sample.eventId})`);
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...sample.headers }, body: sample.body });
  } catch (err) {
    console.error(`could not reach the gateway at ${values.url}: ${(err as Error).message}. Is \`npm start\` running?`);
    return 1;
  }
  console.log(`HTTP ${response.status}`);
  console.log(await response.text());
  return response.ok ? 0 : 1;
}

main().then((code) => { process.exitCode = code; }, (err) => { console.error(err instanceof Error ? err.message : err); process.exitCode = 1; });
