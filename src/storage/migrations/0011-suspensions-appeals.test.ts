// Upgrading to 0011: a suspension in force on an account becomes a row of the history (so it shows
// in the creator's standing and can be appealed); a user not suspended, or whose suspension was
// cleared, gets none.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, sql, SqliteDialect } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PG_URL, pgAvailable } from '../../../test/support/databases.js';
import { PERMANENT_MS } from '../../domain/users.js';
import { migrateToLatest } from './index.js';

interface Old {
  readonly db: Kysely<unknown>;
  readonly dialect: 'sqlite' | 'postgres';
  readonly schema?: string;
  drop(): Promise<void>;
}

function oldSqlite(): Promise<Old> {
  const dir = mkdtempSync(join(tmpdir(), 'livegift-0011-'));
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(join(dir, 'livegift.db')) }) });
  return Promise.resolve({
    db,
    dialect: 'sqlite',
    async drop() {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  });
}

async function oldPostgres(): Promise<Old> {
  const schema = `upgrade0011_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: PG_URL, max: 2, options: `-c search_path=${schema}` }) }) });
  return {
    db,
    dialect: 'postgres',
    schema,
    async drop() {
      await db.destroy();
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    },
  };
}

for (const c of [
  { name: 'sqlite', available: true, create: oldSqlite },
  { name: 'postgres', available: pgAvailable, create: oldPostgres },
]) {
  describe.skipIf(!c.available)(`0011 suspensions and appeals on ${c.name}`, () => {
    it('turns each suspension in force into a row of the history, and nothing else', async () => {
      const old = await c.create();
      try {
        await migrateToLatest(old.db, old.dialect, old.schema, { upTo: '0010-moderation' });
        const add = (id: string, untilMs: number | null, reason: string | null) =>
          sql`INSERT INTO users (id, email, handle, display_name, password_hash, birth_date, live_suspended_until_ms, live_suspension_reason, created_at_ms)
            VALUES (${id}, ${`${id}@example.com`}, ${id}, ${id}, 'x', '1990-01-01', ${untilMs}, ${reason}, 0)`.execute(old.db);
        await add('timed', 1_900_000_000_000, 'Spam: links in chat');
        await add('forever', PERMANENT_MS, null);
        await add('clear', null, null);
        await migrateToLatest(old.db, old.dialect, old.schema);

        const rows = await sql<{ user_id: string; source: string; reason: string; until_ms: string | number; started_at_ms: string | number; ended_at_ms: unknown; overturned: number }>`
          SELECT user_id, source, reason, until_ms, started_at_ms, ended_at_ms, overturned FROM suspensions ORDER BY user_id`.execute(old.db);
        expect(rows.rows.map((r) => [r.user_id, r.source, r.reason, Number(r.until_ms), Number(r.started_at_ms), r.ended_at_ms, r.overturned])).toEqual([
          ['forever', 'moderator', 'Community Guidelines violation', PERMANENT_MS, 0, null, 0],
          ['timed', 'moderator', 'Spam: links in chat', 1_900_000_000_000, 0, null, 0],
        ]);
      } finally {
        await old.drop();
      }
    });
  });
}
