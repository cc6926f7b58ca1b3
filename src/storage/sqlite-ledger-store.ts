// LedgerStore on SQLite (better-sqlite3): group commit, pipelined over two threads. The main thread
// plans each batch (the domain's rules and hashes) against what it remembers of the ledger: the
// chain head and every account as the batches before it left them. A writer thread
// (sqlite-writer.js) writes the planned rows in one IMMEDIATE transaction and commits with WAL +
// synchronous=FULL; only then is any caller answered. While the writer commits batch n, the main
// thread plans batch n+1 on top of it. Each batch names the head it was planned on, and the writer
// refuses it (`stale`) if the stored head differs: another process wrote, or an earlier batch
// failed. The main thread then forgets everything, waits for the pipeline to drain, and plans
// again from the database.
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { LedgerStore } from '../app/ports.js';
import {
  balanceDelta,
  batchAccountIds,
  batchKeys,
  planBatch,
  type AccountSpec,
  type AccountState,
  type ChainHead,
  type CommittedTransfer,
  type GroupOutcome,
  type TransferRequest,
} from '../domain/ledger.js';
import { Reconciler, type ReconcileReport } from '../domain/reconcile.js';
import { defaultGroupCommitOptions, GroupCommitWriter, type GroupCommitOptions } from './group-commit.js';
import { LedgerInvariantError } from './ledger-errors.js';
import {
  accountFromRow,
  big,
  sameSpec,
  statementSql,
  TRANSFER_COLUMNS,
  TRANSFER_INSERT_COLUMNS,
  TRANSFER_PLACEHOLDERS,
  transferFromRow,
  transferValues,
  type Row,
} from './ledger-rows.js';

/** Batches in flight: one being written while the next is planned. */
const PIPELINE_DEPTH = 2;
/** How often the checkpointer thread copies the WAL back into the database file. */
const CHECKPOINT_EVERY_MS = 50;
/** WAL pages (4 KB) at which the writer checkpoints itself: only if the worker falls behind. */
const WAL_BACKSTOP_PAGES = 20_000;
/** Most account rows kept between batches; past it the cache starts over. */
const ACCOUNT_CACHE_MAX = 200_000;

export class SqliteLedgerStore implements LedgerStore {
  private readonly db: Database.Database;
  private readonly writer: GroupCommitWriter<readonly TransferRequest[], GroupOutcome>;
  private readonly stmt;
  /**
   * Every account as the batches planned so far leave it (read from the database the first time a
   * batch needs it). It always holds every account a batch in flight changes, so the database is
   * read only for accounts no unfinished batch touches. Dropped when a batch comes back stale or
   * failed, and (past ACCOUNT_CACHE_MAX) only when nothing is in flight.
   */
  private readonly accountCache = new Map<string, AccountState>();
  /** Account id → number. Numbers never change once given, so this is never dropped. */
  private readonly accountNums = new Map<string, bigint>();
  /** The chain head after the last batch planned. Null: read it from the database. */
  private plannedHead: ChainHead | null = null;
  /** Transfers, resolutions and cap totals of batches planned but not yet committed, by key. */
  private readonly pendingTransfers = new Map<string, { readonly batch: number; readonly transfer: CommittedTransfer }>();
  private readonly pendingResolutions = new Map<string, { readonly batch: number; readonly by: string }>();
  private readonly pendingCaps = new Map<string, { readonly batch: number; readonly used: bigint }>();
  private batchNo = 0;
  /** Batches sent to the writer thread and not answered yet. */
  private readonly inFlight = new Map<number, (answer: WriterAnswer) => void>();
  /** Stale batches waiting to be planned again. */
  private replans: { readonly no: number; readonly resolve: () => void }[] = [];
  private readonly writerThread: Worker;
  private readonly writerExited: Promise<void>;
  private writerStopped = false;
  private readonly checkpointer: Worker;
  private readonly checkpointerExited: Promise<void>;

