/**
 * WhatsApp platform costs, in-process: normalizing Meta's batched webhook (3 messages, 1 status), and what the
 * 24-hour window adds to a send — one store read — on a real redis-server (started here) and in memory.
 *
 *   node --import tsx bench/whatsapp.bench.ts      # BENCH_SECONDS=2
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeWhatsApp, whatsappStatuses, windowKey, windowState, recordInbound, type WhatsAppWebhookBody } from '../src/platforms/whatsapp';
import { MemoryStore, RedisStore, type KeyValueStore } from '../src/store';
import type { WebhookEvent } from '../src/types';
import { startRedis } from '../test/harness/servers';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);

function loop(name: string, fn: () => void): void {
  const end = Date.now() + SECONDS * 1000;
  let n = 0;
  while (Date.now() < end) { for (let i = 0; i < 1000; i++) fn(); n += 1000; }
  console.log(`${name}: ${Math.round(n / SECONDS).toLocaleString('en')} /s`);
}

async function latency(name: string, store: KeyValueStore, runs = 5000): Promise<void> {
  const channel = { id: 'wa1', tenantId: 't1' };
  const now = Date.now();
  await recordInbound(store, windowKey(channel, 'u0'), now - 1000, now);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await windowState(store, windowKey(channel, `u${i % 2}`), Date.now());
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  console.log(`${name}: window check p50 ${times[Math.floor(runs / 2)]!.toFixed(3)} ms, p99 ${times[Math.floor(runs * 0.99)]!.toFixed(3)} ms`);
}

async function main(): Promise<void> {
  const fixture = JSON.parse(readFileSync(join(__dirname, '..', 'test', 'fixtures', 'whatsapp', 'batched.json'), 'utf8')) as { payload: WhatsAppWebhookBody };
  const raw = Buffer.from(JSON.stringify(fixture.payload));
  const webhook: WebhookEvent<WhatsAppWebhookBody> = { integration: 'whatsapp', channelId: 'wa1', tenantId: 't1', headers: {}, query: {}, rawBody: raw, payload: fixture.payload, receivedAt: Date.now() };
  loop('normalize batched webhook (3 messages)', () => { normalizeWhatsApp(webhook); });
  loop('statuses of the batched webhook', () => { whatsappStatuses(webhook); });
  await latency('memory', new MemoryStore());
  const redis = await startRedis();
  const store = new RedisStore({ redis: redis.url, prefix: 'bench:' });
  try {
    await latency('redis (loopback)', store);
  } finally {
    await store.close();
    await redis.cleanup();
  }
}

main().catch((err) => { console.error(err); process.exitCode = 1; });
