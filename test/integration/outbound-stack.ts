/** Test stack for the outbound path: a Telegram-shaped integration defined inline, channels in the registry, stream readers. */
import { connect } from 'nats';
import { channelNames, deadLetterChannel } from '../../src/channels';
import { defineIntegration, type IntegrationServiceConfig } from '../../src/integration';
import type { OutboundOptions } from '../../src/integration/outbound/options';
import { ensureOk, telegramRetryAfter } from '../../src/retry';
import { telegramSecretToken } from '../../src/security';
import type { IntegrationConfig, OutboundMessage } from '../../src/types';

/** Fast retries for tests: 3 attempts from 50 ms, 1.5 s per attempt (slack for a loaded CI machine). */
export const FAST_OUTBOUND: OutboundOptions = {
  retry: { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 200, attemptTimeoutMs: 1500, retryAfter: telegramRetryAfter },
  maxRateLimitWaitMs: 10_000,
  idempotencyWaitMs: 10_000,
  eventPublishAttempts: 2,
};

/** A Telegram integration as a user would write it: `sendMessage` through the Bot API, `getMe` for credentials. */
export function telegramIntegration(name = 'tg', outbound: OutboundOptions = FAST_OUTBOUND, extra: Partial<IntegrationServiceConfig> = {}) {
  return defineIntegration({
    name,
    spec: { id: name, name: 'Telegram (test)', platform: 'telegram', version: '1.2.3', status: 'ACTIVE', capabilities: ['RECEIVE_MESSAGE', 'SEND_MESSAGE'] },
    webhookSignature: telegramSecretToken(),
    normalize: () => [],
    inbound: { channelCacheTtlMs: 0 },
    outbound,
    async sendMessage(_ctx, message: OutboundMessage, channel: IntegrationConfig, attempt) {
      const text = message.content.type === 'text' ? message.content.text : '';
      const res = await fetch(`${String(channel.settings.apiBase)}/bot${String(channel.credentials.token)}/sendMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-node': this.broker.nodeID, 'x-attempt': String(attempt.attempt), 'idempotency-key': attempt.idempotencyKey },
        body: JSON.stringify({ chat_id: message.conversationId, text }),
        signal: attempt.signal,
      });
      await ensureOk(res, 'telegram sendMessage');
      const body = (await res.json()) as { result: { message_id: number } };
      return { messageId: String(body.result.message_id), metadata: { chatId: message.conversationId } };
    },
    async validateCredentials(_ctx, channel: IntegrationConfig) {
      const res = await fetch(`${String(channel.settings.apiBase)}/bot${String(channel.credentials.token)}/getMe`);
      // A careless hook that echoes the token: the SDK must scrub it.
      return res.ok ? { valid: true, message: `token ${String(channel.credentials.token)} belongs to @test_bot` } : { valid: false, message: `getMe failed for ${String(channel.credentials.token)}: HTTP ${res.status}` };
    },
    ...extra,
  });
}

export const text = (conversationId: string, body: string): OutboundMessage => ({ conversationId, content: { type: 'text', text: body } });

export interface StoredMessage {
  subject: string;
  seq: number;
  headers: Record<string, string>;
  data: Record<string, unknown>;
}

/** Every message stored on `subject`'s stream (read with the nats client, as an operator would). */
export async function readStream(natsUrl: string, subject: string): Promise<StoredMessage[]> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await nc.jetstreamManager();
    const stream = await jsm.streams.find(subject);
    const info = await jsm.streams.info(stream);
    const out: StoredMessage[] = [];
    if (info.state.messages === 0) return out;
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      try {
        const m = await jsm.streams.getMessage(stream, { seq });
        const headers: Record<string, string> = {};
        if (m.header) for (const [k, v] of m.header) headers[k.toLowerCase()] = v[0] ?? '';
        out.push({ subject: m.subject, seq, headers, data: JSON.parse(Buffer.from(m.data).toString('utf8')) as Record<string, unknown> });
      } catch {
        // deleted sequence
      }
    }
    return out.filter((m) => m.subject === subject);
  } finally {
    await nc.close();
  }
}

export const sentEvents = (natsUrl: string, ns: string) => readStream(natsUrl, channelNames(ns).MESSAGE_SENT);
export const failedEvents = (natsUrl: string, ns: string) => readStream(natsUrl, channelNames(ns).MESSAGE_FAILED);
export const deadLetters = (natsUrl: string, ns: string) => readStream(natsUrl, deadLetterChannel(ns));