  constructor(
    path: string,
    private readonly nowMs: () => number = Date.now,
    options: GroupCommitOptions = defaultGroupCommitOptions,
  ) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // FULL: the WAL is fsynced at every commit, so an acknowledged gift survives power loss.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    // Checkpoints run on a worker thread (sqlite-checkpointer.js); the writer's own automatic
    // checkpoint stays only as a backstop that bounds the WAL if the worker falls behind.
    this.db.pragma(`wal_autocheckpoint = ${WAL_BACKSTOP_PAGES}`);
    this.checkpointer = new Worker(new URL('./sqlite-checkpointer.js', import.meta.url), { workerData: { path, everyMs: CHECKPOINT_EVERY_MS } });
    this.checkpointer.unref();
    // A failed checkpointer is not fatal: the writer's backstop checkpoint still bounds the WAL.
    this.checkpointer.on('error', () => undefined);
    this.checkpointerExited = new Promise((resolve) => {
      this.checkpointer.once('exit', () => { resolve(); });
    });
    this.db.defaultSafeIntegers(true);
    this.writerThread = new Worker(new URL('./sqlite-writer.js', import.meta.url), {
      workerData: { path, insertSql: INSERT_TRANSFER_SQL, updateAccountSql: UPDATE_ACCOUNT_SQL, walBackstopPages: WAL_BACKSTOP_PAGES },
    });
    this.writerThread.on('message', (answer: WriterAnswer | 'closed') => {
      if (answer !== 'closed') this.answered(answer);
    });
    // A writer thread that dies fails the batches in flight; the store cannot write after that.
    this.writerThread.on('error', (error) => { this.failInFlight(error); });
    this.writerExited = new Promise((resolve) => {
      this.writerThread.once('exit', () => {
        this.writerStopped = true;
        this.failInFlight(new LedgerInvariantError('the ledger writer thread stopped'));
        resolve();
      });
    });
    const db = this.db;
    this.stmt = {
      head: db.prepare('SELECT seq, hash FROM ledger_head WHERE id = 1'),
      transfer: db.prepare(`SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE id = ?`),
      resolution: db.prepare('SELECT id FROM transfers WHERE pending_id = ?').pluck(),
      account: db.prepare('SELECT * FROM accounts WHERE id = ?'),
      cap: db.prepare('SELECT used FROM ledger_caps WHERE key = ?').pluck(),
      // Under the write transaction, so max(num) + 1 is not taken by anyone else meanwhile.
      insertAccount: db.prepare(`INSERT INTO accounts (id, asset, owner_id, purpose, non_negative, created_at_ms, num)
        VALUES (@id, @asset, @ownerId, @purpose, @nonNegative, @createdAtMs, (SELECT coalesce(max(num), 0) + 1 FROM accounts))
        ON CONFLICT (id) DO NOTHING`),
      listByAccount: db.prepare(statementSql({ id: '@id', before: '@before', limit: '@limit' })),
      listByRef: db.prepare(`SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE ref = @ref AND seq > @after ORDER BY seq LIMIT @limit`),
      allTransfers: db.prepare(`SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers ORDER BY seq`),
      allAccounts: db.prepare('SELECT * FROM accounts ORDER BY id'),
    };
    this.writer = new GroupCommitWriter((groups) => this.commitBatch(groups), options, {
      depth: PIPELINE_DEPTH,
      minBatch: Math.max(1, Math.floor(options.maxBatch / 4)),
    });
  }

  /** Batches committed and submissions acknowledged so far. */
  get stats(): { batches: number; committed: number; overlapped: number } {
    return { batches: this.writer.batches, committed: this.writer.committed, overlapped: this.writer.overlapped };
  }

  submit(group: readonly TransferRequest[]): Promise<GroupOutcome> {
    return this.writer.submit(group);
  }

  openAccounts(specs: readonly AccountSpec[]): Promise<void> {
    const createdAtMs = BigInt(this.nowMs());
    // Run inside the executor so that a refused spec rejects the promise instead of throwing at the caller.
    return new Promise<void>((resolve) => {
      this.db.transaction(() => {
        for (const s of specs) {
          this.stmt.insertAccount.run({ ...s, nonNegative: s.nonNegative ? 1 : 0, createdAtMs });
          const existing = accountFromRow(this.stmt.account.get(s.id) as Row);
          if (!sameSpec(existing, s)) throw new LedgerInvariantError(`account ${s.id} exists with another spec`);
        }
      }).immediate();
      resolve();
    });
  }

  getAccount(id: string): Promise<AccountState | null> {
    const row = this.stmt.account.get(id) as Row | undefined;
    return Promise.resolve(row ? accountFromRow(row) : null);
  }

  getTransfer(id: string): Promise<CommittedTransfer | null> {
    const row = this.stmt.transfer.get(id) as Row | undefined;
    return Promise.resolve(row ? transferFromRow(row) : null);
  }

  listTransfers(accountId: string, options: { limit: number; beforeSeq?: bigint }): Promise<CommittedTransfer[]> {
    const rows = this.stmt.listByAccount.all({
      id: accountId,
      before: options.beforeSeq ?? 1n << 62n,
      limit: BigInt(Math.min(Math.max(options.limit, 1), 1000)),
    }) as Row[];
    return Promise.resolve(rows.map(transferFromRow));
  }

  listByRef(ref: string, options: { limit: number; afterSeq?: bigint }): Promise<CommittedTransfer[]> {
    const rows = this.stmt.listByRef.all({ ref, after: options.afterSeq ?? 0n, limit: BigInt(Math.min(Math.max(options.limit, 1), 10_000)) }) as Row[];
    return Promise.resolve(rows.map(transferFromRow));
  }

  capUsed(key: string): Promise<bigint> {
    return Promise.resolve((this.stmt.cap.get(key) as bigint | undefined) ?? 0n);
  }

  reconcile(): Promise<ReconcileReport> {
    // One read transaction: the transfers and the cached balances are the same snapshot.
    const report = this.db.transaction(() => {
      const accounts = (this.stmt.allAccounts.all() as Row[]).map(accountFromRow);
      const reconciler = new Reconciler(accounts);
      for (const row of this.stmt.allTransfers.iterate() as Iterable<Row>) reconciler.add(transferFromRow(row));
      const head = this.stmt.head.get() as Row;
      return reconciler.finish(accounts, { seq: big(head.seq), hash: head.hash as string });
    }).deferred();
    return Promise.resolve(report);
  }

  async close(): Promise<void> {
    await this.writer.close();
    this.writerThread.postMessage('close');
    await this.writerExited;
    await this.stopCheckpointer();
    // The last connection to close checkpoints everything and removes the WAL file.
    if (this.db.open) this.db.close();
  }

  private async stopCheckpointer(): Promise<void> {
    this.checkpointer.postMessage('close');
    const timeout = setTimeout(() => {
      // It did not answer in time: stop it; the writer's own close still checkpoints everything.
      this.checkpointer.terminate().catch(() => undefined);
    }, 2_000);
    await this.checkpointerExited;
    clearTimeout(timeout);
  }

  /** The number of an account this batch loaded (every account a plan names was loaded). */
  private numOf(id: string): bigint {
    const num = this.accountNums.get(id);
    if (num === undefined) throw new LedgerInvariantError(`account ${id} has no number`);
    return num;
  }

  /**
   * Plans a batch at once (synchronously, so batches are planned in the order they are started),
   * sends it to the writer thread, and answers when it is committed. A stale batch is planned again
   * once the batches before it have been answered.
   */
  private async commitBatch(groups: (readonly TransferRequest[])[]): Promise<GroupOutcome[]> {
    for (;;) {
      // A stopped thread would never answer: fail at once, before planning anything on top of it.
      if (this.writerStopped) throw new LedgerInvariantError('the ledger writer thread stopped');
      const no = ++this.batchNo;
      const { outcomes, message } = this.plan(no, groups);
      if (message === null) return outcomes; // nothing to write: every group was a replay or refused
      const answer = await new Promise<WriterAnswer>((resolve) => {
        this.inFlight.set(no, resolve);
        this.writerThread.postMessage(message);
      });
      this.forgetPending(no);
      if (answer.status === 'committed') return outcomes;
      if (answer.status === 'failed') {
        // Every batch planned on top of this one will come back stale and be planned again.
        this.forgetEverything();
        throw Object.assign(new Error(answer.error.message), { code: answer.error.code });
      }
      // Stale: plan again from the database once every batch sent before has been answered (those
      // planned on top of this one are stale too), in the order the batches were first planned.
      await new Promise<void>((resolve) => {
        this.replans.push({ no, resolve });
        this.resumeWhenDrained();
      });
    }
  }

  /** With nothing in flight: forget what was planned and let the stale batches plan again, in order. */
  private resumeWhenDrained(): void {
    if (this.inFlight.size > 0 || this.replans.length === 0) return;
    this.forgetEverything();
    const replans = this.replans.sort((a, b) => a.no - b.no);
    this.replans = [];
    for (const r of replans) r.resolve();
  }

  private plan(no: number, groups: (readonly TransferRequest[])[]): { outcomes: GroupOutcome[]; message: WriterBatch | null } {
    const s = this.stmt;
    if (this.inFlight.size === 0 && this.accountCache.size > ACCOUNT_CACHE_MAX) this.accountCache.clear();
    // One read transaction for all of the batch's lookups: starting one per statement (finding the
    // snapshot in the write-ahead log each time) cost more than the lookups themselves. Whatever
    // it reads must agree with the head the batch is planned on; the writer checks that head.
    const { expected, transfers, resolutions, accounts, caps } = this.db.transaction(() => {
      if (this.plannedHead === null) {
        const row = s.head.get() as Row;
        this.plannedHead = { seq: big(row.seq), hash: row.hash as string };
      }
      const expected = this.plannedHead;
      const keys = batchKeys(groups);
      const transfers = new Map<string, CommittedTransfer>();
      const resolutions = new Map<string, string>();
      for (const id of keys.transferIds) {
        let t = this.pendingTransfers.get(id)?.transfer;
        if (t === undefined) {
          const row = s.transfer.get(id) as Row | undefined;
          if (!row) continue;
          t = transferFromRow(row);
        }
        transfers.set(id, t);
        if (t.kind === 'pending') {
          const by = this.pendingResolutions.get(id)?.by ?? (s.resolution.get(id) as string | undefined);
          if (by !== undefined) resolutions.set(id, by);
        }
      }
      const accounts = new Map<string, AccountState>();
      for (const id of batchAccountIds(keys.accountIds, transfers.values())) {
        let account = this.accountCache.get(id);
        if (!account) {
          const row = s.account.get(id) as Row | undefined;
          if (!row) continue;
          account = accountFromRow(row);
          this.accountNums.set(id, big(row.num));
          this.accountCache.set(id, account);
        }
        accounts.set(id, account);
      }
      const caps = new Map<string, bigint>();
      for (const key of keys.capKeys) {
        const used = this.pendingCaps.get(key)?.used ?? (s.cap.get(key) as bigint | undefined);
        if (used !== undefined) caps.set(key, used);
      }
      return { expected, transfers, resolutions, accounts, caps };
    }).deferred();

    const plan = planBatch({ head: expected, accounts, transfers, resolutions, caps }, groups, BigInt(this.nowMs()));
    if (plan.newTransfers.length === 0) return { outcomes: plan.outcomes, message: null };

    // Remember the batch as planned: the next one is planned on top of it.
    this.plannedHead = plan.head;
    const rows: unknown[][] = [];
    for (const t of plan.newTransfers) {
      rows.push(transferValues(t, this.numOf(t.debitAccountId), this.numOf(t.creditAccountId)));
      this.pendingTransfers.set(t.id, { batch: no, transfer: t });
      if (t.pendingId !== null) this.pendingResolutions.set(t.pendingId, { batch: no, by: t.id });
    }
    const accountRows: unknown[][] = [];
    for (const after of plan.changedAccounts) {
      const d = balanceDelta(accounts.get(after.id) as AccountState, after);
      accountRows.push([
        d.debitsPosted, d.creditsPosted, d.debitsPending, d.creditsPending, after.lastSeq, this.numOf(after.id),
        d.creditsPosted, d.debitsPosted, d.debitsPending,
      ]);
      this.accountCache.set(after.id, after);
    }
    const capRows: [string, bigint][] = [];
    for (const [key, used] of plan.changedCaps) {
      capRows.push([key, used]);
      this.pendingCaps.set(key, { batch: no, used });
    }
    return {
      outcomes: plan.outcomes,
      message: { type: 'batch', no, expected: [expected.seq, expected.hash], rows, accounts: accountRows, caps: capRows, head: [plan.head.seq, plan.head.hash] },
    };
  }

  /** A batch was answered: what it wrote is in the database now (or never will be). */
  private forgetPending(no: number): void {
    for (const map of [this.pendingTransfers, this.pendingResolutions, this.pendingCaps] as Map<string, { batch: number }>[]) {
      for (const [key, entry] of map) if (entry.batch === no) map.delete(key);
    }
  }

  private forgetEverything(): void {
    this.plannedHead = null;
    this.accountCache.clear();
    this.pendingTransfers.clear();
    this.pendingResolutions.clear();
    this.pendingCaps.clear();
  }

  private answered(answer: WriterAnswer): void {
    const resolve = this.inFlight.get(answer.no);
    this.inFlight.delete(answer.no);
    resolve?.(answer);
    this.resumeWhenDrained();
  }

  private failInFlight(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    for (const no of [...this.inFlight.keys()]) this.answered({ no, status: 'failed', error: { message, code: 'ledger_writer_stopped' } });
  }
}

