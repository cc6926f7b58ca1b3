// An admin makes a user a moderator or an admin, or takes the role back. The change is in the audit
// log with who made it and what the role was before. Admins cannot change their own role, so the
// last admin can never demote themself by mistake and lock everyone out of the admin pages.
import { Forbidden, NotFound } from '../domain/errors.js';
import type { Principal } from './authenticate.js';
import type { AuditLog, Clock, Role, User, UserStore } from './ports.js';
import { requireAdmin } from './require-admin.js';

export interface SetUserRoleInput {
  /** Who changes it: an admin (with the admin scope when it is a token), never the user themself. */
  readonly actor: Principal;
  /** Whose role changes. */
  readonly userId: string;
  /** The new role. Setting the role the user already has changes nothing and logs nothing. */
  readonly role: Role;
}

export async function setUserRole(input: SetUserRoleInput, deps: { users: UserStore; audit: AuditLog; clock: Clock }): Promise<User> {
  requireAdmin(input.actor);
  if (input.userId === input.actor.userId) {
    throw new Forbidden('You cannot change your own role. Ask another admin.', { reason: 'own_role' });
  }
  const user = await deps.users.findById(input.userId);
  if (!user) throw new NotFound('No such user.');
  if (user.role === input.role) return user;
  await deps.users.update(user.id, { role: input.role });
  await deps.audit.append({
    atMs: deps.clock.nowMs(),
    actorId: input.actor.userId,
    action: 'user.role_changed',
    subject: `user:${user.id}`,
    details: { from: user.role, to: input.role },
  });
  return { ...user, role: input.role };
}
