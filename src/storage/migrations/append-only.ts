// Makes a table append-only in the database itself: UPDATE, DELETE (and on PostgreSQL TRUNCATE) of
// its rows are refused with `message`, whatever code runs them.
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../schema.js';

export async function refuseChanges(db: Kysely<unknown>, dialect: Dialect, table: 'transfers' | 'audit_log', message: string): Promise<void> {
  const t = sql.raw(table);
  const m = sql.lit(message);
  if (dialect === 'sqlite') {
    await sql`CREATE TRIGGER ${sql.raw(`${table}_no_update`)} BEFORE UPDATE ON ${t} BEGIN SELECT RAISE(ABORT, ${m}); END`.execute(db);
    await sql`CREATE TRIGGER ${sql.raw(`${table}_no_delete`)} BEFORE DELETE ON ${t} BEGIN SELECT RAISE(ABORT, ${m}); END`.execute(db);
    return;
  }
  const fn = sql.raw(`${table}_append_only`);
  await sql`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS ${sql.lit(`BEGIN RAISE EXCEPTION '${message.replaceAll("'", "''")}' USING ERRCODE = 'restrict_violation'; END`)}`.execute(db);
  await sql`CREATE TRIGGER ${sql.raw(`${table}_no_update`)} BEFORE UPDATE OR DELETE ON ${t} FOR EACH ROW EXECUTE FUNCTION ${fn}()`.execute(db);
  await sql`CREATE TRIGGER ${sql.raw(`${table}_no_truncate`)} BEFORE TRUNCATE ON ${t} FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`.execute(db);
}
