/** A subscription's `filter` as a predicate over the event's payload (the JSON-key filters), compiled once per filter. */
import { allOf, jsonKeyEquals, jsonKeyExists, jsonKeyIn, type JsonKeyFilter } from '../../filters';
import type { SubscriptionFilter } from '../types';

const compiled = new Map<string, JsonKeyFilter>();
const CACHE_MAX = 10_000;

/** The predicate of `filter` (every part must hold); a filter that cannot compile matches nothing. */
export function compileFilter(filter: SubscriptionFilter | undefined): JsonKeyFilter {
  if (!filter) return () => true;
  const key = JSON.stringify(filter);
  let f = compiled.get(key);
  if (!f) {
    try {
      const parts: JsonKeyFilter[] = [];
      for (const [path, value] of Object.entries(filter.equals ?? {})) parts.push(jsonKeyEquals(path, value));
      for (const [path, values] of Object.entries(filter.in ?? {})) parts.push(jsonKeyIn(path, values));
      for (const path of filter.exists ?? []) parts.push(jsonKeyExists(path));
      f = allOf(...parts);
    } catch {
      f = () => false;
    }
    if (compiled.size >= CACHE_MAX) compiled.clear();
    compiled.set(key, f);
  }
  return f;
}
