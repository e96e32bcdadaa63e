/** Reading request headers defensively: case-insensitive names, array values, odd shapes. */
import type { WebhookHeaders } from './types';

/** Every value sent under `name` (any case), arrays flattened; non-string values ignored; a headers object that throws reads as empty. */
export function headerValues(headers: WebhookHeaders | unknown, name: string): string[] {
  if (headers === null || typeof headers !== 'object') return [];
  const wanted = name.toLowerCase();
  const out: string[] = [];
  try {
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() !== wanted) continue;
      const value: unknown = (headers as Record<string, unknown>)[key];
      if (typeof value === 'string') out.push(value);
      else if (Array.isArray(value)) for (const item of value) if (typeof item === 'string') out.push(item);
    }
  } catch {
    return [];
  }
  return out;
}

/**
 * Every value sent under each of `names` (lower-case names; headers matched in any case), read in one pass over
 * the headers: `headerValuesOf(h, [a, b])[i]` equals `headerValues(h, names[i])`.
 */
export function headerValuesOf(headers: WebhookHeaders | unknown, names: readonly string[]): string[][] {
  const out = names.map((): string[] => []);
  if (headers === null || typeof headers !== 'object') return out;
  let keys: string[];
  try {
    keys = Object.keys(headers);
  } catch {
    return out;
  }
  let failed: boolean[] | undefined;
  for (const key of keys) {
    const at = names.indexOf(key.toLowerCase());
    if (at < 0) continue;
    try {
      const value: unknown = (headers as Record<string, unknown>)[key];
      if (typeof value === 'string') out[at].push(value);
      else if (Array.isArray(value)) for (const item of value) if (typeof item === 'string') out[at].push(item);
    } catch {
      (failed ??= [])[at] = true; // as headerValues: a name whose value throws reads as absent
    }
  }
  if (failed) for (let i = 0; i < names.length; i++) if (failed[i]) out[i] = [];
  return out;
}

export type SingleHeader = { ok: true; value: string } | { ok: false; reason: 'missing' | 'malformed'; message: string };

/** The one value of a header that must appear once: absent or empty → missing, conflicting repeats → malformed. */
export function singleHeader(headers: WebhookHeaders | unknown, name: string): SingleHeader {
  return singleValue(headerValues(headers, name), name);
}

/** `singleHeader` over values already read (`headerValues`' answer for `name`). */
export function singleValue(sent: readonly string[], name: string): SingleHeader {
  const values = sent.length === 1 ? [sent[0].trim()] : [...new Set(sent.map((v) => v.trim()))];
  if (values.length === 0) return { ok: false, reason: 'missing', message: `header ${name} is missing` };
  if (values.length > 1) return { ok: false, reason: 'malformed', message: `header ${name} was sent more than once with different values` };
  if (values[0] === '') return { ok: false, reason: 'missing', message: `header ${name} is empty` };
  return { ok: true, value: values[0] };
}
