// The SQLite ledger's writer thread. The main thread plans each batch (domain rules, hashes) and
// sends the rows; this thread writes them in one IMMEDIATE transaction and commits with WAL +
// synchronous=FULL before it answers. Planning batch n+1 on the main thread overlaps writing batch
// n here, which puts the second core to work.
// A batch names the chain head it was planned on. If the stored head differs (another connection
// or process wrote meanwhile, or an earlier batch of this pipeline failed), nothing is written and
// the answer is `stale`: the main thread drops what it remembers and plans the batch again.
// Plain JavaScript: a worker starts without tsx. Messages (all values already in column order):
//   { type: 'batch', no, expected: [seq, hash], rows: unknown[][], accounts: unknown[][], caps: [key, used][], head: [seq, hash] }
//   → { no, status: 'committed' | 'stale' } or { no, status: 'failed', error: { message, code } }
//   'close' → the connection is closed, then 'closed'.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { path, insertSql, updateAccountSql, walBackstopPages } = /** @type {{ path: string; insertSql: string; updateAccountSql: string; walBackstopPages: number }} */ (workerData);
const BUSY_RETRIES = 5;

const db = new Database(path);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 5000');
db.pragma(`wal_autocheckpoint = ${walBackstopPages}`);
db.defaultSafeIntegers(true);

const head = db.prepare('SELECT seq, hash FROM ledger_head WHERE id = 1');
const insertTransfer = db.prepare(insertSql);
const updateAccount = db.prepare(updateAccountSql);
const upsertCap = db.prepare('INSERT INTO ledger_caps (key, used) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET used = excluded.used');
const updateHead = db.prepare('UPDATE ledger_head SET seq = ?, hash = ? WHERE id = 1');

class Refused extends Error {
  code = 'ledger_invariant';
}

const write = db.transaction((/** @type {any} */ batch) => {
  const stored = /** @type {{ seq: bigint; hash: string }} */ (head.get());
  if (stored.seq !== batch.expected[0] || stored.hash !== batch.expected[1]) return 'stale';
  for (const row of batch.rows) insertTransfer.run(row);
  for (const values of batch.accounts) {
    // The planner already refused overdrafts; SQL checking it again must agree.
    if (updateAccount.run(values).changes !== 1) throw new Refused(`conditional update of account #${values[5]} refused: planner and database disagree`);
  }
  for (const [key, used] of batch.caps) upsertCap.run(key, used);
  updateHead.run(batch.head[0], batch.head[1]);
  return 'committed';
});

/** @param {any} batch */
function commit(batch) {
  for (let attempt = 0; ; attempt++) {
    try {
      return { no: batch.no, status: write.immediate(batch) };
    } catch (error) {
      const e = /** @type {{ code?: string; message?: string }} */ (error);
      if (e.code === 'SQLITE_BUSY' && attempt < BUSY_RETRIES) continue;
      return { no: batch.no, status: 'failed', error: { message: e.message ?? String(error), code: e.code ?? 'unknown' } };
    }
  }
}

parentPort?.on('message', (message) => {
  if (message === 'close') {
    db.close();
    parentPort?.postMessage('closed');
    parentPort?.close();
    return;
  }
  parentPort?.postMessage(commit(message));
});
