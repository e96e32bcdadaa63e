/** `@switchboard/sdk/service`: `defineService` and its mixins — datasources, memoize, permissions — with their types. */
export { defineService, SDK_ONLY_KEYS } from '../service/define-service';
export { Datasource } from '../mixins/datasources';
export { DEFAULT_MEMOIZE_TTL_SECONDS, DEFAULT_MEMOIZE_CACHE_TIMEOUT_MS, MEMOIZE_KEY_PREFIX } from '../mixins/memoize';
export { WILDCARD_PERMISSION, hasRole, hasPermission, permissionHelpers } from '../mixins/permissions';
export type {
  DatasourceHost, DatasourceHooks, DatasourceClass, DatasourceRegistry, DatasourceInstances,
} from '../mixins/datasources';
export type { MemoizeOptions, MethodMemoizeOptions, ActionMemoizeOptions, MemoizeApi } from '../mixins/memoize';
export type {
  ServiceConfig, ServiceThis, HandlerContext, ActionConfig, ActionFunction, EventConfig, EventFunction,
  ChannelConfig, ChannelContext, RawChannelMessage, MethodsConfig, MemoizeMethodsConfig, ServiceHooksConfig,
} from '../service/types';
export type { InferParams, InferRule } from '../service/params';
