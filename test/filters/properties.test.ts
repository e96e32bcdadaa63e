/** fast-check properties of the JSON-key filters against a reference lookup over arbitrary JSON. */
import fc from 'fast-check';
import { jsonKeyEquals, jsonKeyExists, jsonKeyIn } from '../../src/filters';
import { jsonEqual } from '../../src/filters/equality';

const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);
const usableKey = (key: string) => key !== '' && !key.includes('.') && !RESERVED.has(key);

/** Every (path, value) pair reachable through own keys that a path can name. */
function leaves(value: unknown, prefix: string[] = [], out: Array<[string, unknown]> = []): Array<[string, unknown]> {
  if (value === null || typeof value !== 'object') return out;
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  for (const [key, child] of entries) {
    if (!usableKey(key)) continue;
    const path = [...prefix, key];
    out.push([path.join('.'), child]);
    leaves(child, path, out);
  }
  return out;
}

const json = fc.jsonValue({ maxDepth: 4 });
const objectWithLeaf = json.filter((v) => leaves(v).length > 0).chain((v) => fc.tuple(fc.constant(v), fc.constantFrom(...leaves(v))));

describe('JSON-key filter properties', () => {
  it('a reachable path exists and equals a deep copy of its value', () => {
    fc.assert(
      fc.property(objectWithLeaf, ([payload, [path, value]]) => {
        expect(jsonKeyExists(path)(payload)).toBe(true);
        expect(jsonKeyEquals(path, JSON.parse(JSON.stringify(value)))(payload)).toBe(true);
        expect(jsonKeyIn(path, [Symbol.for('nope'), structuredClone(value)])(payload)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('jsonKeyEquals agrees with the reference equality for any candidate', () => {
    fc.assert(
      fc.property(objectWithLeaf, json, ([payload, [path, value]], candidate) => {
        const reference = JSON.stringify(canonical(value)) === JSON.stringify(canonical(candidate));
        expect(jsonKeyEquals(path, candidate)(payload)).toBe(reference);
      }),
      { numRuns: 300 },
    );
  });

  it('a path one key longer than a primitive leaf never exists', () => {
    fc.assert(
      fc.property(objectWithLeaf, fc.string({ minLength: 1, maxLength: 5 }).filter(usableKey), ([payload, [path, value]], extra) => {
        fc.pre(value === null || typeof value !== 'object');
        expect(jsonKeyExists(`${path}.${extra}`)(payload)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('arbitrary payloads and paths never throw', () => {
    const path = fc.array(fc.oneof(fc.constantFrom('a', '0', '1', 'length', 'toString', 'valueOf'), fc.string({ minLength: 1, maxLength: 4 }).filter(usableKey)), { minLength: 1, maxLength: 4 }).map((k) => k.join('.'));
    fc.assert(
      fc.property(fc.anything({ withBoxedValues: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true }), path, fc.anything(), (payload, p, value) => {
        expect(typeof jsonKeyEquals(p, value)(payload)).toBe('boolean');
        expect(typeof jsonKeyIn(p, [value, 1])(payload)).toBe('boolean');
        expect(typeof jsonKeyExists(p)(payload)).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });

  it('jsonEqual is reflexive and symmetric on JSON, and matches a JSON round trip', () => {
    fc.assert(
      fc.property(json, json, (a, b) => {
        expect(jsonEqual(a, a)).toBe(true);
        expect(jsonEqual(a, JSON.parse(JSON.stringify(a)))).toBe(true);
        expect(jsonEqual(a, b)).toBe(jsonEqual(b, a));
      }),
      { numRuns: 300 },
    );
  });
});

/** A JSON value with object keys sorted, so JSON.stringify compares deep equality. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}
