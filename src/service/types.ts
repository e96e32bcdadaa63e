/** Public types of `defineService`: the config it takes, the `this` its handlers see, and the typed contexts. */
import type { ActionSchema, Service, ServiceBroker, ServiceSchema, ServiceSettingSchema } from 'moleculer';
import type { MoleculerLogger, ServiceDependencyRef } from '../types/moleculer';
import type { AppContext, AppMeta } from '../types/context';
import type { DatasourceInstances, DatasourceRegistry } from '../mixins/datasources';
import type { ActionMemoizeOptions, MemoizeApi, MethodMemoizeOptions } from '../mixins/memoize';
import type { InferParams } from './params';
import type { ChannelPayload } from '../channels/payloads';

/** Context an action or event handler receives: typed `params` (from its `params` schema) and `datasources`. */
export type HandlerContext<TDatasources extends DatasourceRegistry, TSchema> = AppContext<
  DatasourceInstances<TDatasources>,
  InferParams<TSchema>,
  AppMeta
>;

/** An action written as a bare function; `ctx.params` is untyped (`Record<string, unknown>`). */
export type ActionFunction<TDatasources extends DatasourceRegistry> = (
  ctx: HandlerContext<TDatasources, undefined>,
) => unknown;

/** An action written as an object. Every Moleculer action option is accepted next to these. */
export interface ActionConfig<TDatasources extends DatasourceRegistry, TSchema>
  extends Pick<
    ActionSchema,
    'name' | 'visibility' | 'cache' | 'tracing' | 'bulkhead' | 'circuitBreaker' | 'retryPolicy' | 'fallback'
  > {
  /** moleculer-web's REST alias (`'GET /items'`, `{ method, path }`); declared here because 0.15's `ActionSchema` has no `rest`. */
  rest?: string | string[] | Record<string, unknown> | (string | Record<string, unknown>)[];
  /** fastest-validator schema; `ctx.params` is typed from it (`'string'`, `{ type: 'number', optional: true }`, ...). */
  params?: TSchema;
  /** Per-call timeout in ms (Moleculer's own option). */
  timeout?: number;
  /** Memoize the result in the broker's cacher; see `ActionMemoizeOptions`. Off by default. */
  memoize?: ActionMemoizeOptions<HandlerContext<TDatasources, TSchema>>;
  handler(ctx: HandlerContext<TDatasources, TSchema>): unknown;
  /** Other Moleculer or plugin options (`openapi`, ...) pass through unchanged. */
  [option: string]: unknown;
}

/** An event handler written as a function. It always receives the context (never the legacy payload form). */
export type EventFunction<TDatasources extends DatasourceRegistry> = (
  ctx: HandlerContext<TDatasources, undefined>,
) => unknown;

/** An event handler written as an object. */
export interface EventConfig<TDatasources extends DatasourceRegistry, TSchema> {
  /** fastest-validator schema for the payload; `ctx.params` is typed from it. */
  params?: TSchema;
  /** Event group (default: the service name). */
  group?: string;
  handler(ctx: HandlerContext<TDatasources, TSchema>): unknown;
  [option: string]: unknown;
}

/** Context a channel handler receives (`ctx.params` is the message payload, typed by the channel's name: `ChannelPayload`). */
export type ChannelContext<TDatasources extends DatasourceRegistry, TPayload = Record<string, unknown>> = AppContext<
  DatasourceInstances<TDatasources>,
  TPayload,
  AppMeta
>;

/** Raw message as the channels adapter hands it over (adapter specific). */
export type RawChannelMessage = unknown;

/**
 * A @moleculer/channels consumer. In `defineService`, channel handlers receive a Moleculer context
 * (`context: true` is the default here), so `ctx.datasources`, `ctx.meta` and the permission helpers work
 * as in actions. With `context: false` the handler gets `(payload, raw)`: annotate it `(payload: unknown, raw)`.
 */
export type ChannelConfig<TDatasources extends DatasourceRegistry, TPayload = Record<string, unknown>> =
  | ((ctx: ChannelContext<TDatasources, TPayload>, raw: RawChannelMessage) => unknown)
  | ChannelOptions<{
      /** Pass a Moleculer context to the handler. Default `true` in `defineService`. */
      context?: boolean;
      handler(ctx: ChannelContext<TDatasources, TPayload>, raw: RawChannelMessage): unknown;
    }>;

