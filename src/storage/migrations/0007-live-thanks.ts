// Thank-yous to gifters, sent in the room during the LIVE or by the summary's Thank all after it:
// one row per gifter per LIVE, so a second thank-you to the same gifter is refused by the primary
// key and the first one stays.
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../schema.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('live_thanks')
    .addColumn('live_id', 'text', (c) => c.notNull().references('lives.id'))
    .addColumn('gifter_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('text', 'text', (c) => c.notNull())
    // The suggested phrase (src/domain/thanks.ts) it was, or null for the creator's own words.
    .addColumn('phrase', 'text')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('live_thanks_pk', ['live_id', 'gifter_id'])
    // The use case trims and bounds the text (ROOM_TEXT_MAX); the table refuses anything else again.
    .addCheckConstraint('live_thanks_text', sql`length(text) BETWEEN 1 AND 200`)
    .execute();
  // The creator's list reads a LIVE's thank-yous oldest first.
  await db.schema.createIndex('live_thanks_live_created').on('live_thanks').columns(['live_id', 'created_at_ms', 'gifter_id']).execute();
}
