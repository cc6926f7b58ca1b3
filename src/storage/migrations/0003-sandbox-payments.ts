// The built-in sandbox payment provider's own state: one row per hosted checkout, so a checkout
// survives a restart and any node can serve its page, its actions and its lookups.
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../schema.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  const big = 'bigint' as const;
  await db.schema
    .createTable('sandbox_checkouts')
    .addColumn('ref', 'text', (c) => c.primaryKey())
    // One checkout per purchase: creating it again for the same purchase answers the first one.
    .addColumn('purchase_id', 'text', (c) => c.notNull().unique())
    .addColumn('coins', big, (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('amount_minor', big, (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('return_url', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('refunded_minor', big, (c) => c.notNull().defaultTo(0))
    .addColumn('dispute_status', 'text')
    // When a 3-D-Secure-style pending checkout is due to succeed (null unless pending).
    .addColumn('pending_until_ms', big)
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addColumn('updated_at_ms', big, (c) => c.notNull())
    .addCheckConstraint('sandbox_checkouts_status', sql`status IN ('open', 'pending', 'paid', 'declined', 'expired')`)
    .addCheckConstraint('sandbox_checkouts_dispute', sql`dispute_status IS NULL OR dispute_status IN ('opened', 'lost', 'won')`)
    .addCheckConstraint('sandbox_checkouts_amounts', sql`coins > 0 AND amount_minor > 0 AND refunded_minor >= 0 AND refunded_minor <= amount_minor`)
    .execute();
  // The sweep that completes due pending checkouts after a restart reads only these.
  await db.schema.createIndex('sandbox_checkouts_pending').on('sandbox_checkouts').columns(['status', 'pending_until_ms']).execute();
}
