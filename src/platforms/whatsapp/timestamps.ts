/** Meta's timestamps: Unix seconds as a string of digits → ms since the epoch; anything else → 400. */
import { BadRequestError } from '../../errors';

const SECONDS = /^\d{1,12}$/;

/** `"1749416383"` → `1749416383000`; `where` names the field in the 400 answer. */
export function metaTimestampMs(value: unknown, where: string): number {
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text !== 'string' || !SECONDS.test(text)) throw new BadRequestError(`${where} must be Unix seconds (digits), got ${JSON.stringify(value)?.slice(0, 40)}`, { field: where });
  return Number(text) * 1000;
}
