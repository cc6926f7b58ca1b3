// UserStore, SessionStore, ApiTokenStore and AuditLog on Kysely (SQLite and PostgreSQL alike).
import { sql, type Kysely, type Selectable, type SqlBool, type Updateable } from 'kysely';
import type { ApiTokenRecord, ApiTokenStore, AuditEntry, AuditLog, NewUser, Role, SessionRecord, SessionStore, User, UserStore } from '../app/ports.js';
import { AlreadyExists } from '../domain/errors.js';
import { num, numOrNull, uniqueViolation } from './kysely-values.js';
import type { Database, UsersTable } from './schema.js';

function userFromRow(r: Selectable<UsersTable>): User {
  return {
    id: r.id,
    email: r.email,
    handle: r.handle,
    displayName: r.display_name,
    birthDate: r.birth_date,
    role: r.role,
    giftsEnabled: r.gifts_enabled === 1,
    liveSuspendedUntilMs: numOrNull(r.live_suspended_until_ms),
    liveSuspensionReason: r.live_suspension_reason,
    bannedAtMs: numOrNull(r.banned_at_ms),
    banReason: r.ban_reason,
    giftingFrozenAtMs: numOrNull(r.gifting_frozen_at_ms),
    giftingFrozenReason: r.gifting_frozen_reason,
    payoutsHeldAtMs: numOrNull(r.payouts_held_at_ms),
    payoutsHeldReason: r.payouts_held_reason,
    createdAtMs: num(r.created_at_ms),
  };
}

