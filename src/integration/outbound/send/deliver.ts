/** Step: the message transformed, then `sendMessage` with retries — one idempotency key over the attempts. */
import { ERROR_TYPES, isErrorType } from '../../../errors';
import { retryLogger } from '../../../metrics/retry-log';
import { executeWithRetry } from '../../../retry';
import type { IntegrationConfig, OutboundMessage } from '../../../types';
import type { SendPipeline, SentMessage } from './pipeline';

/** How the delivery went: the platform's answer, or the error and the attempts it took (0: refused before sending). */
export type Delivery = ({ ok: true } & SentMessage) | { ok: false; error: unknown; attempts: number };

/** Attempts recorded on an error by `executeWithRetry` (`data.attempts`), else 1. */
export function attemptsOf(err: unknown): number {
  const n = (err as { data?: { attempts?: unknown } } | null)?.data?.attempts;
  return typeof n === 'number' ? n : 1;
}

/** A failure before the platform was tried (rate limit, store): no attempt. */
export const refused = (error: unknown): Delivery => ({ ok: false, error, attempts: 0 });

/** Sends `message` (after `transform`) to `channel`. Never rejects: a failure is answered with its error and attempts. */
export async function deliver(p: SendPipeline, channel: IntegrationConfig, message: OutboundMessage, sendKey: string): Promise<Delivery> {
  let attempts = 0;
  try {
    const transformed = p.transform ? await p.transform(message, channel) : message;
    const result = await executeWithRetry(({ attempt, signal }) => {
      attempts = attempt;
      return p.send(transformed, channel, { attempt, signal, idempotencyKey: sendKey });
    }, { ...p.options.retry, idempotent: p.options.idempotent, onRetry: retryLogger(p.logger, p.integration, channel.id) });
    return { ok: true, messageId: String(result.messageId), ...(result.metadata === undefined ? {} : { metadata: result.metadata }), attempts };
  } catch (error) {
    const recorded = isErrorType(error, ERROR_TYPES.RETRY_EXHAUSTED) || isErrorType(error, ERROR_TYPES.SEND_AMBIGUOUS) ? attemptsOf(error) : attempts;
    return { ok: false, error, attempts: Math.max(attempts, recorded) };
  }
}