type ChannelOptions<T> = T & {
  /** Consumer group (default: the service's full name). */
  group?: string;
  /** Messages processed at once per consumer (adapter default when unset). */
  maxInFlight?: number;
  /** Redeliveries before dead-lettering (adapter default: 3). */
  maxRetries?: number;
  /** Dead-letter queue (off by default). */
  deadLettering?: { enabled: boolean; queueName?: string; errorInfoTTL?: number; [option: string]: unknown };
  /** Adapter-specific options (`nats`, `redis`, ...) pass through unchanged. */
  [option: string]: unknown;
};

/** `methods` as written: plain functions (any parameter list is assignable to `never[]`). */
export type MethodsConfig = Record<string, (...args: never[]) => unknown>;

/** Declarative memoize per method name: `memoize: { findUser: { ttl: 30 } }`. */
export type MemoizeMethodsConfig<TMethods> = {
  [K in keyof TMethods]?: MethodMemoizeOptions<TMethods[K] extends (...args: infer A) => unknown ? A : never>;
};

/** `this` inside actions, events, channels, methods and lifecycle hooks of a `defineService` service. */
export type ServiceThis<
  TDatasources extends DatasourceRegistry,
  TSettings,
  TMethods,
> = Pick<Service<TSettings>, 'name' | 'fullName' | 'version' | 'metadata' | 'schema' | 'actions' | 'waitForServices'> & {
  readonly settings: TSettings;
  readonly broker: ServiceBroker;
  readonly logger: MoleculerLogger;
  /** This service instance's datasources, by registry name. */
  readonly datasources: DatasourceInstances<TDatasources>;
} & MemoizeApi &
  TMethods;

/** A `hooks.before|after|error` entry: a function, a method name, or a list of them. */
type Hook<TFn> = TFn | string | (TFn | string)[];
type HookContext<TDatasources extends DatasourceRegistry> = HandlerContext<TDatasources, undefined>;

/** Action hooks (Moleculer's), with the typed context. */
export interface ServiceHooksConfig<TDatasources extends DatasourceRegistry> {
  before?: Record<string, Hook<(ctx: HookContext<TDatasources>) => unknown>>;
  after?: Record<string, Hook<(ctx: HookContext<TDatasources>, result: unknown) => unknown>>;
  error?: Record<string, Hook<(ctx: HookContext<TDatasources>, error: Error) => unknown>>;
}

/**
 * What `defineService` takes: a Moleculer service schema plus the SDK-only `datasources` key.
 * `TActions`/`TEvents` map each handler name to its `params` schema; they are inferred, never written.
 */
export type ServiceConfig<
  TDatasources extends DatasourceRegistry = DatasourceRegistry,
  TActions = Record<string, unknown>,
  TEvents = Record<string, unknown>,
  TMethods = Record<string, never>,
  TSettings = ServiceSettingSchema,
  TChannels = Record<string, unknown>,
> = {
  /** Service name (required). */
  name: string;
  version?: string | number;
  settings?: TSettings;
  metadata?: Record<string, unknown>;
  dependencies?: string | ServiceDependencyRef | (string | ServiceDependencyRef)[];
  /** Plain Moleculer mixins; applied before the SDK's own mixin. */
  mixins?: Partial<ServiceSchema>[];
  /**
   * Datasource classes by name. Each service instance constructs its own instances and runs their
   * `init` (created), `connect` (started) and `disconnect` (stopped) hooks. Default: none.
   */
  datasources?: TDatasources;
  actions?: { [K in keyof TActions]: ActionConfig<TDatasources, TActions[K]> | ActionFunction<TDatasources> | false };
  events?: { [K in keyof TEvents]: EventConfig<TDatasources, TEvents[K]> | EventFunction<TDatasources> };
  /**
   * Channel consumers by channel name. Keyed by an SDK channel name with a literal namespace
   * (`[INTEGRATION_CHANNELS.MESSAGE_RECEIVED]`), the handler's `ctx.params` is that channel's payload type.
   */
  channels?: { [K in keyof TChannels]: ChannelConfig<TDatasources, ChannelPayload<K>> };
  /**
   * Service methods. Declare them before `actions`/`events`/`channels` when those call `this.<method>`:
   * TypeScript infers an object literal's parts in order.
   */
  methods?: TMethods;
  /**
   * Memoize methods by their arguments: `{ findUser: { ttl: 30, key: (id) => id } }`. Entries live under
   * `<method>:` (invalidate with `this.invalidateMemoized('findUser:*')`). Default: none.
   */
  memoize?: MemoizeMethodsConfig<NoInfer<TMethods>>;
  hooks?: ServiceHooksConfig<TDatasources>;
  created?: () => void;
  started?: () => void | Promise<void>;
  stopped?: () => void | Promise<void>;
} & ThisType<ServiceThis<TDatasources, TSettings, TMethods>>;
