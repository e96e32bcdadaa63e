/** Dot-notation JSON key paths (`message.content.type`, `items.0.id`): parsing and safe own-property lookup. */
import { ConfigError } from '../errors';

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);
const INDEX = /^(?:0|[1-9]\d{0,8})$/;

/**
 * Splits a path into its keys. Throws `ConfigError` (data `{ option: 'path' }`) for a non-string,
 * an empty path or key, or a `__proto__` / `constructor` / `prototype` key.
 */
export function parseJsonKeyPath(path: unknown): readonly string[] {
  if (typeof path !== 'string' || path.length === 0) throw new ConfigError('JSON-key filter: path must be a non-empty string', { option: 'path' });
  const keys = path.split('.');
  for (const key of keys) {
    if (key === '') throw new ConfigError(`JSON-key filter: path "${path}" has an empty key`, { option: 'path', path });
    if (FORBIDDEN.has(key)) throw new ConfigError(`JSON-key filter: path "${path}" uses the reserved key "${key}"`, { option: 'path', path });
  }
  return Object.freeze(keys);
}

/** A looked-up value: found (own data property at every step) or not. */
export type Lookup = { found: true; value: unknown } | { found: false };

const NOT_FOUND: Lookup = { found: false };

/**
 * Follows `keys` through own data properties only: objects by key, arrays by decimal index.
 * Getters are not called; prototypes are never read. Never throws.
 */
export function lookup(root: unknown, keys: readonly string[]): Lookup {
  let current: unknown = root;
  try {
    for (const key of keys) {
      if (current === null || typeof current !== 'object') return NOT_FOUND;
      if (Array.isArray(current) && !INDEX.test(key)) return NOT_FOUND;
      const descriptor = Object.getOwnPropertyDescriptor(current, key);
      if (!descriptor || !('value' in descriptor)) return NOT_FOUND;
      current = descriptor.value;
    }
  } catch {
    return NOT_FOUND;
  }
  return current === undefined ? NOT_FOUND : { found: true, value: current };
}