export class KyselyUserStore implements UserStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(user: NewUser): Promise<void> {
    try {
      await this.db
        .insertInto('users')
        .values({
          id: user.id,
          email: user.email.toLowerCase(),
          handle: user.handle.toLowerCase(),
          display_name: user.displayName,
          password_hash: user.passwordHash,
          birth_date: user.birthDate,
          role: user.role,
          gifts_enabled: 0,
          created_at_ms: user.createdAtMs,
        })
        .execute();
    } catch (error) {
      const which = uniqueViolation(error);
      if (which === null) throw error;
      const field = which.includes('email') ? 'email' : 'handle';
      throw new AlreadyExists(`That ${field} is already taken.`, { field });
    }
  }

  async findById(id: string): Promise<User | null> {
    const r = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? userFromRow(r) : null;
  }

  async findByHandle(handle: string): Promise<User | null> {
    const r = await this.db.selectFrom('users').selectAll().where('handle', '=', handle.toLowerCase()).executeTakeFirst();
    return r ? userFromRow(r) : null;
  }

  async findForLogin(login: string): Promise<(User & { passwordHash: string }) | null> {
    const key = login.trim().toLowerCase();
    const r = await this.db
      .selectFrom('users')
      .selectAll()
      .where((eb) => eb.or([eb('email', '=', key), eb('handle', '=', key.replace(/^@/, ''))]))
      .executeTakeFirst();
    return r ? { ...userFromRow(r), passwordHash: r.password_hash } : null;
  }

  async update(id: string, patch: Parameters<UserStore['update']>[1]): Promise<void> {
    const values: Updateable<UsersTable> = {};
    if (patch.giftsEnabled !== undefined) values.gifts_enabled = patch.giftsEnabled ? 1 : 0;
    if (patch.role !== undefined) values.role = patch.role;
    if (patch.liveSuspendedUntilMs !== undefined) values.live_suspended_until_ms = patch.liveSuspendedUntilMs;
    if (patch.liveSuspensionReason !== undefined) values.live_suspension_reason = patch.liveSuspensionReason;
    if (patch.bannedAtMs !== undefined) values.banned_at_ms = patch.bannedAtMs;
    if (patch.banReason !== undefined) values.ban_reason = patch.banReason;
    if (patch.displayName !== undefined) values.display_name = patch.displayName;
    if (patch.giftingFrozenAtMs !== undefined) values.gifting_frozen_at_ms = patch.giftingFrozenAtMs;
    if (patch.giftingFrozenReason !== undefined) values.gifting_frozen_reason = patch.giftingFrozenReason;
    if (patch.payoutsHeldAtMs !== undefined) values.payouts_held_at_ms = patch.payoutsHeldAtMs;
    if (patch.payoutsHeldReason !== undefined) values.payouts_held_reason = patch.payoutsHeldReason;
    if (Object.keys(values).length === 0) return;
    await this.db.updateTable('users').set(values).where('id', '=', id).execute();
  }

  async list(options: { limit: number; afterId?: string }): Promise<User[]> {
    let q = this.db.selectFrom('users').selectAll().orderBy('id').limit(options.limit);
    if (options.afterId !== undefined) q = q.where('id', '>', options.afterId);
    return (await q.execute()).map(userFromRow);
  }

  async search(options: { limit: number; query?: string; role?: Role; beforeId?: string }): Promise<User[]> {
    let q = this.db.selectFrom('users').selectAll().orderBy('id', 'desc').limit(options.limit);
    if (options.beforeId !== undefined) q = q.where('id', '<', options.beforeId);
    if (options.role !== undefined) q = q.where('role', '=', options.role);
    if (options.query !== undefined && options.query !== '') {
      // A substring, not a pattern: % and _ typed by the admin match themselves. Handles and emails
      // are stored lower-cased; lower() on the name makes PostgreSQL's LIKE as case-blind as SQLite's.
      const pattern = `%${options.query.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
      q = q.where((eb) =>
        eb.or([
          sql<SqlBool>`handle LIKE ${pattern} ESCAPE '\\'`,
          sql<SqlBool>`email LIKE ${pattern} ESCAPE '\\'`,
          sql<SqlBool>`lower(display_name) LIKE ${pattern} ESCAPE '\\'`,
        ]),
      );
    }
    return (await q.execute()).map(userFromRow);
  }

  async findByIds(ids: readonly string[]): Promise<User[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('users').selectAll().where('id', 'in', [...new Set(ids)]).execute();
    return rows.map(userFromRow);
  }
}

export class KyselySessionStore implements SessionStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(tokenHash: string, userId: string, createdAtMs: number, expiresAtMs: number): Promise<void> {
    await this.db.insertInto('sessions').values({ token_hash: tokenHash, user_id: userId, created_at_ms: createdAtMs, expires_at_ms: expiresAtMs }).execute();
  }

  async find(tokenHash: string): Promise<SessionRecord | null> {
    const r = await this.db.selectFrom('sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    return r ? { userId: r.user_id, expiresAtMs: num(r.expires_at_ms), revokedAtMs: numOrNull(r.revoked_at_ms) } : null;
  }

  async revoke(tokenHash: string, atMs: number): Promise<void> {
    await this.db.updateTable('sessions').set({ revoked_at_ms: atMs }).where('token_hash', '=', tokenHash).where('revoked_at_ms', 'is', null).execute();
  }

  async revokeAllOf(userId: string, atMs: number): Promise<void> {
    await this.db.updateTable('sessions').set({ revoked_at_ms: atMs }).where('user_id', '=', userId).where('revoked_at_ms', 'is', null).execute();
  }
}

function tokenFromRow(r: { id: string; user_id: string; name: string; scopes: string; created_at_ms: unknown; last_used_at_ms: unknown; revoked_at_ms: unknown }): ApiTokenRecord {
  return {
    id: r.id,
    userId: r.user_id,
    name: r.name,
    scopes: r.scopes.split(' ').filter((s) => s !== ''),
    createdAtMs: num(r.created_at_ms),
    lastUsedAtMs: numOrNull(r.last_used_at_ms),
    revokedAtMs: numOrNull(r.revoked_at_ms),
  };
}

export class KyselyApiTokenStore implements ApiTokenStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(record: ApiTokenRecord & { tokenHash: string }): Promise<void> {
    await this.db
      .insertInto('api_tokens')
      .values({ id: record.id, user_id: record.userId, name: record.name, token_hash: record.tokenHash, scopes: record.scopes.join(' '), created_at_ms: record.createdAtMs })
      .execute();
  }

  async findByHash(tokenHash: string): Promise<ApiTokenRecord | null> {
    const r = await this.db.selectFrom('api_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    return r ? tokenFromRow(r) : null;
  }

  async listOf(userId: string): Promise<ApiTokenRecord[]> {
    const rows = await this.db.selectFrom('api_tokens').selectAll().where('user_id', '=', userId).orderBy('created_at_ms', 'desc').execute();
    return rows.map(tokenFromRow);
  }

  async revoke(id: string, userId: string, atMs: number): Promise<boolean> {
    const r = await this.db
      .updateTable('api_tokens')
      .set({ revoked_at_ms: atMs })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .where('revoked_at_ms', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async touch(id: string, atMs: number): Promise<void> {
    await this.db.updateTable('api_tokens').set({ last_used_at_ms: atMs }).where('id', '=', id).execute();
  }
}

export class KyselyAuditLog implements AuditLog {
  constructor(private readonly db: Kysely<Database>) {}

  async list(options: { limit: number; beforeSeq?: number; subject?: string }): Promise<AuditEntry[]> {
    let q = this.db.selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(options.limit);
    if (options.beforeSeq !== undefined) q = q.where('seq', '<', options.beforeSeq);
    if (options.subject !== undefined) q = q.where('subject', '=', options.subject);
    const rows = await q.execute();
    return rows.map((r) => ({ seq: num(r.seq), atMs: num(r.at_ms), actorId: r.actor_id, action: r.action, subject: r.subject, details: JSON.parse(r.details) as Record<string, unknown> }));
  }

  async append(entry: Parameters<AuditLog['append']>[0]): Promise<void> {
    await this.db
      .insertInto('audit_log')
      .values({ at_ms: entry.atMs, actor_id: entry.actorId, action: entry.action, subject: entry.subject, details: JSON.stringify(entry.details, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) })
      .execute();
  }
}
