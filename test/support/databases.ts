// The dialects every storage suite runs on. SQLite always; PostgreSQL when it answers, and with
// CI=true it is required: an unreachable PostgreSQL fails the run instead of skipping silently.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStorage, type Storage, type StorageOptions } from '../../src/storage/database.js';

export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function postgresAnswers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export const pgAvailable: boolean = await postgresAnswers();
if (!pgAvailable && process.env.CI === 'true') {
  throw new Error(`PostgreSQL is required with CI=true but does not answer at ${PG_URL}`);
}
if (!pgAvailable) console.warn(`PostgreSQL not reachable at ${PG_URL}: its suites are skipped (they are required with CI=true)`);

export interface TestDialect {
  readonly name: 'sqlite' | 'postgres';
  readonly available: boolean;
  /** A fresh, empty, migrated database of this dialect; `drop` removes it. */
  open(options?: Partial<StorageOptions>): Promise<TestStorage>;
}

export interface TestStorage extends Storage {
  /** Options that reopen the same database (for restart tests). */
  readonly options: StorageOptions;
  /** Closes and deletes the database. */
  drop(): Promise<void>;
}

let counter = 0;
function uniqueName(): string {
  return `t_${process.pid}_${Date.now().toString(36)}_${(counter++).toString(36)}`;
}

export const DIALECTS: readonly TestDialect[] = [
  {
    name: 'sqlite',
    available: true,
    async open(extra) {
      const dir = mkdtempSync(join(tmpdir(), 'livegift-test-'));
      const options: StorageOptions = { sqlitePath: join(dir, 'livegift.db'), ...extra };
      const storage = await openStorage(options);
      const closeStorage = storage.close.bind(storage);
      let closed = false;
      return Object.assign(storage, {
        options,
        async close() {
          if (closed) return;
          closed = true;
          await closeStorage();
        },
        async drop() {
          if (!closed) {
            closed = true;
            await closeStorage();
          }
          rmSync(dir, { recursive: true, force: true });
        },
      });
    },
  },
  {
    name: 'postgres',
    available: pgAvailable,
    async open(extra) {
      const schema = uniqueName();
      const options: StorageOptions = { databaseUrl: PG_URL, pgSchema: schema, sqlitePath: '', ...extra };
      const storage = await openStorage(options);
      const closeStorage = storage.close.bind(storage);
      let closed = false;
      return Object.assign(storage, {
        options,
        async close() {
          if (closed) return;
          closed = true;
          await closeStorage();
        },
        async drop() {
          if (!closed) {
            closed = true;
            await closeStorage();
          }
          const admin = new pg.Client({ connectionString: PG_URL });
          await admin.connect();
          await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
          await admin.end();
        },
      });
    },
  },
];
