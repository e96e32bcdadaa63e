/** Deep equality of JSON values, as the filters compare them. */

/**
 * True when `a` and `b` are the same JSON value: primitives by `Object.is` (so `NaN` equals
 * `NaN`) except that `0` equals `-0`; arrays element by element; objects by their own
 * enumerable keys, in any order. Cycles and throwing getters do not throw.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  try {
    return equal(a, b, new Map());
  } catch {
    return false;
  }
}

function equal(a: unknown, b: unknown, seen: Map<object, Set<object>>): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return Object.is(a, b);
  const pairs = seen.get(a);
  if (pairs?.has(b)) return true;
  if (pairs) pairs.add(b);
  else seen.set(a, new Set([b]));

  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i += 1) if (!equal(a[i], b[i], seen)) return false;
    return true;
  }
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  for (const key of keysA) {
    if (!Object.prototype.hasOwnProperty.call(b, key)) return false;
    if (!equal((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], seen)) return false;
  }
  return true;
}
