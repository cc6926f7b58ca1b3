// Suspensions as a history, and appeals (the last rungs of the ladder, src/domain/ladder.ts).
//
// - `suspensions`: every suspension of going LIVE, by a moderator or by the gift-baiting ladder. The
//   account's `live_suspended_until_ms` stays what every check reads; these rows are what the ladder
//   counts (strikes after the last one began; repeats for the next length) and what an appeal names.
//   `key` is unique: the ladder's suspension is keyed by the first strike it settles, so two nodes
//   deciding at once write one. `ended_at_ms` is set when it is lifted early; `overturned` when that
//   was an appeal granted.
// - `appeals`: one per suspension (unique), open until a moderator grants or denies it.
// - `reports.resolved_reason`: the guideline a moderator found, when it differs from the reporter's.
// A suspension in force before this migration becomes a row too (no strikes to link), so it can be appealed.
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../schema.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('suspensions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    // 'moderator' (a moderator's decision, a report's resolution) or 'ladder' (repeated gift-baiting).
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('guideline', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('started_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('until_ms', 'bigint', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.references('users.id'))
    .addColumn('report_id', 'text')
    .addColumn('ended_at_ms', 'bigint')
    .addColumn('overturned', 'integer', (c) => c.notNull().defaultTo(0))
    .addCheckConstraint('suspensions_source', sql`source IN ('moderator', 'ladder')`)
    .addCheckConstraint('suspensions_span', sql`until_ms > started_at_ms`)
    .execute();
  await db.schema.createIndex('suspensions_user_started').on('suspensions').columns(['user_id', 'started_at_ms', 'id']).execute();

  await db.schema
    .createTable('appeals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('suspension_id', 'text', (c) => c.notNull().unique().references('suspensions.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('decided_by', 'text', (c) => c.references('users.id'))
    .addColumn('decided_at_ms', 'bigint')
    .addColumn('decision_note', 'text')
    .addCheckConstraint('appeals_status', sql`status IN ('open', 'granted', 'denied')`)
    .addCheckConstraint('appeals_text', sql`length(text) BETWEEN 1 AND 1000`)
    // A decided appeal says by whom and when; an open one says neither.
    .addCheckConstraint('appeals_decision', sql`(status = 'open') = (decided_by IS NULL AND decided_at_ms IS NULL)`)
    .execute();
  await db.schema.createIndex('appeals_queue').on('appeals').columns(['status', 'created_at_ms', 'id']).execute();

  await db.schema.alterTable('reports').addColumn('resolved_reason', 'text').execute();

  // Suspensions already in force: one row each, so they show in the history and can be appealed.
  await sql`
    INSERT INTO suspensions (id, key, user_id, source, guideline, reason, started_at_ms, until_ms)
    SELECT 'backfill-' || id, 'backfill:' || id, id, 'moderator', 'other', COALESCE(live_suspension_reason, 'Community Guidelines violation'),
           0, live_suspended_until_ms
    FROM users WHERE live_suspended_until_ms IS NOT NULL AND live_suspended_until_ms > 0`.execute(db);
}
