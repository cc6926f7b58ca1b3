// Upgrading a ledger written in the old transfer format (text account ids, hex hashes, per-account
// indexes) to compact transfers keeps every transfer, hash and balance, and links each account's
// statement exactly as the planner links new transfers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, sql, SqliteDialect } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PG_URL, pgAvailable } from '../../../test/support/databases.js';
import { allSystemAccounts, SystemAccounts, userAccounts } from '../../domain/accounts.js';
import { GENESIS_HASH, planBatch, zeroBalances, type AccountState, type CommittedTransfer, type TransferRequest } from '../../domain/ledger.js';
import { openStorage, type StorageOptions } from '../database.js';
import { migrateToLatest } from './index.js';

const { coinIssuance, coinGiftSink, diamondIssuance, diamondPayoutClearing } = SystemAccounts;
const viewer = userAccounts('old-viewer');
const other = userAccounts('old-other');
const creator = userAccounts('old-creator');

/** A small history as the old version committed it: purchases, gifts, a payout posted and one voided. */
function history(): { accounts: AccountState[]; transfers: CommittedTransfer[]; head: { seq: bigint; hash: string } } {
  const accounts = new Map<string, AccountState>();
  for (const spec of [...allSystemAccounts([]), ...Object.values(viewer), ...Object.values(other), ...Object.values(creator)]) {
    accounts.set(spec.id, { ...spec, ...zeroBalances(), lastSeq: null });
  }
  const gift = (id: string, from: typeof viewer): TransferRequest[] => [
    { id, code: 'GIFT', kind: 'single', debitAccountId: from.coins.id, creditAccountId: coinGiftSink.id, amount: 10n, metadata: { giftId: 'rose' }, ref: 'live:old' },
    { id: `${id}:d`, code: 'GIFT', kind: 'single', debitAccountId: diamondIssuance.id, creditAccountId: creator.diamondsOnHold.id, amount: 5n, ref: 'live:old' },
  ];
  const batches: TransferRequest[][][] = [
    [
      [{ id: 'buy-1', code: 'PURCHASE', kind: 'single', debitAccountId: coinIssuance.id, creditAccountId: viewer.coins.id, amount: 100n }],
      [{ id: 'buy-2', code: 'PURCHASE', kind: 'single', debitAccountId: coinIssuance.id, creditAccountId: other.coins.id, amount: 50n }],
    ],
    [gift('g-1', viewer), gift('g-2', other), gift('g-3', viewer)],
    [
      [{ id: 'p-1', code: 'PAYOUT', kind: 'pending', debitAccountId: creator.diamondsOnHold.id, creditAccountId: diamondPayoutClearing.id, amount: 5n }],
      [{ id: 'p-2', code: 'PAYOUT', kind: 'pending', debitAccountId: creator.diamondsOnHold.id, creditAccountId: diamondPayoutClearing.id, amount: 5n }],
    ],
    [
      [{ id: 'p-1:post', code: 'PAYOUT', kind: 'post', pendingId: 'p-1' }],
      [{ id: 'p-2:void', code: 'PAYOUT', kind: 'void', pendingId: 'p-2' }],
      gift('g-4', viewer),
    ],
  ];
  const transfers: CommittedTransfer[] = [];
  let head = { seq: 0n, hash: GENESIS_HASH };
  for (const groups of batches) {
    const known = new Map(transfers.map((t) => [t.id, t]));
    const plan = planBatch({ head, accounts, transfers: known, resolutions: new Map() }, groups, 1_700_000_000_000n);
    for (const outcome of plan.outcomes) expect(outcome.status).toBe('applied');
    for (const a of plan.changedAccounts) accounts.set(a.id, a);
    transfers.push(...plan.newTransfers);
    head = plan.head;
  }
  return { accounts: [...accounts.values()], transfers, head };
}

