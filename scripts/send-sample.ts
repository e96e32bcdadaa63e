/**
 * Signs a sample `generic` webhook with a channel's secret and POSTs it to the gateway, printing the answer.
 *
 *   npm run send-sample -- [--channel demo] [--text "hello"] [--url http://localhost:3000] [--event-id evt_1]
 *
 * The channel's secret comes from SWITCHBOARD_CHANNELS (as the services read it), else the built-in demo channel.
 * Sending the same --event-id twice shows de-duplication.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { parseChannelsSource, standardWebhooks } from '@switchboard/sdk';
import { GENERIC_DEMO_CHANNEL } from '../services/generic.service';

const USAGE = 'usage: npm run send-sample -- [--channel <id>] [--text <text>] [--url <gateway url>] [--event-id <id>]';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      channel: { type: 'string', default: 'demo' },
      text: { type: 'string', default: 'Hello from send-sample 👋' },
      url: { type: 'string', default: `http://localhost:${process.env.PORT ?? 3000}` },
      'event-id': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) { console.log(USAGE); return 0; }
  const source = process.env.SWITCHBOARD_CHANNELS;
  const channels = source ? parseChannelsSource(source) : [GENERIC_DEMO_CHANNEL];
  const channel = channels.find((c) => c.id === values.channel);
  if (!channel) {
    console.error(`no channel "${values.channel}" in ${source ? 'SWITCHBOARD_CHANNELS' : 'the built-in demo config'} (known: ${channels.map((c) => c.id).join(', ') || 'none'})`);
    return 2;
  }
  if (channel.platform !== 'generic') console.error(`warning: channel ${channel.id} is a ${channel.platform} channel; this script signs generic (Standard Webhooks) deliveries`);
  const secret = channel.secrets?.[0];
  if (!secret) { console.error(`channel ${channel.id} has no secret`); return 2; }

  const eventId = values['event-id'] ?? `evt_${randomUUID()}`;
  const body = JSON.stringify({
    messages: [{ id: `msg_${randomUUID()}`, conversationId: 'sample-conversation', from: { id: 'sample-user', name: 'Sample User' }, text: values.text, timestamp: Date.now() }],
  });
  const headers = standardWebhooks().sign({ rawBody: body, secret, id: eventId });
  const url = `${values.url!.replace(/\/$/, '')}/webhooks/generic/${encodeURIComponent(channel.id)}`;
  console.log(`POST ${url}  (webhook-id ${eventId})`);
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  } catch (err) {
    console.error(`could not reach the gateway at ${values.url}: ${(err as Error).message}. Is \`npm start\` running?`);
    return 1;
  }
  console.log(`HTTP ${response.status}`);
  console.log(await response.text());
  return response.ok ? 0 : 1;
}

main().then((code) => { process.exitCode = code; }, (err) => { console.error(err instanceof Error ? err.message : err); process.exitCode = 1; });
