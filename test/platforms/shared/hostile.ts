/**
 * What the platforms' property tests share: hostile values a broken or hostile sender puts where text, an id or a
 * number belongs; arbitraries that mix them with plausible values at any depth; samples with fields replaced;
 * and the outcome a gateway would answer for a payload sent through the whole inbound pipeline.
 */
import fc from 'fast-check';
import { Errors } from 'moleculer';
import { BadRequestError } from '../../../src/errors';
import { receiveWebhook, type InboundPipeline } from '../../../src/integration/inbound/receive-webhook';
import { MemoryStore } from '../../../src/store';

/** An object with `key` as an own property, as JSON.parse makes it (a literal `__proto__:` would set the prototype). */
export const own = (key: string, value: unknown): Record<string, unknown> => JSON.parse(`{${JSON.stringify(key)}:${JSON.stringify(value)}}`);

/** Values whose conversion to text throws or misleads, prototype keys, lists, numbers, long text. */
const HOSTILE_VALUES: unknown[] = [
  { toString: '' }, { toString: {} }, { valueOf: {} }, { toString: {}, valueOf: {} }, { toString: null, valueOf: null }, { length: 3 },
  own('__proto__', { toString: {} }), own('__proto__', { polluted: 'yes' }), [], [[]], [{ toString: {} }], ['a', 'b'], {}, null, true, false,
  0, -1, 1.5, 1e21, '', ' ', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'x'.repeat(100_000),
];

/** Arbitraries of a platform's fields: `plausible` values (ids, words) mixed with hostile ones, plus `extra` hostile values. */
export function fieldArbitraries(plausible: string[], extra: unknown[] = []) {
  const weird = fc.constantFrom<unknown>(...HOSTILE_VALUES, ...extra);
  const json = fc.jsonValue({ maxDepth: 3 });
  const hostile = fc.oneof(weird, json, fc.record({ toString: json, valueOf: json }, { requiredKeys: [] }), fc.array(weird, { maxLength: 3 }));
  /** A plausible value or a hostile one. */
  const field = fc.oneof({ arbitrary: hostile, weight: 2 }, { arbitrary: fc.constantFrom(...plausible), weight: 2 }, { arbitrary: fc.string({ maxLength: 12 }), weight: 1 });
  /** Mostly one of `values`, sometimes any field. */
  const oneOf = (...values: unknown[]) => fc.oneof({ arbitrary: fc.constantFrom(...values), weight: 4 }, { arbitrary: field, weight: 1 });
  /** Mostly an object of `model` (any key may be missing), sometimes any field. */
  const rec = <T extends Record<string, fc.Arbitrary<unknown>>>(model: T) => fc.oneof({ arbitrary: fc.record(model, { requiredKeys: [] }), weight: 4 }, { arbitrary: field, weight: 1 });
  /** Mostly a short list of `item` (with a stray field in it at times), sometimes any field. */
  const list = <T>(item: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.array(fc.oneof({ arbitrary: item, weight: 4 }, { arbitrary: field, weight: 1 }), { maxLength: 3 }), weight: 4 }, { arbitrary: field, weight: 1 });
  return { hostile, field, oneOf, rec, list };
}

/** A copy of one of `samples` with 1–3 fields (at any depth, arrays included, or one of `keys` added) set to a `field` value. */
export function mutatedSamples(samples: Array<Record<string, unknown>>, keys: string[], field: fc.Arbitrary<unknown>): fc.Arbitrary<Record<string, unknown>> {
  return fc.tuple(fc.nat(samples.length - 1), fc.array(fc.tuple(fc.nat(), fc.option(fc.constantFrom(...keys)), field), { minLength: 1, maxLength: 3 }))
    .map(([which, edits]) => {
      const sample = structuredClone(samples[which]!);
      // the sample's own objects and arrays, found before any edit: an inserted value (fast-check may hand the same
      // object to several runs) is never written into
      const containers: Array<Record<string, unknown>> = [];
      const walk = (node: unknown) => {
        if (node === null || typeof node !== 'object') return;
        containers.push(node as Record<string, unknown>);
        for (const child of Object.values(node)) walk(child);
      };
      walk(sample);
      for (const [pick, newKey, value] of edits) {
        const target = containers[pick % containers.length]!;
        const existing = Object.keys(target);
        const key = newKey ?? existing[Math.floor(pick / containers.length) % Math.max(existing.length, 1)] ?? 'x';
        Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
      }
      return sample;
    });
}

export const isText = (v: unknown): v is string => typeof v === 'string';
export const optText = (v: unknown) => v === undefined || isText(v);

/** Runs `fn`; a BadRequestError (the documented 400) reads as undefined, anything else thrown fails the property. */
export function onlyBadRequests<T>(fn: () => T): T | undefined {
  try { return fn(); } catch (err) { if (!(err instanceof BadRequestError)) throw err; return undefined; }
}

/**
 * A signed request through the whole inbound pipeline with a fresh store: the status the gateway would answer —
 * 200 (with the answer), a client error's 4xx, or 500 for anything else thrown (kept in `error`).
 */
export async function pipelineOutcome(
  pipeline: InboundPipeline, body: string, headers: Record<string, string>, receivedAt: number,
): Promise<{ status: number; answer?: unknown; error?: unknown }> {
  try {
    const answer = await receiveWebhook({ ...pipeline, store: new MemoryStore() }, { channelId: 'c', rawBody: Buffer.from(body), headers, query: {}, receivedAt });
    return { status: 200, answer };
  } catch (error) {
    const client = error instanceof Errors.MoleculerClientError && error.code >= 400 && error.code <= 499;
    return client ? { status: error.code } : { status: 500, error };
  }
}
