/** Step 6: the integration's `normalize` → `NormalizedMessage[]`, checked for shape and count. */
import { BadRequestError } from '../../errors';
import type { IntegrationConfig, NormalizedMessage, WebhookEvent } from '../../types';

function invalid(index: number, why: string): Error {
  return new TypeError(`normalize returned an invalid message at index ${index}: ${why}`);
}

/** Checks one message has what consumers rely on. */
function checkMessage(message: unknown, index: number): asserts message is NormalizedMessage {
  if (message === null || typeof message !== 'object') throw invalid(index, 'not an object');
  const m = message as Partial<NormalizedMessage>;
  if (typeof m.id !== 'string' || m.id === '') throw invalid(index, '`id` must be a non-empty string');
  if (typeof m.conversationId !== 'string') throw invalid(index, '`conversationId` must be a string');
  if (!m.from || typeof m.from.id !== 'string') throw invalid(index, '`from.id` must be a string');
  if (typeof m.timestamp !== 'number' || !Number.isFinite(m.timestamp)) throw invalid(index, '`timestamp` must be ms since the epoch');
  if (!m.content || typeof m.content.type !== 'string') throw invalid(index, '`content.type` must be a string');
}

/**
 * Runs `normalize`; fills `platform` when missing. A `BadRequestError` from the hook stays a 400;
 * more than `maxMessages` → 400; a malformed result is the integration's bug (500).
 */
export async function normalizeWebhook<T>(
  normalize: (webhook: WebhookEvent<T>, channel: IntegrationConfig) => NormalizedMessage[] | Promise<NormalizedMessage[]>,
  webhook: WebhookEvent<T>,
  channel: IntegrationConfig,
  platform: string,
  maxMessages: number,
): Promise<NormalizedMessage[]> {
  const messages: unknown = await normalize(webhook, channel);
  if (messages === undefined || messages === null) return [];
  if (!Array.isArray(messages)) throw new TypeError('normalize must return an array of NormalizedMessage');
  if (messages.length > maxMessages) throw new BadRequestError(`the webhook carries ${messages.length} messages; the limit is ${maxMessages}`);
  messages.forEach(checkMessage);
  return (messages as NormalizedMessage[]).map((m) => (m.platform ? m : { ...m, platform }));
}
