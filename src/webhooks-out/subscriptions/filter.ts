/** A subscription's `filter` (`{ equals?, in?, exists? }`): its shape checked, and turned into a predicate on the event payload. */
import { BadRequestError } from '../../errors';
import { allOf, jsonKeyEquals, jsonKeyExists, jsonKeyIn, parseJsonKeyPath, type JsonKeyFilter } from '../../filters';
import type { SubscriptionFilter } from '../types';
import { MAX_FILTER_IN_VALUES, MAX_FILTER_PATHS } from './types';

const PARTS = ['equals', 'in', 'exists'] as const;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}

function checkPath(path: unknown, where: string): string {
  try {
    parseJsonKeyPath(path);
  } catch (err) {
    throw new BadRequestError(`${where}: ${(err as Error).message.replace(/^JSON-key filter: /, '')}`, { field: where });
  }
  if ((path as string).length > 256) throw new BadRequestError(`${where}: a path is at most 256 characters`, { field: where });
  return path as string;
}

/** True for JSON values (what a parsed body can hold): null, booleans, finite numbers, strings, arrays and plain objects of them. */
function isJsonValue(value: unknown, depth = 0): boolean {
  if (depth > 16) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((v) => isJsonValue(v, depth + 1));
  return isPlainObject(value) && Object.values(value).every((v) => isJsonValue(v, depth + 1));
}

/**
 * Checks a filter's shape: an object with only `equals` (`{ path: value }`), `in` (`{ path: [values] }`)
 * and `exists` (`[paths]`); dot paths without reserved keys; at most {@link MAX_FILTER_PATHS} paths.
 * Throws a 400 naming the faulty part. Returns a copy.
 */
export function checkSubscriptionFilter(value: unknown, field = 'filter'): SubscriptionFilter {
  if (!isPlainObject(value)) throw new BadRequestError(`${field} must be an object { equals?, in?, exists? }`, { field });
  for (const key of Object.keys(value)) {
    if (!(PARTS as readonly string[]).includes(key)) throw new BadRequestError(`${field}.${key} is not a filter part; use equals, in or exists`, { field: `${field}.${key}` });
  }
  const out: SubscriptionFilter = {};
  let paths = 0;
  if (value.equals !== undefined) {
    if (!isPlainObject(value.equals)) throw new BadRequestError(`${field}.equals must be an object { "path": value }`, { field: `${field}.equals` });
    out.equals = {};
    for (const [path, expected] of Object.entries(value.equals)) {
      checkPath(path, `${field}.equals`);
      if (!isJsonValue(expected)) throw new BadRequestError(`${field}.equals["${path}"] must be a JSON value`, { field: `${field}.equals` });
      out.equals[path] = expected;
      paths += 1;
    }
  }
  if (value.in !== undefined) {
    if (!isPlainObject(value.in)) throw new BadRequestError(`${field}.in must be an object { "path": [values] }`, { field: `${field}.in` });
    out.in = {};
    for (const [path, values] of Object.entries(value.in)) {
      checkPath(path, `${field}.in`);
      if (!Array.isArray(values) || values.length === 0 || values.length > MAX_FILTER_IN_VALUES || !values.every((v) => isJsonValue(v))) {
        throw new BadRequestError(`${field}.in["${path}"] must be an array of 1-${MAX_FILTER_IN_VALUES} JSON values`, { field: `${field}.in` });
      }
      out.in[path] = [...values];
      paths += 1;
    }
  }
  if (value.exists !== undefined) {
    if (!Array.isArray(value.exists)) throw new BadRequestError(`${field}.exists must be an array of paths`, { field: `${field}.exists` });
    out.exists = value.exists.map((p) => checkPath(p, `${field}.exists`));
    paths += out.exists.length;
  }
  if (paths > MAX_FILTER_PATHS) throw new BadRequestError(`${field} names ${paths} paths; at most ${MAX_FILTER_PATHS}`, { field });
  return out;
}

/** The filter as a predicate over the event's payload (the delivery's `data`); no filter matches everything. */
export function compileSubscriptionFilter(filter: SubscriptionFilter | undefined): JsonKeyFilter {
  if (!filter) return () => true;
  const parts: JsonKeyFilter[] = [];
  for (const [path, value] of Object.entries(filter.equals ?? {})) parts.push(jsonKeyEquals(path, value));
  for (const [path, values] of Object.entries(filter.in ?? {})) parts.push(jsonKeyIn(path, values));
  for (const path of filter.exists ?? []) parts.push(jsonKeyExists(path));
  return allOf(...parts);
}
