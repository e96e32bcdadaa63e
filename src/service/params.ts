/** Type-level mapping from a fastest-validator `params` schema to the TypeScript type of `ctx.params`. */

/** Names of fastest-validator rule types, mapped to the value type they accept. */
interface RuleTypeMap {
  string: string;
  email: string;
  url: string;
  uuid: string;
  mac: string;
  luhn: string;
  currency: string;
  objectID: string;
  number: number;
  boolean: boolean;
  date: Date;
  array: unknown[];
  object: Record<string, unknown>;
  any: unknown;
  function: (...args: never[]) => unknown;
  forbidden: undefined;
}

type NamedType<T extends string> = T extends keyof RuleTypeMap ? RuleTypeMap[T] : unknown;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/**
 * Rebuilds a schema type property by property. Inference hands the handler a schema that is still being
 * inferred, whose nested objects do not match conditional types until rebuilt like this.
 */
type Materialize<T> = T extends string | number | boolean | bigint | symbol | null | undefined
  ? T
  : T extends (...args: never[]) => unknown
    ? T
    : { [K in keyof T]: Materialize<T[K]> };

/** The value type a single rule (shorthand string, rule object, or array of alternatives) accepts. */
export type InferRule<R> = R extends string
  ? R extends `${infer Base}|${string}`
    ? NamedType<Base>
    : NamedType<R>
  : R extends readonly (infer Alt)[]
    ? InferRule<Alt>
    : R extends { type: 'array'; items: infer I }
      ? InferRule<I>[]
      : R extends { type: 'object'; props: infer P }
        ? InferObject<P>
        : R extends { type: 'object'; properties: infer P }
          ? InferObject<P>
          : R extends { type: 'enum'; values: readonly (infer V)[] }
            ? V
            : R extends { type: 'equal'; value: infer V }
              ? V
              : R extends { type: 'multi'; rules: readonly (infer Alt)[] }
                ? InferRule<Alt>
                : R extends { type: infer T extends string }
                  ? NamedType<T>
                  : unknown;

/** True when the rule may be absent: `optional: true`, a `default`, or the `|optional` shorthand modifier. */
type IsOptional<R> = R extends string
  ? R extends `${string}|optional${string}` ? true : false
  : R extends { optional: true } ? true
    : R extends { default: unknown } ? true
      : false;

type RuleKeys<S> = { [K in keyof S]: K extends `$$${string}` ? never : K }[keyof S];
type RequiredKeys<S> = { [K in RuleKeys<S>]: IsOptional<S[K]> extends true ? never : K }[RuleKeys<S>];
type OptionalKeys<S> = { [K in RuleKeys<S>]: IsOptional<S[K]> extends true ? K : never }[RuleKeys<S>];

/**
 * `ctx.params` for a fastest-validator schema: `{ id: 'string', limit: { type: 'number', optional: true } }`
 * gives `{ id: string; limit?: number }`. Rules the mapping does not know give `unknown`.
 */
export type InferParams<S> = [S] extends [undefined]
  ? Record<string, unknown>
  : unknown extends S
    ? Record<string, unknown>
    : InferObject<Materialize<S>>;

type InferObject<S> = Simplify<
  { [K in RequiredKeys<S>]: InferRule<S[K]> } & { [K in OptionalKeys<S>]?: InferRule<S[K]> }
>;
