/** The committed `getUpdates` offset of a bot: the next update id to ask for, written only once the updates before it are stored. */
import type { KeyValueStore } from '../../../store';

/** Telegram keeps unconfirmed updates 24 h; the offset outlives that by far. */
const OFFSET_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/** The offset key of a bot (by its numeric id, like the lease). */
export function pollOffsetKey(botId: string): string {
  return `telegram:poll:${botId}:offset`;
}

/** The offset to ask for, or undefined before the first commit (then Telegram sends every unconfirmed update). */
export async function readOffset(store: KeyValueStore, key: string): Promise<number | undefined> {
  const value = await store.get(key);
  const n = value === null ? NaN : Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Commits `offset` (last stored update id + 1). */
export async function commitOffset(store: KeyValueStore, key: string, offset: number): Promise<void> {
  await store.set(key, String(offset), OFFSET_TTL_MS);
}
