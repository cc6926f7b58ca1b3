// LedgerStore on SQLite (better-sqlite3): one writer connection, prepared statements, group commit.
// A batch runs in one IMMEDIATE transaction (the write lock is held from the first read, so the
// snapshot the planner sees cannot change under it), and commits with WAL + synchronous=FULL
// before any caller is answered.
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

/** Busy retries for a batch when another connection briefly holds the write lock. */
const BUSY_RETRIES = 5;
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
   * Account rows as this connection last wrote or read them, so a batch reads only accounts it has
   * not seen. Valid only while no other connection has committed: `PRAGMA data_version` changes
   * exactly then, and the cache is dropped (checked under the write lock at every batch).
   */
  private readonly accountCache = new Map<string, AccountState>();
  private cacheDataVersion: unknown = null;
  /** Account id → number. Numbers never change once given, so this is never dropped. */
  private readonly accountNums = new Map<string, bigint>();
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
    const db = this.db;
    this.stmt = {
      head: db.prepare('SELECT seq, hash FROM ledger_head WHERE id = 1'),
      transfer: db.prepare(`SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE id = ?`),
      resolution: db.prepare('SELECT id FROM transfers WHERE pending_id = ?').pluck(),
      account: db.prepare('SELECT * FROM accounts WHERE id = ?'),
      // Positional (see transferValues): the batch path runs this twice per gift.
      insertTransfer: db.prepare(`INSERT INTO transfers (${TRANSFER_INSERT_COLUMNS}) VALUES (${TRANSFER_PLACEHOLDERS})`),
      // Relative update with the overdraft rule in SQL: the row changes only if it stays covered.
      // Positional, like insertTransfer: the four counters' deltas, the newest seq, the account
      // number, then the posted credit, posted debit and pending debit deltas again for the check.
      updateAccount: db.prepare(`UPDATE accounts SET
          debits_posted = debits_posted + ?, credits_posted = credits_posted + ?,
          debits_pending = debits_pending + ?, credits_pending = credits_pending + ?, last_seq = ?
        WHERE num = ? AND (non_negative = 0 OR (credits_posted + ?) - (debits_posted + ?) - (debits_pending + ?) >= 0)`),
      updateHead: db.prepare('UPDATE ledger_head SET seq = ?, hash = ? WHERE id = 1'),
      cap: db.prepare('SELECT used FROM ledger_caps WHERE key = ?').pluck(),
      upsertCap: db.prepare('INSERT INTO ledger_caps (key, used) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET used = excluded.used'),
      // Under the write transaction, so max(num) + 1 is not taken by anyone else meanwhile.
      insertAccount: db.prepare(`INSERT INTO accounts (id, asset, owner_id, purpose, non_negative, created_at_ms, num)
        VALUES (@id, @asset, @ownerId, @purpose, @nonNegative, @createdAtMs, (SELECT coalesce(max(num), 0) + 1 FROM accounts))
        ON CONFLICT (id) DO NOTHING`),
      listByAccount: db.prepare(statementSql({ id: '@id', before: '@before', limit: '@limit' })),
      listByRef: db.prepare(`SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE ref = @ref AND seq > @after ORDER BY seq LIMIT @limit`),
      allTransfers: db.prepare(`SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers ORDER BY seq`),
      allAccounts: db.prepare('SELECT * FROM accounts ORDER BY id'),
    };
    this.writer = new GroupCommitWriter((groups) => Promise.resolve(this.commitWithRetry(groups)), options);
  }

  /** Batches committed and submissions acknowledged so far. */
  get stats(): { batches: number; committed: number } {
    return { batches: this.writer.batches, committed: this.writer.committed };
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

  private commitWithRetry(groups: (readonly TransferRequest[])[]): GroupOutcome[] {
    for (let attempt = 0; ; attempt++) {
      try {
        return this.commitBatch(groups);
      } catch (error) {
        const busy = (error as { code?: string }).code === 'SQLITE_BUSY';
        if (!busy || attempt >= BUSY_RETRIES) throw error;
      }
    }
  }

  private commitBatch(groups: (readonly TransferRequest[])[]): GroupOutcome[] {
    const s = this.stmt;
    const run = this.db.transaction(() => {
      const headRow = s.head.get() as Row;
      const keys = batchKeys(groups);
      const transfers = new Map<string, CommittedTransfer>();
      const resolutions = new Map<string, string>();
      for (const id of keys.transferIds) {
        const row = s.transfer.get(id) as Row | undefined;
        if (!row) continue;
        const t = transferFromRow(row);
        transfers.set(id, t);
        if (t.kind === 'pending') {
          const by = s.resolution.get(id) as string | undefined;
          if (by !== undefined) resolutions.set(id, by);
        }
      }
      const dataVersion: unknown = this.db.pragma('data_version', { simple: true });
      if (dataVersion !== this.cacheDataVersion || this.accountCache.size > ACCOUNT_CACHE_MAX) {
        this.accountCache.clear();
        this.cacheDataVersion = dataVersion;
      }
      const accounts = new Map<string, AccountState>();
      for (const id of batchAccountIds(keys.accountIds, transfers.values())) {
        let account = this.accountCache.get(id);
        if (!account) {
          const row = s.account.get(id) as Row | undefined;
          if (row) {
            account = accountFromRow(row);
            this.accountNums.set(id, big(row.num));
          }
        }
        if (account) accounts.set(id, account);
      }

      const caps = new Map<string, bigint>();
      for (const key of keys.capKeys) {
        const used = s.cap.get(key) as bigint | undefined;
        if (used !== undefined) caps.set(key, used);
      }

      const plan = planBatch(
        { head: { seq: big(headRow.seq), hash: headRow.hash as string }, accounts, transfers, resolutions, caps },
        groups,
        BigInt(this.nowMs()),
      );

      for (const t of plan.newTransfers) s.insertTransfer.run(transferValues(t, this.numOf(t.debitAccountId), this.numOf(t.creditAccountId)));
      for (const after of plan.changedAccounts) {
        const before = accounts.get(after.id) as AccountState;
        const d = balanceDelta(before, after);
        const changes = s.updateAccount.run(
          d.debitsPosted, d.creditsPosted, d.debitsPending, d.creditsPending, after.lastSeq, this.numOf(after.id),
          d.creditsPosted, d.debitsPosted, d.debitsPending,
        ).changes;
        // The planner already refused overdrafts; SQL checking it again must agree.
        if (changes !== 1) throw new LedgerInvariantError(`conditional update of ${after.id} refused: planner and database disagree`);
      }
      for (const [key, used] of plan.changedCaps) s.upsertCap.run(key, used);
      s.updateHead.run(plan.head.seq, plan.head.hash);
      return { plan, accounts };
    });
    let result;
    try {
      result = run.immediate();
    } catch (error) {
      this.accountCache.clear(); // rolled back: what the batch read or staged is not the truth
      throw error;
    }
    // Committed: every account the batch read, then every account it changed, as the database has it.
    for (const [id, a] of result.accounts) this.accountCache.set(id, a);
    for (const a of result.plan.changedAccounts) this.accountCache.set(a.id, a);
    return result.plan.outcomes;
  }
}
