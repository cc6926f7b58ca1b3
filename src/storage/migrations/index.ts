// Runs the schema migrations in order, on either dialect, through Kysely's Migrator.
import { Migrator, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../schema.js';
import * as ledger from './0001-ledger.js';
import * as economy from './0002-economy.js';
import * as sandboxPayments from './0003-sandbox-payments.js';
import * as lives from './0004-lives.js';
import * as payouts from './0005-payouts.js';
import * as compactTransfers from './0006-compact-transfers.js';
import * as liveThanks from './0007-live-thanks.js';
import * as viewerHistory from './0008-viewer-history.js';
import * as moneyBack from './0009-money-back.js';
import * as moderation from './0010-moderation.js';
import * as suspensionsAppeals from './0011-suspensions-appeals.js';
import * as loginDevices from './0012-login-devices.js';
import * as video from './0013-video.js';

const MIGRATIONS: Record<string, { up(db: Kysely<unknown>, dialect: Dialect): Promise<void> }> = {
  '0001-ledger': ledger,
  '0002-economy': economy,
  '0003-sandbox-payments': sandboxPayments,
  '0004-lives': lives,
  '0005-payouts': payouts,
  '0006-compact-transfers': compactTransfers,
  '0007-live-thanks': liveThanks,
  '0008-viewer-history': viewerHistory,
  '0009-money-back': moneyBack,
  '0010-moderation': moderation,
  '0011-suspensions-appeals': suspensionsAppeals,
  '0012-login-devices': loginDevices,
  '0013-video': video,
};

/**
 * `schema` names the PostgreSQL schema the ledger lives in. The Migrator's bookkeeping tables must be
 * named with it: without it Kysely looks for them in every schema of the database, finds another
 * instance's, skips creating its own, and fails on the missing lock table.
 */
export async function migrateToLatest(db: Kysely<unknown>, dialect: Dialect, schema?: string, options: { upTo?: string } = {}): Promise<string[]> {
  const migrations: Record<string, Migration> = {};
  for (const [name, m] of Object.entries(MIGRATIONS)) migrations[name] = { up: (d) => m.up(d, dialect) };
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
    ...(schema !== undefined ? { migrationTableSchema: schema } : {}),
  });
  for (let attempt = 1; ; attempt++) {
    // `upTo` stops at an older migration: upgrade tests build a database as an earlier version had it.
    const { error, results } = options.upTo === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(options.upTo);
    if (error === undefined) return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    // Kysely finds its bookkeeping tables by listing the tables of every schema; a schema that
    // another database user drops during that listing fails it with invalid_schema_name (3F000) or
    // undefined_table (42P01).
    // Nothing was migrated then, and listing again is safe.
    if (!(isOtherSchemaRace(error, schema) && attempt < SCHEMA_RACE_RETRIES)) {
      throw error instanceof Error ? error : new Error('migration failed', { cause: error });
    }
  }
}

const SCHEMA_RACE_RETRIES = 5;

function isOtherSchemaRace(error: unknown, schema: string | undefined): boolean {
  const e = error as { code?: unknown; message?: unknown };
  // 3F000 invalid_schema_name, or 42P01 undefined_table when the schema went between listing its
  // tables and reading them (`relation "<other schema>.<table>" does not exist`): never ours.
  return (e.code === '3F000' || e.code === '42P01') && typeof e.message === 'string' && (schema === undefined || !e.message.includes(schema));
}
