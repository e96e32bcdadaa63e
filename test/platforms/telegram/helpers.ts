/** Shared by the Telegram tests: fixtures, a fresh bot per test, waiting for a condition. */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TelegramUpdate } from '../../../src/platforms/telegram/types';

/** A fixture from test/fixtures/telegram/ (the `_source` key is left in: Telegram adds fields, readers ignore unknown ones). */
export function fixture<T = TelegramUpdate>(name: string): T {
  return JSON.parse(readFileSync(join(__dirname, '../../fixtures/telegram', name), 'utf8')) as T;
}

let bots = 0;
/** A bot token no other test uses: `<bot id>:<secret>`. */
export function newBotToken(): string {
  bots += 1;
  return `${7000000 + process.pid * 100 + bots}:AA${randomBytes(16).toString('base64url')}`;
}

/** A Telegram secret token (its alphabet). */
export const newSecretToken = () => randomBytes(24).toString('base64url');

/** Resolves with `get()` once `ok` holds, polling every 50 ms; throws with the last value after `timeoutMs`. */
export { waitFor } from '../../harness/wait';

/** The error `promise` rejects with; fails the test if it resolves. */
export function failure<E = Error & { code?: number; type?: string; retryable?: boolean; data: Record<string, unknown> }>(promise: Promise<unknown>): Promise<E> {
  return promise.then(() => { throw new Error('expected a failure, got a result'); }, (e: unknown) => e as E);
}
