/** Compile-only checks (tsc --noEmit): the outbound hook and options are typed for integration authors. */
import { defineIntegration, executeWithRetry, telegramSecretToken } from '../../src/index';
import { type SendAttempt, type SendOutcome } from '../../src/entries/integration';

defineIntegration({
  name: 'typed',
  spec: { id: 'typed', name: 'Typed', platform: 'typed', version: '1', status: 'ACTIVE', capabilities: [] },
  webhookSignature: telegramSecretToken(),
  normalize: () => [],
  outbound: { idempotent: true, rateLimit: { capacity: 1, refillPerSecond: 1 }, retry: { maxAttempts: 2 }, queue: { maxInFlight: 5 } },
  async sendMessage(_ctx, message, channel, attempt) {
    const signal: AbortSignal = attempt.signal;
    const key: string = attempt.idempotencyKey;
    const n: number = attempt.attempt;
    void [signal, key, n, channel.credentials, message.conversationId];
    return { messageId: '1' };
  },
});

defineIntegration({
  name: 'typed2',
  spec: { id: 'typed2', name: 'Typed', platform: 'typed', version: '1', status: 'ACTIVE', capabilities: [] },
  webhookSignature: telegramSecretToken(),
  normalize: () => [],
  // @ts-expect-error rateLimit needs capacity and refillPerSecond
  outbound: { rateLimit: { capacity: 1 } },
});

defineIntegration({
  name: 'typed3',
  spec: { id: 'typed3', name: 'Typed', platform: 'typed', version: '1', status: 'ACTIVE', capabilities: [] },
  webhookSignature: telegramSecretToken(),
  normalize: () => [],
  // @ts-expect-error sendMessage must resolve to a SendResult
  async sendMessage() { return { id: 1 }; },
});

// executeWithRetry infers the result
const n: Promise<number> = executeWithRetry(async ({ signal }) => (signal.aborted ? 0 : 1));
// @ts-expect-error unknown option
void executeWithRetry(async () => 1, { retries: 3 });
void n;

const attempt: SendAttempt = { attempt: 1, signal: new AbortController().signal, idempotencyKey: 'k' };
const outcome: Pick<SendOutcome, 'messageId' | 'duplicate'> = { messageId: 'm', duplicate: false };
void [attempt, outcome];
