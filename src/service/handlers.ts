/** Wraps a merged service schema's handlers: SDK context on events and channels, declarative memoize on actions and methods. */
import { Context, type Service, type ServiceSchema } from 'moleculer';
import { ConfigError } from '../errors';
import { datasourcesOf } from '../mixins/datasources';
import { hashKey, memoize, validateTtl, type ActionMemoizeOptions, type MethodMemoizeOptions } from '../mixins/memoize';
import { attachPermissionHelpers } from '../mixins/permissions';
import type { AppMeta } from '../types/context';

type Fn = (this: Service, ...args: unknown[]) => unknown;
type Def = Record<string, unknown> & { handler?: unknown };

const WRAPPED = Symbol('switchboard.wrapped');

function markWrapped<T extends object>(fn: T): T {
  Object.defineProperty(fn, WRAPPED, { value: true });
  return fn;
}

function isWrapped(fn: unknown): boolean {
  return typeof fn === 'function' && (fn as unknown as Record<symbol, unknown>)[WRAPPED] === true;
}

/** Adds `datasources` and the permission helpers to a context (idempotent). */
export function attachContext(service: Service, ctx: Context): void {
  const target = ctx as Context & { datasources?: unknown };
  if (target.datasources === undefined) {
    Object.defineProperty(target, 'datasources', { value: datasourcesOf(service), enumerable: false, configurable: true });
  }
  attachPermissionHelpers(ctx as Context<unknown, AppMeta>);
}

function asDef(def: unknown): Def {
  return typeof def === 'function' ? { handler: def } : { ...(def as Def) };
}

/**
 * Event handlers always get the context, whatever their parameter names (Moleculer would otherwise
 * guess the legacy `(payload, sender, eventName)` form from them), with `datasources` and helpers on it.
 */
function wrapEvent(def: unknown): unknown {
  if (def === null || (typeof def !== 'function' && typeof def !== 'object')) return def;
  const out = asDef(def);
  const handlers = Array.isArray(out.handler) ? (out.handler as unknown[]) : [out.handler];
  if (handlers.some((h) => typeof h !== 'function') || handlers.every(isWrapped)) return def;
  const original = handlers as Fn[];
  out.context = true;
  out.handler = markWrapped(function (this: Service, ctx: Context) {
    attachContext(this, ctx);
    if (original.length === 1) return original[0].call(this, ctx);
    return Promise.all(original.map((h) => h.call(this, ctx)));
  });
  return out;
}

/** Channel handlers get a context by default (`context: true`), with `datasources` and helpers on it. */
function wrapChannel(def: unknown): unknown {
  if (def === null || (typeof def !== 'function' && typeof def !== 'object')) return def;
  const out = asDef(def);
  if (typeof out.handler !== 'function' || isWrapped(out.handler)) return def;
  const original = out.handler as Fn;
  if (out.context === undefined) out.context = true;
  out.handler = markWrapped(function (this: Service, first: unknown, raw: unknown) {
    if (first instanceof Context) attachContext(this, first);
    return original.call(this, first, raw);
  });
  return out;
}

function defaultActionKey(ctx: Context): string {
  const meta = (ctx.meta ?? {}) as AppMeta;
  return hashKey({ params: ctx.params, tenantId: meta.tenantId, userId: meta.user?.id });
}

function wrapAction(serviceName: string, name: string, def: unknown): unknown {
  if (def === null || typeof def !== 'object') return def;
  const out = asDef(def);
  const options = out.memoize as ActionMemoizeOptions | undefined;
  delete out.memoize;
  if (options === undefined || options === null) return out;
  if (typeof out.handler !== 'function' || isWrapped(out.handler)) return out;
  const ttl = validateTtl(options.ttl, `Service '${serviceName}', action '${name}'`);
  const keyOf = options.key ?? defaultActionKey;
  const original = out.handler as Fn;
  out.handler = markWrapped(function (this: Service, ctx: Context) {
    return memoize(this, `${name}:${keyOf(ctx)}`, () => original.call(this, ctx), { ttl, cacheTimeoutMs: options.cacheTimeoutMs });
  });
  return out;
}

