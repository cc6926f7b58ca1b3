// The ledger: accounts with cached balances, append-only hash-chained transfers, and the chain head.
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../schema.js';
import { refuseChanges } from './append-only.js';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const money = 'bigint' as const;
  await db.schema
    .createTable('accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('asset', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text')
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('non_negative', 'integer', (c) => c.notNull())
    .addColumn('debits_posted', money, (c) => c.notNull().defaultTo(0))
    .addColumn('credits_posted', money, (c) => c.notNull().defaultTo(0))
    .addColumn('debits_pending', money, (c) => c.notNull().defaultTo(0))
    .addColumn('credits_pending', money, (c) => c.notNull().defaultTo(0))
    .addColumn('created_at_ms', money, (c) => c.notNull())
    // The database itself refuses an overdraft, whatever code writes the row.
    .addCheckConstraint('accounts_non_negative', sql`non_negative = 0 OR credits_posted - debits_posted - debits_pending >= 0`)
    .addCheckConstraint('accounts_counters_non_negative', sql`debits_posted >= 0 AND credits_posted >= 0 AND debits_pending >= 0 AND credits_pending >= 0`)
    .execute();
  await db.schema.createIndex('accounts_owner').on('accounts').columns(['owner_id']).execute();

  await db.schema
    .createTable('transfers')
    .addColumn('seq', dialect === 'sqlite' ? 'integer' : 'bigint', (c) => c.primaryKey())
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('pending_id', 'text')
    .addColumn('debit_account_id', 'text', (c) => c.notNull())
    .addColumn('credit_account_id', 'text', (c) => c.notNull())
    .addColumn('asset', 'text', (c) => c.notNull())
    .addColumn('amount', money, (c) => c.notNull())
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('ref', 'text')
    .addColumn('created_at_ms', money, (c) => c.notNull())
    .addColumn('debit_available_after', money, (c) => c.notNull())
    .addColumn('credit_available_after', money, (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addCheckConstraint('transfers_amount_positive', sql`amount > 0`)
    .addCheckConstraint('transfers_kind', sql`kind IN ('single', 'pending', 'post', 'void')`)
    .execute();
  // A pending transfer is resolved at most once: the second post/void of it cannot be inserted.
  await db.schema
    .createIndex('transfers_one_resolution')
    .on('transfers')
    .column('pending_id')
    .unique()
    .where(sql.ref('pending_id'), 'is not', null)
    .execute();
  // Everything that belongs to one thing (a LIVE's gifts, a purchase, a payout).
  await db.schema.createIndex('transfers_ref').on('transfers').columns(['ref', 'seq']).where(sql.ref('ref'), 'is not', null).execute();
  // Account statements (wallet history), newest first.
  await db.schema.createIndex('transfers_debit_account').on('transfers').columns(['debit_account_id', 'seq']).execute();
  await db.schema.createIndex('transfers_credit_account').on('transfers').columns(['credit_account_id', 'seq']).execute();

  await db.schema
    .createTable('ledger_head')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('seq', money, (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addCheckConstraint('ledger_head_single_row', sql`id = 1`)
    .execute();
  await sql`INSERT INTO ledger_head (id, seq, hash) VALUES (1, 0, ${'0'.repeat(64)})`.execute(db);

  // Spend caps: the amount counted so far under each key (e.g. a viewer's spend today), updated in
  // the same transaction as the transfers that count against it.
  await db.schema
    .createTable('ledger_caps')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('used', money, (c) => c.notNull())
    .addCheckConstraint('ledger_caps_used_non_negative', sql`used >= 0`)
    .execute();

  // Append-only: the database refuses to change or remove a committed transfer.
  await refuseChanges(db, dialect, 'transfers', 'transfers are append-only');

  await db.schema
    .createTable('meta')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at_ms', money, (c) => c.notNull().defaultTo(0))
    .execute();
}
