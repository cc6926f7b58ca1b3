// Opens the database named by the config (a SQLite file, or PostgreSQL for several nodes), runs the
// migrations, and builds the ledger store on it. The composition root and the tests call this; no
// other module opens a connection.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { withStatementCache } from './statement-cache.js';
import pg from 'pg';
import type { LedgerStore } from '../app/ports.js';
import { defaultGroupCommitOptions, type GroupCommitOptions } from './group-commit.js';
import { migrateToLatest } from './migrations/index.js';
import { PgLedgerStore } from './pg-ledger-store.js';
import type { Database as Schema, Dialect } from './schema.js';
import { SqliteLedgerStore } from './sqlite-ledger-store.js';

export interface StorageOptions {
  /** `postgres://…` for PostgreSQL; absent for SQLite. */
  readonly databaseUrl?: string | undefined;
  /** The SQLite file (used when databaseUrl is absent). */
  readonly sqlitePath: string;
  /** PostgreSQL schema to use (created if missing); tests give each suite its own. */
  readonly pgSchema?: string | undefined;
  readonly nowMs?: () => number;
  readonly groupCommit?: GroupCommitOptions;
  /** Connections in the PostgreSQL pool. */
  readonly pgPoolMax?: number;
}

export interface Storage {
  readonly dialect: Dialect;
  readonly db: Kysely<Schema>;
  readonly ledger: LedgerStore & { readonly stats: { batches: number; committed: number; overlapped: number } };
  /** Flushes the ledger writer, then closes every connection. Calling it again waits for the same close. */
  close(): Promise<void>;
}

export async function openStorage(options: StorageOptions): Promise<Storage> {
  const nowMs = options.nowMs ?? Date.now;
  const groupCommit = options.groupCommit ?? defaultGroupCommitOptions;
  if (options.databaseUrl !== undefined && options.databaseUrl !== '') {
    const schema = options.pgSchema;
    if (schema !== undefined) {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new RangeError(`bad PostgreSQL schema name: ${schema}`);
      const admin = new pg.Client({ connectionString: options.databaseUrl });
      await admin.connect();
      try {
        await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      } finally {
        await admin.end();
      }
    }
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.pgPoolMax ?? 10,
      // Durable commits whatever the server default, and the schema of this instance.
      options: `-c synchronous_commit=on${schema !== undefined ? ` -c search_path=${schema}` : ''}`,
    });
    const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
    try {
      await migrateToLatest(db as unknown as Kysely<unknown>, 'postgres', schema);
    } catch (error) {
      await db.destroy();
      throw error;
    }
    const ledger = new PgLedgerStore(pool, nowMs, groupCommit);
    let closing: Promise<void> | null = null;
    return {
      dialect: 'postgres',
      db,
      ledger,
      close() {
        closing ??= (async () => {
          await ledger.close();
          await db.destroy(); // ends the pool
        })();
        return closing;
      },
    };
  }

  mkdirSync(dirname(options.sqlitePath), { recursive: true });
  const connection = new Database(options.sqlitePath);
  connection.pragma('journal_mode = WAL');
  connection.pragma('synchronous = FULL');
  connection.pragma('busy_timeout = 5000');
  connection.pragma('foreign_keys = ON');
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: withStatementCache(connection) }) });
  try {
    await migrateToLatest(db as unknown as Kysely<unknown>, 'sqlite');
  } catch (error) {
    await db.destroy();
    throw error;
  }
  const ledger = new SqliteLedgerStore(options.sqlitePath, nowMs, groupCommit);
  let closing: Promise<void> | null = null;
  return {
    dialect: 'sqlite',
    db,
    ledger,
    close() {
      closing ??= (async () => {
        await ledger.close();
        await db.destroy();
      })();
      return closing;
    },
  };
}
