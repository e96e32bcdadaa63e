/** Permission helpers on the context (`ctx.hasRole`, `ctx.ensurePermission`, ...), read from `ctx.meta`. */
import { ForbiddenError } from '../errors';
import type { AppMeta, PermissionHelpers } from '../types/context';

/** The permission that grants every permission. */
export const WILDCARD_PERMISSION = '*';

interface MetaCarrier {
  meta: AppMeta;
}

function listOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** True when `meta.user.roles` contains `role`. */
export function hasRole(meta: AppMeta | undefined, role: string): boolean {
  return listOf(meta?.user?.roles).includes(role);
}

/** True when `meta.user.permissions` contains `permission` or the wildcard `*`. */
export function hasPermission(meta: AppMeta | undefined, permission: string): boolean {
  const granted = listOf(meta?.user?.permissions);
  return granted.includes(WILDCARD_PERMISSION) || granted.includes(permission);
}

/** The helpers bound to one context; they read `ctx.meta` at call time, so later meta changes count. */
export function permissionHelpers(ctx: MetaCarrier): PermissionHelpers {
  return {
    hasRole: (role) => hasRole(ctx.meta, role),
    hasPermission: (permission) => hasPermission(ctx.meta, permission),
    ensureRole(role) {
      if (!hasRole(ctx.meta, role)) {
        throw new ForbiddenError(`Role '${role}' is required`, { role, userId: ctx.meta?.user?.id });
      }
    },
    ensurePermission(permission) {
      if (!hasPermission(ctx.meta, permission)) {
        throw new ForbiddenError(`Permission '${permission}' is required`, { permission, userId: ctx.meta?.user?.id });
      }
    },
    ensureTenant(tenantId) {
      const actual = ctx.meta?.tenantId;
      if (typeof tenantId !== 'string' || tenantId === '' || actual !== tenantId) {
        throw new ForbiddenError(`Access to tenant '${tenantId}' is not allowed`, { tenantId, actualTenantId: actual });
      }
    },
  };
}

/** Adds the helpers to `ctx` (idempotent). */
export function attachPermissionHelpers<C extends MetaCarrier>(ctx: C): C & PermissionHelpers {
  const target = ctx as C & Partial<PermissionHelpers>;
  if (typeof target.ensurePermission !== 'function') Object.assign(target, permissionHelpers(ctx));
  return target as C & PermissionHelpers;
}
