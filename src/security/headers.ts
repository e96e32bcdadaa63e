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

export type SingleHeader = { ok: true; value: string } | { ok: false; reason: 'missing' | 'malformed'; message: string };

/** The one value of a header that must appear once: absent or empty → missing, conflicting repeats → malformed. */
export function singleHeader(headers: WebhookHeaders | unknown, name: string): SingleHeader {
  const values = [...new Set(headerValues(headers, name).map((v) => v.trim()))];
  if (values.length === 0) return { ok: false, reason: 'missing', message: `header ${name} is missing` };
  if (values.length > 1) return { ok: false, reason: 'malformed', message: `header ${name} was sent more than once with different values` };
  if (values[0] === '') return { ok: false, reason: 'missing', message: `header ${name} is empty` };
  return { ok: true, value: values[0] };
}
