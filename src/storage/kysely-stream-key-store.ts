// StreamKeyStore on Kysely (SQLite and PostgreSQL alike): 0013-video's stream_keys.
import type { Kysely, Selectable } from 'kysely';
import type { StreamKeyRecord, StreamKeyStore } from '../app/ports.js';
import type { StreamVia } from '../domain/video.js';
import { num } from './kysely-values.js';
import type { Database, StreamKeysTable } from './schema.js';

function keyFromRow(r: Selectable<StreamKeysTable>): StreamKeyRecord {
  const via = r.publishing_via;
  if (via !== null && via !== 'rtmp' && via !== 'browser') throw new Error(`stream key of ${r.user_id} has an unknown publishing_via ${via}`);
  return {
    userId: r.user_id,
    key: r.stream_key,
    createdAtMs: num(r.created_at_ms),
    publishing: via === null || r.publishing_since_ms === null ? null : { via: via satisfies StreamVia, sinceMs: num(r.publishing_since_ms) },
  };
}

export class KyselyStreamKeyStore implements StreamKeyStore {
  constructor(private readonly db: Kysely<Database>) {}

  async find(userId: string): Promise<StreamKeyRecord | null> {
    const r = await this.db.selectFrom('stream_keys').selectAll().where('user_id', '=', userId).executeTakeFirst();
    return r ? keyFromRow(r) : null;
  }

  async findByKey(key: string): Promise<StreamKeyRecord | null> {
    const r = await this.db.selectFrom('stream_keys').selectAll().where('stream_key', '=', key).executeTakeFirst();
    return r ? keyFromRow(r) : null;
  }

  async ensure(userId: string, key: string, atMs: number): Promise<StreamKeyRecord> {
    // Two first reads racing: the first insert stands, the other reads it.
    await this.db.insertInto('stream_keys').values({ user_id: userId, stream_key: key, created_at_ms: atMs }).onConflict((oc) => oc.column('user_id').doNothing()).execute();
    const stored = await this.find(userId);
    if (!stored) throw new Error(`stream key of ${userId} vanished`);
    return stored;
  }

  async replace(userId: string, key: string, atMs: number): Promise<StreamKeyRecord> {
    await this.db.updateTable('stream_keys').set({ stream_key: key, created_at_ms: atMs }).where('user_id', '=', userId).execute();
    const stored = await this.find(userId);
    if (!stored) throw new Error(`stream key of ${userId} vanished`);
    return stored;
  }

  async setPublishing(userId: string, publishing: StreamKeyRecord['publishing']): Promise<void> {
    await this.db
      .updateTable('stream_keys')
      .set({ publishing_via: publishing?.via ?? null, publishing_since_ms: publishing?.sinceMs ?? null })
      .where('user_id', '=', userId)
      .execute();
  }
}
