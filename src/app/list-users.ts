// Admins find users: newest sign-ups first, narrowed by a piece of their handle, name or email, or
// by role, a page at a time. Read-only; their standing (age, gifts, suspension, ban) comes along.
import type { Principal } from './authenticate.js';
import type { Role, User, UserStore } from './ports.js';
import { requireAdmin } from './require-admin.js';

export interface ListUsersInput {
  /** Who asks: must be an admin (with the admin scope when it is a token). */
  readonly actor: Principal;
  /** At most this many users (1-100). */
  readonly limit: number;
  /** Only users whose handle, display name or email contains this, in any case. */
  readonly query?: string | undefined;
  /** Only users with this role. */
  readonly role?: Role | undefined;
  /** The previous page's `nextCursor`: continue after its last user. */
  readonly cursor?: string | undefined;
}

export interface UserPage {
  readonly users: readonly User[];
  /** Give it back as `cursor` for the next page; null when this page is the last. */
  readonly nextCursor: string | null;
}

export async function listUsers(input: ListUsersInput, deps: { users: UserStore }): Promise<UserPage> {
  requireAdmin(input.actor);
  const limit = Math.min(Math.max(Math.trunc(input.limit), 1), 100);
  // One row more than asked tells whether another page follows, without a count.
  const rows = await deps.users.search({
    limit: limit + 1,
    ...(input.query !== undefined ? { query: input.query } : {}),
    ...(input.role !== undefined ? { role: input.role } : {}),
    ...(input.cursor !== undefined ? { beforeId: input.cursor } : {}),
  });
  const users = rows.slice(0, limit);
  const last = users.at(-1);
  return { users, nextCursor: rows.length > limit && last !== undefined ? last.id : null };
}
