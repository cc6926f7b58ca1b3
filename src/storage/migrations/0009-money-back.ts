// Money coming back and holds for review: a viewer whose payment was charged back (dispute lost) has
// gifting frozen until an admin reviews them; an admin can hold a creator's diamonds (no redemption,
// no payout sent) while they review; a payout account can wait for its provider's onboarding (Stripe
// Connect) before it is ready to receive payouts.
import type { Kysely } from 'kysely';
import type { Dialect } from '../schema.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  const big = 'bigint' as const;
  // One column per statement: SQLite's ALTER TABLE adds one at a time.
  await db.schema.alterTable('users').addColumn('gifting_frozen_at_ms', big).execute();
  await db.schema.alterTable('users').addColumn('gifting_frozen_reason', 'text').execute();
  await db.schema.alterTable('users').addColumn('payouts_held_at_ms', big).execute();
  await db.schema.alterTable('users').addColumn('payouts_held_reason', 'text').execute();
  // 'ready' or 'onboarding' (the creator has not finished the provider's onboarding yet).
  await db.schema.alterTable('payout_accounts').addColumn('status', 'text', (c) => c.notNull().defaultTo('ready')).execute();
  // The sandbox remembers how much a dispute took (refunds after a won dispute change what is left).
  await db.schema.alterTable('sandbox_checkouts').addColumn('disputed_minor', big, (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.createIndex('payout_accounts_provider_ref').on('payout_accounts').columns(['provider', 'provider_ref']).execute();
}
