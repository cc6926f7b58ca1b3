// LIVEs: an index for the auto-end job, which looks for ended LIVEs still without a summary (the
// process stopped between ending one and writing its summary). Partial, so it holds only those few
// rows instead of every LIVE ever ended.
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../schema.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createIndex('lives_unsummarized')
    .on('lives')
    .column('id')
    .where((eb) => eb.and([eb(sql.ref('status'), '=', 'ended'), eb(sql.ref('summary'), 'is', null)]))
    .execute();
}
