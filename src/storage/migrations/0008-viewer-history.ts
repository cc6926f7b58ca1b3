// A signed-in user's viewing history: "Creators you watched" on the home page
// (`LiveStore.listWatchedCreators`) reads a user's presence rows across every LIVE, newest first.
// live_viewers' primary key starts with the LIVE, so without this index that read scans the table.
import type { Kysely } from 'kysely';
import type { Dialect } from '../schema.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.createIndex('live_viewers_viewer_seen').on('live_viewers').columns(['viewer_key', 'last_seen_at_ms']).execute();
}
