/** The typed Moleculer context services receive. */
import type { Context } from 'moleculer';

/** The user a request acts for, as set by the gateway's authentication. */
export interface AppUser {
  id: string;
  roles?: string[];
  permissions?: string[];
}

/** Request metadata carried across calls. */
export interface AppMeta {
  tenantId?: string;
  user?: AppUser;
  channelId?: string;
  requestId?: string;
  /** Id of the API key that authenticated the request, when it came through `/api`. */
  apiKeyId?: string;
  [key: string]: unknown;
}

/** Permission helpers added to every context by `defineService`. */
export interface PermissionHelpers {
  /** True when `ctx.meta.user.roles` contains `role`. */
  hasRole(role: string): boolean;
  /** True when `ctx.meta.user.permissions` contains `permission` (or `*`). */
  hasPermission(permission: string): boolean;
  /** Throws a 403 `ForbiddenError` unless the user has the role. */
  ensureRole(role: string): void;
  /** Throws a 403 `ForbiddenError` unless the user has the permission. */
  ensurePermission(permission: string): void;
  /** Throws a 403 `ForbiddenError` unless `ctx.meta.tenantId` equals `tenantId`. */
  ensureTenant(tenantId: string): void;
}

/** Context with typed params, meta and datasources. */
export type AppContext<
  TDatasources = Record<string, unknown>,
  TParams = Record<string, unknown>,
  TMeta extends AppMeta = AppMeta,
> = Context<TParams, TMeta> & PermissionHelpers & { datasources: TDatasources };
