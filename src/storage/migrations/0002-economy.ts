// The gifting economy around the ledger: users and their sessions and API tokens, the gift catalog,
// LIVEs with presence and summaries, coin purchases and provider webhooks, payout accounts and
// payouts, and the append-only audit log.
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../schema.js';
import { refuseChanges } from './append-only.js';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const big = 'bigint' as const;

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique()) // stored lower-cased
    .addColumn('handle', 'text', (c) => c.notNull().unique()) // stored lower-cased
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('birth_date', 'text', (c) => c.notNull()) // YYYY-MM-DD
    .addColumn('role', 'text', (c) => c.notNull().defaultTo('user'))
    .addColumn('gifts_enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('live_suspended_until_ms', big) // null: not suspended; PERMANENT_MS: permanently
    .addColumn('live_suspension_reason', 'text')
    .addColumn('banned_at_ms', big) // account-level ban for fraud: blocks spending too
    .addColumn('ban_reason', 'text')
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addCheckConstraint('users_role', sql`role IN ('user', 'moderator', 'admin')`)
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addColumn('expires_at_ms', big, (c) => c.notNull())
    .addColumn('revoked_at_ms', big)
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('scopes', 'text', (c) => c.notNull()) // space-separated
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addColumn('last_used_at_ms', big)
    .addColumn('revoked_at_ms', big)
    .execute();
  await db.schema.createIndex('api_tokens_user').on('api_tokens').column('user_id').execute();

  await db.schema
    .createTable('gifts')
    .addColumn('id', 'text', (c) => c.primaryKey()) // a slug: rose, galaxy …
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('coins', big, (c) => c.notNull())
    .addColumn('art', 'text', (c) => c.notNull()) // file name under assets/gifts/, served at /assets/gifts/
    .addColumn('scene', 'text') // full-screen scene file, for full-screen gifts
    .addColumn('animation', 'text', (c) => c.notNull())
    .addColumn('comboable', 'integer', (c) => c.notNull())
    .addColumn('available_from_ms', big)
    .addColumn('available_until_ms', big)
    .addColumn('retired_at_ms', big)
    .addColumn('sort_order', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addColumn('updated_at_ms', big, (c) => c.notNull())
    .addCheckConstraint('gifts_coins_positive', sql`coins > 0`)
    .addCheckConstraint('gifts_animation', sql`animation IN ('sticker', 'fullscreen')`)
    .execute();

  await db.schema
    .createTable('lives')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('creator_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('started_at_ms', big, (c) => c.notNull())
    .addColumn('ended_at_ms', big)
    .addColumn('ended_by', 'text') // creator | moderator | auto
    .addColumn('end_reason', 'text')
    .addColumn('creator_seen_at_ms', big, (c) => c.notNull())
    .addColumn('peak_viewers', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('summary', 'text') // JSON, written once when the LIVE ends
    .addCheckConstraint('lives_status', sql`status IN ('live', 'ended')`)
    .execute();
  // One LIVE on air per creator, enforced by the database.
  await db.schema
    .createIndex('lives_one_on_air')
    .on('lives')
    .column('creator_id')
    .unique()
    .where(sql.ref('status'), '=', 'live')
    .execute();
  await db.schema.createIndex('lives_creator_started').on('lives').columns(['creator_id', 'started_at_ms']).execute();
  await db.schema.createIndex('lives_status').on('lives').column('status').execute();

  await db.schema
    .createTable('live_viewers')
    .addColumn('live_id', 'text', (c) => c.notNull().references('lives.id'))
    .addColumn('viewer_key', 'text', (c) => c.notNull()) // user id, or anon:<id>
    .addColumn('joined_at_ms', big, (c) => c.notNull())
    .addColumn('last_seen_at_ms', big, (c) => c.notNull())
    .addColumn('connections', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('live_viewers_pk', ['live_id', 'viewer_key'])
    .execute();

  await db.schema
    .createTable('purchases')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('client_id', 'text', (c) => c.notNull().unique()) // the client's idempotency key
    .addColumn('package_id', 'text')
    .addColumn('coins', big, (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('amount_minor', big, (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('provider_ref', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addColumn('updated_at_ms', big, (c) => c.notNull())
    .addColumn('paid_at_ms', big)
    .addCheckConstraint('purchases_status', sql`status IN ('created', 'pending', 'paid', 'declined', 'refunded', 'disputed', 'dispute_lost', 'dispute_won')`)
    .execute();
  await db.schema.createIndex('purchases_user').on('purchases').columns(['user_id', 'created_at_ms']).execute();

  await db.schema
    .createTable('webhook_events')
    .addColumn('id', 'text', (c) => c.primaryKey()) // provider:event id — each event is handled once
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('received_at_ms', big, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('payout_accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('provider_ref', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addColumn('removed_at_ms', big)
    .execute();
  await db.schema.createIndex('payout_accounts_user').on('payout_accounts').column('user_id').execute();

  await db.schema
    .createTable('payouts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('client_id', 'text', (c) => c.notNull().unique())
    .addColumn('payout_account_id', 'text', (c) => c.notNull().references('payout_accounts.id'))
    .addColumn('diamonds', big, (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('amount_minor', big, (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('provider_ref', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at_ms', big, (c) => c.notNull())
    .addColumn('failure_reason', 'text')
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addColumn('updated_at_ms', big, (c) => c.notNull())
    .addCheckConstraint('payouts_status', sql`status IN ('requested', 'processing', 'paid', 'failed')`)
    .execute();
  await db.schema.createIndex('payouts_user').on('payouts').columns(['user_id', 'created_at_ms']).execute();
  await db.schema.createIndex('payouts_due').on('payouts').columns(['status', 'next_attempt_at_ms']).execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('seq', dialect === 'sqlite' ? 'integer' : 'bigserial', (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('at_ms', big, (c) => c.notNull())
    .addColumn('actor_id', 'text') // null: the system (a job, a webhook)
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_log_subject').on('audit_log').columns(['subject', 'seq']).execute();
  await refuseChanges(db, dialect, 'audit_log', 'the audit log is append-only');
}