/** Writes the history with the old (0005) tables, as the previous version stored it. */
async function writeOldFormat(db: Kysely<unknown>, h: ReturnType<typeof history>): Promise<void> {
  for (const a of h.accounts) {
    await sql`INSERT INTO accounts (id, asset, owner_id, purpose, non_negative, debits_posted, credits_posted, debits_pending, credits_pending, created_at_ms)
      VALUES (${a.id}, ${a.asset}, ${a.ownerId}, ${a.purpose}, ${a.nonNegative ? 1 : 0}, ${a.debitsPosted.toString()}, ${a.creditsPosted.toString()},
        ${a.debitsPending.toString()}, ${a.creditsPending.toString()}, 0)`.execute(db);
  }
  for (const t of h.transfers) {
    await sql`INSERT INTO transfers (seq, id, code, kind, pending_id, debit_account_id, credit_account_id, asset, amount, metadata, ref,
        created_at_ms, debit_available_after, credit_available_after, fingerprint, prev_hash, hash)
      VALUES (${t.seq.toString()}, ${t.id}, ${t.code}, ${t.kind}, ${t.pendingId}, ${t.debitAccountId}, ${t.creditAccountId}, ${t.asset},
        ${t.amount.toString()}, ${t.metadata}, ${t.ref}, ${t.createdAtMs.toString()}, ${t.debitAvailableAfter.toString()},
        ${t.creditAvailableAfter.toString()}, ${t.fingerprint}, ${t.prevHash}, ${t.hash})`.execute(db);
  }
  await sql`UPDATE ledger_head SET seq = ${h.head.seq.toString()}, hash = ${h.head.hash} WHERE id = 1`.execute(db);
}

interface OldDatabase {
  readonly options: StorageOptions;
  /** A connection to the database, migrated only up to 0005. */
  readonly db: Kysely<unknown>;
  drop(): Promise<void>;
}

async function oldSqlite(): Promise<OldDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'livegift-upgrade-'));
  const path = join(dir, 'livegift.db');
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(path) }) });
  await migrateToLatest(db, 'sqlite', undefined, { upTo: '0005-payouts' });
  return {
    options: { sqlitePath: path },
    db,
    drop() {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

async function oldPostgres(): Promise<OldDatabase> {
  const schema = `upgrade_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const pool = new pg.Pool({ connectionString: PG_URL, max: 2, options: `-c search_path=${schema}` });
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  await migrateToLatest(db, 'postgres', schema, { upTo: '0005-payouts' });
  return {
    options: { databaseUrl: PG_URL, pgSchema: schema, sqlitePath: '' },
    db,
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    },
  };
}

const CASES = [
  { name: 'sqlite', available: true, create: oldSqlite },
  { name: 'postgres', available: pgAvailable, create: oldPostgres },
];

for (const c of CASES) {
  describe.skipIf(!c.available)(`0006 compact transfers on ${c.name}`, () => {
    it('keeps every transfer, hash and balance and links each statement as the planner does', async () => {
      const h = history();
      const old = await c.create();
      try {
        await writeOldFormat(old.db, h);
        await old.db.destroy();

        const storage = await openStorage(old.options);
        try {
          const report = await storage.ledger.reconcile();
          expect(report.problems).toEqual([]);
          expect(report.transfers).toBe(h.transfers.length);
          // Every transfer reads back exactly as the planner made it, links included.
          for (const t of h.transfers) expect(await storage.ledger.getTransfer(t.id)).toEqual(t);
          for (const a of h.accounts) expect(await storage.ledger.getAccount(a.id)).toEqual(a);

          const statement = await storage.ledger.listTransfers(viewer.coins.id, { limit: 10 });
          expect(statement.map((t) => t.id)).toEqual(['g-4', 'g-3', 'g-1', 'buy-1']);
          const holds = await storage.ledger.listTransfers(creator.diamondsOnHold.id, { limit: 2, beforeSeq: (await storage.ledger.getTransfer('p-1'))?.seq ?? 0n });
          expect(holds.map((t) => t.id)).toEqual(['g-3:d', 'g-2:d']);

          // The upgraded ledger goes on: new transfers link to the migrated ones.
          const next = await storage.ledger.submit([
            { id: 'g-5', code: 'GIFT', kind: 'single', debitAccountId: viewer.coins.id, creditAccountId: coinGiftSink.id, amount: 10n },
          ]);
          expect(next.status).toBe('applied');
          expect((await storage.ledger.listTransfers(viewer.coins.id, { limit: 2 })).map((t) => t.id)).toEqual(['g-5', 'g-4']);
          expect((await storage.ledger.reconcile()).problems).toEqual([]);
        } finally {
          await storage.close();
        }
      } finally {
        await old.drop();
      }
    });
  });
}
