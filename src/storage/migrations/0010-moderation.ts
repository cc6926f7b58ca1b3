// Moderation: strikes (gift-baiting the detector found in a creator's title, chat or thank-you, and
// moderators' warnings) and reports (a LIVE, a chat message or a user, reported by a signed-in user
// and resolved by a moderator).
//
// - `strikes.key` is unique: the same message struck from two nodes, or retried, is one strike.
// - One open report per reporter per target: a partial unique index on (reporter, target) over open
//   reports, so a repeat finds the open one, and a resolved report does not stop a new one.
// - The queue reads open (or resolved) reports newest first; the per-user lookups read a user's
//   strikes newest first and count the open reports about a user.
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../schema.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('strikes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('live_id', 'text', (c) => c.references('lives.id'))
    // 'title' | 'chat' | 'thanks' (the detector) or 'moderator' (a warning resolving a report).
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('excerpt', 'text')
    .addColumn('report_id', 'text')
    .addColumn('actor_id', 'text', (c) => c.references('users.id'))
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addCheckConstraint('strikes_source', sql`source IN ('title', 'chat', 'thanks', 'moderator')`)
    .addCheckConstraint('strikes_text', sql`length(text) BETWEEN 1 AND 2000`)
    .execute();
  await db.schema.createIndex('strikes_user_created').on('strikes').columns(['user_id', 'created_at_ms', 'id']).execute();

  await db.schema
    .createTable('reports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('reporter_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('target_kind', 'text', (c) => c.notNull())
    .addColumn('target_key', 'text', (c) => c.notNull())
    .addColumn('subject_user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('live_id', 'text', (c) => c.references('lives.id'))
    .addColumn('message_text', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('resolution', 'text')
    .addColumn('resolution_note', 'text')
    .addColumn('resolved_by', 'text', (c) => c.references('users.id'))
    .addColumn('resolved_at_ms', 'bigint')
    .addColumn('resolved_via', 'text')
    .addCheckConstraint('reports_target_kind', sql`target_kind IN ('live', 'message', 'user')`)
    .addCheckConstraint('reports_status', sql`status IN ('open', 'resolved')`)
    // A resolved report says how, by whom and when; an open one says none of it.
    .addCheckConstraint('reports_resolution', sql`(status = 'open') = (resolution IS NULL AND resolved_by IS NULL AND resolved_at_ms IS NULL)`)
    .addCheckConstraint('reports_note', sql`note IS NULL OR length(note) BETWEEN 1 AND 500`)
    .execute();
  await db.schema
    .createIndex('reports_one_open_per_target')
    .on('reports')
    .columns(['reporter_id', 'target_key'])
    .unique()
    .where((eb) => eb(sql.ref('status'), '=', 'open'))
    .execute();
  // The queue: by status, newest first.
  await db.schema.createIndex('reports_queue').on('reports').columns(['status', 'created_at_ms', 'id']).execute();
  // Open reports about a user (the queue's context); resolving closes the open ones on one target.
  await db.schema.createIndex('reports_subject').on('reports').columns(['subject_user_id', 'status', 'created_at_ms']).execute();
  await db.schema.createIndex('reports_target').on('reports').columns(['target_key', 'status']).execute();
}
