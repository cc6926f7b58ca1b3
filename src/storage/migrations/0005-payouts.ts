// Diamonds and payouts: what payout accounts show (holder, last 4 of a bank number, email), the
// payout worker's bookkeeping (last transient error, when it was resolved), and the built-in sandbox
// payout provider's own tables (its accounts, its payouts — one per payout id, so a resend never pays
// twice — and the rules tests and demos use to make it decline, time out or fail for a while).
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../schema.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  const big = 'bigint' as const;
  // One column per statement: SQLite's ALTER TABLE adds one at a time.
  await db.schema.alterTable('payout_accounts').addColumn('holder_name', 'text').execute();
  await db.schema.alterTable('payout_accounts').addColumn('last4', 'text').execute();
  await db.schema.alterTable('payout_accounts').addColumn('email', 'text').execute();
  await db.schema.alterTable('payouts').addColumn('last_error', 'text').execute();
  await db.schema.alterTable('payouts').addColumn('resolved_at_ms', big).execute();

  await db.schema
    .createTable('sandbox_payout_accounts')
    .addColumn('ref', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('holder_name', 'text')
    .addColumn('last4', 'text')
    .addColumn('email', 'text')
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addCheckConstraint('sandbox_payout_accounts_kind', sql`kind IN ('bank', 'paypal')`)
    .execute();

  await db.schema
    .createTable('sandbox_payouts')
    // The idempotency key: one payout per payout id, whatever number of times it is sent.
    .addColumn('payout_id', 'text', (c) => c.primaryKey())
    .addColumn('ref', 'text', (c) => c.notNull().unique())
    .addColumn('account_ref', 'text', (c) => c.notNull().references('sandbox_payout_accounts.ref'))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('amount_minor', big, (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('failure_reason', 'text')
    // A payout accepted as processing settles (to settle_status) at this time.
    .addColumn('settle_at_ms', big)
    .addColumn('settle_status', 'text')
    // Sends received for this payout id: 1 + the idempotent resends.
    .addColumn('requests', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addColumn('updated_at_ms', big, (c) => c.notNull())
    .addCheckConstraint('sandbox_payouts_status', sql`status IN ('processing', 'paid', 'failed')`)
    .addCheckConstraint('sandbox_payouts_amount', sql`amount_minor > 0`)
    .execute();

  await db.schema
    .createTable('sandbox_payout_rules')
    // `account:<ref>` or `payout:<id>`: what the rule applies to.
    .addColumn('target', 'text', (c) => c.primaryKey())
    .addColumn('mode', 'text', (c) => c.notNull())
    // How many more sends the rule applies to; null: every send.
    .addColumn('remaining', 'integer')
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addCheckConstraint('sandbox_payout_rules_mode', sql`mode IN ('decline', 'timeout', 'transient', 'processing', 'bounce')`)
    .execute();
}