/** What the writer thread is sent for one batch (see sqlite-writer.js). */
interface WriterBatch {
  readonly type: 'batch';
  readonly no: number;
  readonly expected: readonly [bigint, string];
  readonly rows: unknown[][];
  readonly accounts: unknown[][];
  readonly caps: [string, bigint][];
  readonly head: readonly [bigint, string];
}

type WriterAnswer =
  | { readonly no: number; readonly status: 'committed' | 'stale' }
  | { readonly no: number; readonly status: 'failed'; readonly error: { readonly message: string; readonly code: string } };

/** Positional (see transferValues): the batch path runs this twice per gift. */
const INSERT_TRANSFER_SQL = `INSERT INTO transfers (${TRANSFER_INSERT_COLUMNS}) VALUES (${TRANSFER_PLACEHOLDERS})`;

/**
 * Relative update with the overdraft rule in SQL: the row changes only if it stays covered.
 * Positional: the four counters' deltas, the newest seq, the account number, then the posted
 * credit, posted debit and pending debit deltas again for the check.
 */
const UPDATE_ACCOUNT_SQL = `UPDATE accounts SET
    debits_posted = debits_posted + ?, credits_posted = credits_posted + ?,
    debits_pending = debits_pending + ?, credits_pending = credits_pending + ?, last_seq = ?
  WHERE num = ? AND (non_negative = 0 OR (credits_posted + ?) - (debits_posted + ?) - (debits_pending + ?) >= 0)`;