function wrapMethod(serviceName: string, name: string, def: unknown, options: MethodMemoizeOptions): unknown {
  const out = asDef(def);
  if (typeof out.handler !== 'function' || isWrapped(out.handler)) return def;
  const ttl = validateTtl(options.ttl, `Service '${serviceName}', method '${name}'`);
  const keyOf = options.key ?? ((...args: unknown[]) => hashKey(args));
  const original = out.handler as Fn;
  out.handler = markWrapped(function (this: Service, ...args: unknown[]) {
    return memoize(this, `${name}:${keyOf(...args)}`, () => original.apply(this, args), { ttl, cacheTimeoutMs: options.cacheTimeoutMs });
  });
  return out;
}

function mapValues(record: unknown, fn: (name: string, def: unknown) => unknown): Record<string, unknown> | undefined {
  if (record === undefined || record === null) return undefined;
  return Object.fromEntries(Object.entries(record as Record<string, unknown>).map(([k, v]) => [k, fn(k, v)]));
}

/**
 * The `merged` hook: rewrites the final schema's handlers in place. `methodMemoize` is the config's
 * `memoize:` map; a name that is not a method of the merged schema is a `ConfigError`.
 */
export function wrapSchemaHandlers(schema: ServiceSchema, methodMemoize: Record<string, MethodMemoizeOptions> = {}): void {
  const serviceName = String(schema.name);
  if (schema.actions) schema.actions = mapValues(schema.actions, (n, d) => wrapAction(serviceName, n, d)) as ServiceSchema['actions'];
  const methods = (schema.methods ?? {}) as Record<string, unknown>;
  for (const [name, options] of Object.entries(methodMemoize)) {
    if (!Object.prototype.hasOwnProperty.call(methods, name)) {
      throw new ConfigError(`Service '${serviceName}': 'memoize' names method '${name}', which the service does not define.`, {
        service: serviceName,
        method: name,
      });
    }
    methods[name] = wrapMethod(serviceName, name, methods[name], options);
  }
  if (schema.events) schema.events = mapValues(schema.events, (_n, d) => wrapEvent(d)) as ServiceSchema['events'];
  // `channels` is @moleculer/channels' key: 0.14's ServiceSchema allows any key, 0.15's lists its own only.
  const withChannels = schema as ServiceSchema & { channels?: Record<string, unknown> };
  if (withChannels.channels) withChannels.channels = mapValues(withChannels.channels as never, (_n, d) => wrapChannel(d));
}

function validateOne(where: string, data: Record<string, unknown>, options: unknown): void {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError(`${where}: 'memoize' must be an object like { ttl: 30 }.`, data);
  }
  validateTtl((options as { ttl?: unknown }).ttl, where);
  const key = (options as { key?: unknown }).key;
  if (key !== undefined && typeof key !== 'function') {
    throw new ConfigError(`${where}: memoize 'key' must be a function.`, data);
  }
}

/** Validates declarative memoize options early, at `defineService` time: `memoize` on actions and the `memoize:` map. */
export function validateMemoizeOptions(serviceName: string, config: { actions?: unknown; memoize?: unknown }): void {
  if (config.actions && typeof config.actions === 'object') {
    for (const [name, def] of Object.entries(config.actions as Record<string, unknown>)) {
      if (!def || typeof def !== 'object' || (def as Def).memoize === undefined) continue;
      validateOne(`Service '${serviceName}', action '${name}'`, { service: serviceName, action: name }, (def as Def).memoize);
    }
  }
  if (config.memoize === undefined) return;
  if (typeof config.memoize !== 'object' || config.memoize === null || Array.isArray(config.memoize)) {
    throw new ConfigError(`Service '${serviceName}': 'memoize' must map method names to options, e.g. { findUser: { ttl: 30 } }.`, {
      service: serviceName,
      option: 'memoize',
    });
  }
  for (const [name, options] of Object.entries(config.memoize as Record<string, unknown>)) {
    validateOne(`Service '${serviceName}', method '${name}'`, { service: serviceName, method: name }, options);
  }
}
