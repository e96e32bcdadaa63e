/**
 * Front-door micro-benchmark: the cost of one `verify` per scheme (in process, no I/O) and of parsing a Slack
 * interactivity form, so the price of Ed25519 against HMAC is known. Prints µs per call; nothing is written.
 *
 *   node --import tsx bench/front-door.bench.ts        # BENCH_ITERATIONS=20000 by default
 */
import { generateKeyPairSync } from 'node:crypto';
import { parseFormPayload } from '../src/integration/inbound/body-format';
import { ed25519Signature, slackSignature, standardWebhooks, twilioSignature } from '../src/security';

const N = Number(process.env.BENCH_ITERATIONS ?? 20_000);
const body = Buffer.from(JSON.stringify({ type: 'message.created', data: { text: 'hello '.repeat(100) } }));

function measure(label: string, fn: () => unknown, n = N): void {
  for (let i = 0; i < Math.min(2_000, n); i++) fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  const us = Number(process.hrtime.bigint() - start) / 1_000 / n;
  console.log(`${label.padEnd(44)} ${us.toFixed(2).padStart(8)} µs`);
}

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(16);
const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(12);

const sw = standardWebhooks();
const whsec = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const v1 = sw.sign({ rawBody: body, secret: whsec });
measure('standardWebhooks v1 (HMAC-SHA256)', () => sw.verify({ rawBody: body, headers: v1, secrets: [whsec] }));
const requestHeaders = { host: '127.0.0.1:3000', connection: 'keep-alive', 'user-agent': 'autocannon', 'content-type': 'application/json', 'content-length': String(body.length), ...v1 };
measure('standardWebhooks v1, request-like headers', () => sw.verify({ rawBody: body, headers: requestHeaders, secrets: [whsec] }));
const v1a = sw.sign({ rawBody: body, secret: `whsk_${seed.toString('base64')}` });
measure('standardWebhooks v1a (Ed25519)', () => sw.verify({ rawBody: body, headers: v1a, secrets: [`whpk_${pub.toString('base64')}`] }), N / 4);
const svix = { 'svix-id': v1['webhook-id'], 'svix-timestamp': v1['webhook-timestamp'], 'svix-signature': v1['webhook-signature'] };
measure('standardWebhooks v1 under svix-* names', () => sw.verify({ rawBody: body, headers: svix, secrets: [whsec] }));
const discord = ed25519Signature();
const d = discord.sign({ rawBody: body, secret: seed.toString('hex') });
measure('ed25519Signature (Discord)', () => discord.verify({ rawBody: body, headers: d, secrets: [pub.toString('hex')] }), N / 4);
const form = Buffer.from(new URLSearchParams({ MessageSid: 'SM1', From: 'whatsapp:+1', To: 'whatsapp:+2', Body: 'hello '.repeat(50) }).toString());
const url = 'https://hooks.example.com/webhooks/twilio/c1';
const tw = twilioSignature();
const t = tw.sign({ rawBody: form, secret: 'token', url });
measure('twilioSignature (form, URL)', () => tw.verify({ rawBody: form, headers: t, secrets: ['token'], url }));
const slack = slackSignature();
const s = slack.sign({ rawBody: form, secret: 'secret' });
measure('slackSignature (baseline HMAC)', () => slack.verify({ rawBody: form, headers: s, secrets: ['secret'] }));
const interactivity = Buffer.from(new URLSearchParams({ payload: JSON.stringify({ type: 'block_actions', actions: Array.from({ length: 5 }, (_, i) => ({ action_id: `a${i}`, value: 'v'.repeat(50) })) }) }).toString());
measure('parseFormPayload (Slack block_actions)', () => parseFormPayload(interactivity, { maxJsonDepth: 64, maxFormFields: 1000, formJsonFields: ['payload'] }));
