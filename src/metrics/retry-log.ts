/** The log line of a send retry: which attempt failed, why, and how long until the next one. */
import type { RetryEvent } from '../retry/options';

interface WarnLogger { warn(...args: unknown[]): void }

/** An `onRetry` for `executeWithRetry` that logs each retry with its attempt number and wait. */
export function retryLogger(logger: WarnLogger, integration: string, channelId: string): (event: RetryEvent) => void {
  return (event) => {
    // name, type and status only: a platform error's message may echo a URL with a token in it
    const e = event.error as { name?: unknown; type?: unknown; code?: unknown } | null;
    const why = [e?.name, e?.type, e?.code].filter((v) => typeof v === 'string' || typeof v === 'number').join(' ') || 'error';
    logger.warn(`send via ${integration} on channel ${channelId}: attempt ${event.attempt} failed (${event.kind}: ${why}); retrying in ${event.delayMs} ms (attempt ${event.attempt + 1})`);
  };
}
