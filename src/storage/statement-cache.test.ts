// The statement cache under Kysely on a real SQLite database: a query shape is prepared once and
// reused with new values, streamed and plain queries interleave, the cache stays bounded, and
// closing closes the database.
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { withStatementCache } from './statement-cache.js';

interface Schema {
  t: { id: number; name: string };
}

describe('withStatementCache', () => {
  it('prepares each SQL text once and reuses it with new values', async () => {
    const raw = new Database(':memory:');
    let prepared = 0;
    const prepare = raw.prepare.bind(raw);
    raw.prepare = ((source: string) => {
      prepared += 1;
      return prepare(source);
    }) as never;
    const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: withStatementCache(raw) }) });
    await sql`create table t (id integer primary key, name text not null)`.execute(db);
    const afterCreate = prepared;
    for (let i = 1; i <= 50; i++) await db.insertInto('t').values({ id: i, name: `n${String(i)}` }).execute();
    for (let i = 1; i <= 50; i++) {
      const row = await db.selectFrom('t').select('name').where('id', '=', i).executeTakeFirst();
      expect(row?.name).toBe(`n${String(i)}`);
    }
    // A streamed query read to its end, then plain ones again on the same statements.
    const streamed: string[] = [];
    for await (const row of db.selectFrom('t').select('name').where('id', '<=', 3).orderBy('id').stream()) streamed.push(row.name);
    expect(streamed).toEqual(['n1', 'n2', 'n3']);
    expect((await db.selectFrom('t').select('name').where('id', '<=', 3).orderBy('id').execute()).map((r) => r.name)).toEqual(['n1', 'n2', 'n3']);
    // One insert shape, one select shape, one range shape.
    expect(prepared - afterCreate).toBe(3);
    await db.destroy();
    expect(raw.open).toBe(false);
  });

  it('stays bounded when every query is a new text', () => {
    const raw = new Database(':memory:');
    const cache = withStatementCache(raw);
    const first = cache.prepare('select 0');
    for (let i = 1; i <= 600; i++) cache.prepare(`select ${String(i)}`);
    // The first text was evicted long ago: asking again prepares a new statement.
    expect(cache.prepare('select 0')).not.toBe(first);
    // A recent one is still the same statement.
    expect(cache.prepare('select 600')).toBe(cache.prepare('select 600'));
    cache.close();
  });
});
