// LIVE video (docs/VIDEO.md).
// - `stream_keys`: each creator's stream key (what OBS sends as the stream name; unique, so the
//   ingest finds the creator by it) and whether a stream of theirs is arriving now, and how — so a
//   LIVE started on any node knows its picture is already there.
// - `lives.video_*`: a LIVE's picture as every node and page reads it: waiting for the stream, live,
//   reconnecting (until `video_reconnect_ends_at_ms`, when the LIVE ends by itself), since when, and
//   from where (rtmp or the studio's browser).
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../schema.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('stream_keys')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id'))
    .addColumn('stream_key', 'text', (c) => c.notNull().unique())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('publishing_via', 'text')
    .addColumn('publishing_since_ms', 'bigint')
    .addCheckConstraint('stream_keys_via', sql`publishing_via IS NULL OR publishing_via IN ('rtmp', 'browser')`)
    .execute();

  await db.schema.alterTable('lives').addColumn('video_state', 'text', (c) => c.notNull().defaultTo('waiting')).execute();
  await db.schema.alterTable('lives').addColumn('video_since_ms', 'bigint').execute();
  await db.schema.alterTable('lives').addColumn('video_via', 'text').execute();
  await db.schema.alterTable('lives').addColumn('video_reconnect_ends_at_ms', 'bigint').execute();
  // The auto-end job's look-up: LIVEs whose stream did not come back in time.
  await db.schema.createIndex('lives_video_reconnect').on('lives').columns(['video_state', 'video_reconnect_ends_at_ms']).execute();
}
