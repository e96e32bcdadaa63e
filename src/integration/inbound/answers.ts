/**
 * Step 9: the HTTP answer, shaped by the integration after the messages are stored (a 2xx still means stored):
 * the first `answers` entry whose event and filter match returns the body, within a time budget; a miss, a
 * throw, undefined or the budget running out → the default `{ success, messages, eventId }`.
 */
import { ConfigError } from '../../errors';
import type { WebhookEvent } from '../../types';
import type { StoredWebhook, WebhookAnswer, WebhookAnswerBody } from '../types';

type AnyAnswer = WebhookAnswer<unknown>;

/** Checks the `answers` list at definition time; throws `ConfigError` naming the entry. */
export function checkAnswers(where: string, answers: unknown, eventType: unknown): void {
  if (answers === undefined) return;
  if (!Array.isArray(answers)) throw new ConfigError(`${where}: \`answers\` must be a list of { event, filter?, handler }`, { option: 'answers' });
  answers.forEach((entry: Partial<AnyAnswer> | null, i) => {
    const option = `answers[${i}]`;
    const events = typeof entry?.event === 'string' ? [entry.event] : entry?.event;
    if (!Array.isArray(events) || events.length === 0 || !events.every((e) => typeof e === 'string' && e !== '')) {
      throw new ConfigError(`${where}: \`${option}.event\` must be an event type, a list of them, or '*'`, { option: `${option}.event` });
    }
    if (entry!.filter !== undefined && typeof entry!.filter !== 'function') throw new ConfigError(`${where}: \`${option}.filter\` must be a JSON-key filter (a function)`, { option: `${option}.filter` });
    if (typeof entry!.handler !== 'function') throw new ConfigError(`${where}: \`${option}.handler\` must be a function`, { option: `${option}.handler` });
    if (typeof eventType !== 'function' && !events.includes('*')) {
      throw new ConfigError(`${where}: \`${option}\` routes on event types; give \`eventType(webhook)\` or use event '*'`, { option: 'eventType' });
    }
  });
}

function matches(entry: AnyAnswer, type: string | undefined, payload: unknown): boolean {
  const events = typeof entry.event === 'string' ? [entry.event] : entry.event;
  if (!events.includes('*') && (type === undefined || !events.includes(type))) return false;
  try {
    return entry.filter ? entry.filter(payload) === true : true;
  } catch {
    return false;
  }
}

/** Resolves with `work`'s value, or `fallback` after `ms` (the timer never keeps the process alive). */
function within<T>(work: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => { timer = setTimeout(() => resolve(fallback), ms); timer.unref?.(); });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

export interface AnswerRouting {
  answers: readonly AnyAnswer[];
  eventType?: (webhook: WebhookEvent<unknown>) => string | undefined;
  timeoutMs: number;
  /** Told when a handler threw or ran over the budget (the default answer was sent). */
  onFallback?: (reason: string, err?: unknown) => void;
}

/** The answer body for a stored webhook; `fallback` is the default answer. Never rejects. */
export async function answerStoredWebhook<TDefault>(
  routing: AnswerRouting, webhook: WebhookEvent<unknown>, stored: StoredWebhook, fallback: TDefault,
): Promise<TDefault | WebhookAnswerBody> {
  let type: string | undefined;
  try {
    type = routing.eventType?.(webhook);
  } catch (err) {
    routing.onFallback?.('eventType threw', err);
    return fallback;
  }
  const entry = routing.answers.find((a) => matches(a, typeof type === 'string' ? type : undefined, webhook.payload));
  if (!entry) return fallback;
  const TIMED_OUT = Symbol('timeout');
  let body: WebhookAnswerBody | undefined | typeof TIMED_OUT;
  try {
    body = await within(Promise.resolve().then(() => entry.handler.call(undefined as never, webhook, stored)), routing.timeoutMs, TIMED_OUT);
  } catch (err) {
    routing.onFallback?.(`the answer handler for "${type ?? '*'}" threw`, err);
    return fallback;
  }
  if (body === TIMED_OUT) {
    routing.onFallback?.(`the answer handler for "${type ?? '*'}" ran over ${routing.timeoutMs} ms`);
    return fallback;
  }
  return body === undefined || body === null ? fallback : body;
}
