/** JSON-key filters: predicates over a parsed payload that channel consumers and subscriptions route with. */
import { ConfigError } from '../errors';
import { jsonEqual } from './equality';
import { lookup, parseJsonKeyPath } from './path';

/** A predicate over a parsed payload; never throws, whatever the payload. */
export type JsonKeyFilter = (payload: unknown) => boolean;

/** Matches when the value at `path` (dot notation, array indexes allowed) deep-equals `value`. */
export function jsonKeyEquals(path: string, value: unknown): JsonKeyFilter {
  const keys = parseJsonKeyPath(path);
  return (payload) => {
    const found = lookup(payload, keys);
    return found.found && jsonEqual(found.value, value);
  };
}

/** Matches when the value at `path` deep-equals one of `values`. An empty list matches nothing. */
export function jsonKeyIn(path: string, values: readonly unknown[]): JsonKeyFilter {
  const keys = parseJsonKeyPath(path);
  if (!Array.isArray(values)) throw new ConfigError('jsonKeyIn: values must be an array', { option: 'values', path });
  const candidates = [...values];
  return (payload) => {
    const found = lookup(payload, keys);
    return found.found && candidates.some((candidate) => jsonEqual(found.value, candidate));
  };
}

/** Matches when `path` leads to an own property whose value is not `undefined` (`null` counts as present). */
export function jsonKeyExists(path: string): JsonKeyFilter {
  const keys = parseJsonKeyPath(path);
  return (payload) => lookup(payload, keys).found;
}

function checkFilters(filters: unknown[], name: string): JsonKeyFilter[] {
  if (!filters.every((f) => typeof f === 'function')) throw new ConfigError(`${name}: every filter must be a function`, { option: 'filters' });
  return filters as JsonKeyFilter[];
}

/** Matches when every filter matches; with none, matches everything. */
export function allOf(...filters: JsonKeyFilter[]): JsonKeyFilter {
  const list = checkFilters(filters, 'allOf');
  return (payload) => list.every((filter) => filter(payload));
}

/** Matches when at least one filter matches; with none, matches nothing. */
export function anyOf(...filters: JsonKeyFilter[]): JsonKeyFilter {
  const list = checkFilters(filters, 'anyOf');
  return (payload) => list.some((filter) => filter(payload));
}

/** Matches when no filter matches; with none, matches everything. */
export function noneOf(...filters: JsonKeyFilter[]): JsonKeyFilter {
  const list = checkFilters(filters, 'noneOf');
  return (payload) => !list.some((filter) => filter(payload));
}
