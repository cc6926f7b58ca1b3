// A worker thread that checkpoints the SQLite write-ahead log from its own connection, so the
// ledger writer's commits never pay for copying WAL pages back into the database file (SQLite's
// automatic checkpoint would run inside the writer's commit, on the thread that answers clients).
// PASSIVE checkpoints never block the writer. Plain JavaScript: a worker starts without tsx.
import { clearInterval, setInterval } from 'node:timers';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { path, everyMs } = /** @type {{ path: string; everyMs: number }} */ (workerData);
const db = new Database(path);
db.pragma('busy_timeout = 5000');

const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or closing: the next tick tries again, and the writer's backstop still bounds the WAL.
  }
}, everyMs);

parentPort?.on('message', (message) => {
  if (message !== 'close') return;
  clearInterval(timer);
  db.close();
  parentPort?.postMessage('closed');
  parentPort?.close();
});
