// better-sqlite3 under Kysely, with its prepared statements kept: Kysely's SQLite driver calls
// `db.prepare(sql)` on every execution, and preparing (parsing and planning the SQL) was 16.5 % of
// the room node's core in the whale war of `npm run bench:fanout` (docs/BENCHMARKS.md, "What limits
// us"). Queries are built from a fixed set of shapes with their values as parameters, so the same
// SQL text comes back again and again; a statement is prepared once per text and reused. Bounded:
// past STATEMENTS_MAX distinct texts (an `IN (?, ?, …)` list of varying length makes new ones) the
// least recently used statement is forgotten. Kysely runs one query at a time on this connection,
// so a cached statement is never busy when it is reused, and a streamed query's iterator is fully
// read or returned before the next query starts.
import type { Database, Statement } from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

const STATEMENTS_MAX = 500;

export function withStatementCache(db: Database): SqliteDatabase {
  const statements = new Map<string, Statement>();
  return {
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (statement) {
        // Map order is insertion order: moving it to the end keeps the least recently used first.
        statements.delete(sql);
      } else {
        statement = db.prepare(sql);
        if (statements.size >= STATEMENTS_MAX) {
          const oldest = statements.keys().next();
          if (oldest.done !== true) statements.delete(oldest.value);
        }
      }
      statements.set(sql, statement);
      return statement;
    },
    close() {
      statements.clear();
      db.close();
    },
  };
}
