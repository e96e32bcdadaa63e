/**
 * Reading a platform's payload field by field. Nothing checks a payload's shape before a normalizer, and a
 * signed payload can still carry any JSON: a field of another type than the platform documents reads as absent —
 * never as a conversion that throws (`{"toString": {}}` cannot go into a template, a join or `Number()`) or a
 * non-string where a message promises one. A 500 there is an answer the platform retries forever.
 */

/** A field as text, or nothing. */
export const textOf = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
/** An id (or a `ts`) as non-empty text, or nothing. */
export const idOf = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
/** A nested object (not an array), or nothing. */
export const objectOf = (v: unknown): Record<string, unknown> | undefined =>
  (v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : undefined);
/** The objects of a list field; a field that is not a list has none. */
export const objectsOf = (v: unknown): Array<Record<string, unknown>> =>
  (Array.isArray(v) ? v.map(objectOf).filter((o) => o !== undefined) : []);
