/** Permission helpers: roles, permissions (with `*`), tenant checks, 403 on denial. */
import { ForbiddenError, type AppMeta } from '../../src/index';
import { hasPermission, hasRole, permissionHelpers } from '../../src/entries/service';

function helpers(meta: AppMeta) {
  return permissionHelpers({ meta });
}

describe('permission helpers', () => {
  const editor: AppMeta = { tenantId: 't1', user: { id: 'u1', roles: ['editor'], permissions: ['messages:send'] } };

  it('reads roles and permissions from meta.user', () => {
    expect(hasRole(editor, 'editor')).toBe(true);
    expect(hasRole(editor, 'admin')).toBe(false);
    expect(hasPermission(editor, 'messages:send')).toBe(true);
    expect(hasPermission(editor, 'messages:delete')).toBe(false);
  });

  it('treats a missing user, missing lists and non-string entries as no grants', () => {
    expect(hasRole({}, 'admin')).toBe(false);
    expect(hasRole(undefined, 'admin')).toBe(false);
    expect(hasPermission({ user: { id: 'x' } }, 'a')).toBe(false);
    expect(hasPermission({ user: { id: 'x', permissions: 'a' as never } }, 'a')).toBe(false);
    expect(hasRole({ user: { id: 'x', roles: [1, 'r'] as never } }, 'r')).toBe(true);
  });

  it('grants every permission to `*`, but not roles', () => {
    const root: AppMeta = { user: { id: 'root', permissions: ['*'] } };
    expect(hasPermission(root, 'anything:at-all')).toBe(true);
    expect(hasRole(root, 'admin')).toBe(false);
  });

  it('ensure* pass silently when allowed', () => {
    const h = helpers(editor);
    expect(() => h.ensureRole('editor')).not.toThrow();
    expect(() => h.ensurePermission('messages:send')).not.toThrow();
    expect(() => h.ensureTenant('t1')).not.toThrow();
  });

  it('ensure* throw a 403 ForbiddenError naming what was missing', () => {
    const h = helpers(editor);
    const denied = (fn: () => void): ForbiddenError => {
      try { fn(); } catch (err) { return err as ForbiddenError; }
      throw new Error('expected a throw');
    };
    const role = denied(() => h.ensureRole('admin'));
    expect(role).toBeInstanceOf(ForbiddenError);
    expect(role.code).toBe(403);
    expect(role.type).toBe('FORBIDDEN');
    expect(role.message).toBe("Role 'admin' is required");
    expect(role.data).toEqual({ role: 'admin', userId: 'u1' });
    expect(denied(() => h.ensurePermission('messages:delete')).data).toEqual({ permission: 'messages:delete', userId: 'u1' });
    expect(denied(() => h.ensureTenant('t2')).data).toEqual({ tenantId: 't2', actualTenantId: 't1' });
  });

  it('ensureTenant refuses when the context has no tenant, and an empty tenant id', () => {
    expect(() => helpers({}).ensureTenant('t1')).toThrow(ForbiddenError);
    expect(() => helpers({ tenantId: '' }).ensureTenant('')).toThrow(ForbiddenError);
  });

  it('reads meta at call time', () => {
    const ctx = { meta: {} as AppMeta };
    const h = permissionHelpers(ctx);
    expect(h.hasRole('admin')).toBe(false);
    ctx.meta = { user: { id: 'a', roles: ['admin'] } };
    expect(h.hasRole('admin')).toBe(true);
  });
});
