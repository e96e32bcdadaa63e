/** `defineService`: a typed Moleculer service schema with datasources, memoize and permission helpers mixed in. */
import type { Context, Service, ServiceSchema, ServiceSettingSchema } from 'moleculer';
import { ConfigError } from '../errors';
import { datasourcesMixin, validateDatasourceRegistry, type DatasourceRegistry } from '../mixins/datasources';
import { memoizeMixin, type MethodMemoizeOptions } from '../mixins/memoize';
import { attachContext, validateMemoizeOptions, wrapSchemaHandlers } from './handlers';
import type { MethodsConfig, ServiceConfig } from './types';

/** Keys `defineService` reads itself; they are not passed on to Moleculer. */
export const SDK_ONLY_KEYS = ['datasources', 'memoize'] as const;

/** Names the SDK puts on the service; a method with one of these names would hide it. */
const RESERVED_METHODS = ['memoize', 'invalidateMemoized', 'datasources'] as const;

/** The SDK's `before '*'` hook: `datasources` and the permission helpers on every action's context. */
export function sdkContextHook(this: Service, ctx: Context): void {
  attachContext(this, ctx);
}

/** The SDK's own mixin for one service config. */
function sdkMixin(registry: DatasourceRegistry, methodMemoize: Record<string, MethodMemoizeOptions>): Partial<ServiceSchema> {
  const datasources = datasourcesMixin(registry);
  const memo = memoizeMixin();
  return {
    merged(schema: ServiceSchema) {
      wrapSchemaHandlers(schema, methodMemoize);
    },
    hooks: {
      before: { '*': sdkContextHook },
    },
    methods: memo.methods,
    created: datasources.created,
    started: datasources.started,
    // Being the last mixin puts this hook first in the merged list; Moleculer runs `stopped` in reverse, so it runs last.
    async stopped(this: Service) {
      await (datasources.stopped as (this: Service) => Promise<void>).call(this);
      await (memo.stopped as (this: Service) => Promise<void>).call(this);
    },
  } as Partial<ServiceSchema>; // `merged` is a lifecycle hook on both lines, typed on 0.14 only
}

function validateConfig(config: unknown): asserts config is ServiceConfig & Record<string, unknown> {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new ConfigError('defineService needs a service config object.', { option: 'config' });
  }
  const { name } = config as { name?: unknown };
  if (typeof name !== 'string' || name.trim() === '') {
    throw new ConfigError("defineService: 'name' must be a non-empty string.", { option: 'name' });
  }
  const c = config as Record<string, unknown>;
  validateDatasourceRegistry(name, c.datasources);
  const methods = c.methods as Record<string, unknown> | undefined;
  for (const reserved of RESERVED_METHODS) {
    if (methods && Object.prototype.hasOwnProperty.call(methods, reserved)) {
      throw new ConfigError(`Service '${name}': method name '${reserved}' is reserved by defineService.`, { service: name, method: reserved });
    }
  }
  if (c.mixins !== undefined && !Array.isArray(c.mixins)) {
    throw new ConfigError(`Service '${name}': 'mixins' must be an array.`, { service: name, option: 'mixins' });
  }
  validateMemoizeOptions(name, c);
}

/**
 * Turns a service config into a Moleculer `ServiceSchema` (pass it to `broker.createService` or export it
 * from a `*.service.ts` file). On top of the plain schema:
 *
 * - `datasources: { name: Class }`: per-instance datasources, `ctx.datasources.<name>` in actions, event and
 *   channel handlers, `this.datasources.<name>` everywhere; `init`/`connect`/`disconnect` hooks run on
 *   created/started/stopped, and a failing `connect` fails the start with a `DatasourceError`.
 * - `this.memoize(key, fn, { ttl })`, `this.invalidateMemoized(keyOrPattern)`, `memoize: { ttl }` on an
 *   action, and `memoize: { <method>: { ttl } }` for methods; stored in the broker's cacher.
 * - `ctx.hasRole`, `ctx.hasPermission`, `ctx.ensureRole`, `ctx.ensurePermission`, `ctx.ensureTenant`.
 * - Event handlers always receive the context; channel handlers too unless `context: false`.
 *
 * `ctx.params` is typed from each handler's `params` schema, `ctx.datasources` from the registry.
 * Throws a `ConfigError` naming the culprit for an invalid config.
 */
export function defineService<
  const TDatasources extends DatasourceRegistry = Record<never, never>,
  const TActions extends Record<string, unknown> = Record<never, never>,
  const TEvents extends Record<string, unknown> = Record<never, never>,
  TMethods extends MethodsConfig = Record<never, never>,
  TSettings extends object = ServiceSettingSchema, // not `extends ServiceSettingSchema`: on 0.15 that is a weak type `{ pageSize: 20 }` fails
  const TChannels extends Record<string, unknown> = Record<never, never>,
>(config: ServiceConfig<TDatasources, TActions, TEvents, TMethods, TSettings, TChannels>): ServiceSchema<TSettings> {
  validateConfig(config);
  const { datasources, memoize, mixins, ...rest } = config as ServiceConfig & Record<string, unknown>;
  // Moleculer runs the last mixin's created/started first: the SDK's goes last, so datasources are
  // connected before any other mixin's or the service's own `started` runs.
  const schema: Record<string, unknown> = {
    // Keys present but undefined break Moleculer's mixin merge (`settings: undefined` and the like).
    ...Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined)),
    mixins: [...(mixins ?? []), sdkMixin(datasources ?? {}, (memoize ?? {}) as Record<string, MethodMemoizeOptions>)],
  };
  return schema as unknown as ServiceSchema<TSettings>;
}
