/** Reading Meta's JSON defensively: a field of the wrong type is treated as absent, never a TypeError (500). */

/** `value` when it is a plain object (not an array), else undefined. */
export function obj(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** `value` when it is a non-empty string, else undefined. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The plain objects of `value` when it is an array, else none. */
export function objects(value: unknown): Array<Record<string, unknown>> {
  return Array.isArray(value) ? value.map(obj).filter((x): x is Record<string, unknown> => x !== undefined) : [];
}
