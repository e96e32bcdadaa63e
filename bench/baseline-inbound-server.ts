/**
 * The hand-written baseline for `bench:inbound`: a minimal node:http server doing the inbound work with no
 * framework — HMAC-SHA256 verify over the raw bytes (constant time), JSON parse, Redis SET NX claim, JetStream
 * publish with a msg id awaiting the PubAck, then the claim marked done. Run by bench/inbound.bench.ts:
 *
 *   node --import tsx bench/baseline-inbound-server.ts <port> <natsUrl> <redisUrl> <subject> <secret>
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Redis from 'ioredis';
import { connect, JSONCodec } from 'nats';

const [port, natsUrl, redisUrl, subject, secret] = process.argv.slice(2);
const LIMIT = 1024 * 1024;

function reply(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => { size += c.length; if (size <= LIMIT) chunks.push(c); });
    req.on('end', () => resolve(size > LIMIT ? null : Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

async function main(): Promise<void> {
  const nc = await connect({ servers: natsUrl });
  const js = nc.jetstream();
  const codec = JSONCodec();
  const redis = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  await new Promise((r) => redis.once('ready', r));

  const server = createServer(async (req, res) => {
    try {
      const match = /^\/webhooks\/bench\/([^/?]+)$/.exec(req.url ?? '');
      if (req.method !== 'POST' || !match) return reply(res, 404, { error: 'NOT_FOUND' });
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return reply(res, 415, { error: 'UNSUPPORTED_MEDIA_TYPE' });
      const raw = await readBody(req);
      if (!raw) return reply(res, 413, { error: 'PAYLOAD_TOO_LARGE' });
      const sent = String(req.headers['x-signature'] ?? '');
      const expected = createHmac('sha256', secret).update(raw).digest();
      const given = Buffer.from(sent.startsWith('sha256=') ? sent.slice(7) : '', 'hex');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return reply(res, 401, { error: 'INVALID_SIGNATURE' });
      let payload: { id?: string; messages?: Array<{ id: string; chat: string; from: string; text: string }> };
      try { payload = JSON.parse(raw.toString('utf8')); } catch { return reply(res, 400, { error: 'BAD_REQUEST' }); }
      const channelId = match[1];
      const eventId = payload.id;
      if (typeof eventId !== 'string') return reply(res, 400, { error: 'BAD_REQUEST' });
      const key = `base:inbound:bench:${channelId}:${eventId}`;
      if ((await redis.set(key, 'pending', 'PX', 30_000, 'NX')) !== 'OK') {
        return (await redis.get(key)) === 'done' ? reply(res, 200, { success: true, duplicate: true }) : reply(res, 409, { error: 'CONFLICT' });
      }
      try {
        const messages = payload.messages ?? [];
        for (let i = 0; i < messages.length; i++) {
          const m = messages[i];
          const message = { id: m.id, platform: 'bench', conversationId: m.chat, from: { id: m.from }, timestamp: Date.now(), content: { type: 'text', text: m.text } };
          await js.publish(subject, codec.encode({ tenantId: 't', channelId, integration: 'bench', message, eventId, index: i, receivedAt: Date.now() }), { msgID: `bench:${channelId}:${eventId}:${i}` });
        }
        await redis.set(key, 'done', 'PX', 86_400_000);
        reply(res, 200, { success: true, messages: messages.length });
      } catch {
        await redis.del(key).catch(() => undefined);
        reply(res, 503, { error: 'PUBLISH_FAILED' });
      }
    } catch {
      if (!res.headersSent) reply(res, 500, { error: 'INTERNAL_ERROR' });
    }
  });
  server.keepAliveTimeout = 60_000;
  server.listen(Number(port), '127.0.0.1', () => process.send?.('ready'));
}

// SIGTERM → exit, so a --cpu-prof profile (BENCH_PROFILE) is written
process.once('SIGTERM', () => process.exit(0));
main().catch((err) => { console.error(err); process.exit(1); });
