// LedgerStore on PostgreSQL (pg): group commit with a handful of round trips per batch, whatever
// its size. The batch locks the chain head, then the accounts it touches in id order (so writers on
// several nodes queue instead of deadlocking), plans in memory, writes all rows with set-based
// statements, and commits with synchronous_commit=on before any caller is answered.
import { finished } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
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
import { accountFromRow, big, sameSpec, statementSql, TRANSFER_COLUMNS, TRANSFER_INSERT_COLUMNS, transferFromRow, type Row } from './ledger-rows.js';

/** serialization_failure and deadlock_detected: the batch is retried whole, never reported as a refusal. */
const RETRYABLE = new Set(['40001', '40P01']);
const RETRIES_MAX = 10;
/** Rows per page when reconcile streams the transfers. */
const RECONCILE_PAGE = 5000;

export class PgLedgerStore implements LedgerStore {
  private readonly writer: GroupCommitWriter<readonly TransferRequest[], GroupOutcome>;
  retries = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly nowMs: () => number = Date.now,
    options: GroupCommitOptions = defaultGroupCommitOptions,
  ) {
    // Two batches in flight, on two connections: batch n + 1 opens its transaction and queues on the
    // head lock while batch n commits, so it runs the moment n's commit is durable instead of one
    // round trip later. The head lock keeps them in order (n + 1 reads everything n wrote: each
    // statement after the lock takes a fresh snapshot). Tightens the tail when a commit waits on
    // the server's WAL flush (docs/BENCHMARKS.md).
    this.writer = new GroupCommitWriter((groups) => this.commitWithRetry(groups), options, {
      depth: 2,
      minBatch: Math.max(1, Math.floor(options.maxBatch / 4)),
    });
  }

  get stats(): { batches: number; committed: number; overlapped: number } {
    return { batches: this.writer.batches, committed: this.writer.committed, overlapped: this.writer.overlapped };
  }

  submit(group: readonly TransferRequest[]): Promise<GroupOutcome> {
    return this.writer.submit(group);
  }

  async openAccounts(specs: readonly AccountSpec[]): Promise<void> {
    if (specs.length === 0) return;
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO accounts (id, asset, owner_id, purpose, non_negative, created_at_ms)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::bigint[])
         ON CONFLICT (id) DO NOTHING`,
        [
          specs.map((s) => s.id),
          specs.map((s) => s.asset),
          specs.map((s) => s.ownerId),
          specs.map((s) => s.purpose),
          specs.map((s) => (s.nonNegative ? 1 : 0)),
          specs.map(() => String(this.nowMs())),
        ],
      );
      const { rows } = await client.query<Row>('SELECT * FROM accounts WHERE id = ANY($1::text[])', [specs.map((s) => s.id)]);
      const byId = new Map(rows.map((r) => [r.id as string, accountFromRow(r)]));
      for (const s of specs) {
        const existing = byId.get(s.id);
        if (!existing || !sameSpec(existing, s)) throw new LedgerInvariantError(`account ${s.id} exists with another spec`);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  async getAccount(id: string): Promise<AccountState | null> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM accounts WHERE id = $1', [id]);
    return rows[0] ? accountFromRow(rows[0]) : null;
  }

  async getTransfer(id: string): Promise<CommittedTransfer | null> {
    const { rows } = await this.pool.query<Row>(`SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE id = $1`, [id]);
    return rows[0] ? transferFromRow(rows[0]) : null;
  }

  async listTransfers(accountId: string, options: { limit: number; beforeSeq?: bigint }): Promise<CommittedTransfer[]> {
    const { rows } = await this.pool.query<Row>(
      statementSql({ id: '$1::text', before: '$2::bigint', limit: '$3::int' }),
      [accountId, String(options.beforeSeq ?? 1n << 62n), Math.min(Math.max(options.limit, 1), 1000)],
    );
    return rows.map(transferFromRow);
  }

  async listByRef(ref: string, options: { limit: number; afterSeq?: bigint }): Promise<CommittedTransfer[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE ref = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [ref, String(options.afterSeq ?? 0n), Math.min(Math.max(options.limit, 1), 10_000)],
    );
    return rows.map(transferFromRow);
  }

  async capUsed(key: string): Promise<bigint> {
    const { rows } = await this.pool.query<Row>('SELECT used FROM ledger_caps WHERE key = $1', [key]);
    return rows[0] ? big(rows[0].used) : 0n;
  }

  async reconcile(): Promise<ReconcileReport> {
    const client = await this.pool.connect();
    try {
      // One snapshot for the transfers, the cached balances and the head.
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const accounts = (await client.query<Row>('SELECT * FROM accounts ORDER BY id')).rows.map(accountFromRow);
      const reconciler = new Reconciler(accounts);
      let after = '0';
      for (;;) {
        const { rows } = await client.query<Row>(
          `SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE seq > $1 ORDER BY seq LIMIT ${RECONCILE_PAGE}`,
          [after],
        );
        for (const row of rows) reconciler.add(transferFromRow(row));
        const last = rows.at(-1);
        if (!last || rows.length < RECONCILE_PAGE) break;
        after = String(last.seq);
      }
      const head = (await client.query<Row>('SELECT seq, hash FROM ledger_head WHERE id = 1')).rows[0] as Row;
      await client.query('COMMIT');
      return reconciler.finish(accounts, { seq: big(head.seq), hash: head.hash as string });
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.writer.close();
  }

  private async commitWithRetry(groups: (readonly TransferRequest[])[]): Promise<GroupOutcome[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.commitBatch(groups);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === undefined || !RETRYABLE.has(code) || attempt >= RETRIES_MAX) throw error;
        this.retries++;
      }
    }
  }

  private async commitBatch(groups: (readonly TransferRequest[])[]): Promise<GroupOutcome[]> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      // Every statement of a batch finds rows by key. Without the hint the planner answers a few
      // hundred ids with a sequential scan of all accounts (to lock them, then again as a hash join
      // to update them) as soon as the table is small or bloated, which makes a batch cost grow with
      // the number of accounts instead of the size of the batch. SET LOCAL ends with the transaction.
      // The three statements travel in one simple-protocol round trip; the last one's rows come back.
      // READ COMMITTED whatever the server's default: with two batches in flight, everything after
      // the head lock must see what the batch before committed.
      const opened = (await client.query('BEGIN ISOLATION LEVEL READ COMMITTED; SET LOCAL enable_seqscan = off; SELECT seq, hash FROM ledger_head WHERE id = 1 FOR UPDATE')) as unknown as pg.QueryResult<Row>[];
      const headRow = opened[2]?.rows[0] as Row;
      const keys = batchKeys(groups);
      const found = await client.query<Row>({ name: 'ledger-replays', text: REPLAYS_SQL, values: [keys.transferIds] });
      const transfers = new Map<string, CommittedTransfer>();
      const resolutions = new Map<string, string>();
      for (const row of found.rows) {
        const t = transferFromRow(row);
        transfers.set(t.id, t);
        if (typeof row.resolved_by === 'string') resolutions.set(t.id, row.resolved_by);
      }
      const accountIds = batchAccountIds(keys.accountIds, transfers.values());
      const locked = await client.query<Row>({ name: 'ledger-lock-accounts', text: LOCK_ACCOUNTS_SQL, values: [accountIds] });
      const accounts = new Map(locked.rows.map((r) => [r.id as string, accountFromRow(r)]));
      const nums = new Map(locked.rows.map((r) => [r.id as string, String(r.num)]));
      const numOf = (id: string): string => {
        const num = nums.get(id);
        if (num === undefined) throw new LedgerInvariantError(`account ${id} has no number`);
        return num;
      };

      const caps = new Map<string, bigint>();
      if (keys.capKeys.length > 0) {
        const capRows = await client.query<Row>('SELECT key, used FROM ledger_caps WHERE key = ANY($1::text[]) ORDER BY key FOR UPDATE', [keys.capKeys]);
        for (const r of capRows.rows) caps.set(r.key as string, big(r.used));
      }

      const plan = planBatch(
        { head: { seq: big(headRow.seq), hash: headRow.hash as string }, accounts, transfers, resolutions, caps },
        groups,
        BigInt(this.nowMs()),
      );

      if (plan.newTransfers.length > 0) {
        // COPY, not INSERT … unnest(arrays): PostgreSQL parses the rows as they stream in instead of
        // 19 arrays at bind time; about half the cost per row (docs/BENCHMARKS.md).
        let rows = '';
        for (const t of plan.newTransfers) rows += copyRow(t, numOf(t.debitAccountId), numOf(t.creditAccountId));
        await copyInto(client, `COPY transfers (${TRANSFER_INSERT_COLUMNS}) FROM STDIN`, rows);
        const deltas = plan.changedAccounts.map((after) => ({
          num: numOf(after.id),
          lastSeq: after.lastSeq?.toString() ?? null,
          ...balanceDelta(accounts.get(after.id) as AccountState, after),
        }));
        // Accounts, caps and the head in one statement (one round trip). Each changed account is
        // written once per batch, and only if it stays covered: the overdraft rule is checked
        // again in SQL (and a third time by the table's CHECK).
        const written = await client.query<Row>({
          name: 'ledger-write-batch',
          text: WRITE_BATCH_SQL,
          values: [
            deltas.map((d) => d.num),
            deltas.map((d) => d.debitsPosted.toString()),
            deltas.map((d) => d.creditsPosted.toString()),
            deltas.map((d) => d.debitsPending.toString()),
            deltas.map((d) => d.creditsPending.toString()),
            deltas.map((d) => d.lastSeq),
            [...plan.changedCaps.keys()],
            [...plan.changedCaps.values()].map(String),
            plan.head.seq.toString(),
            plan.head.hash,
          ],
        });
        if (Number(written.rows[0]?.accounts) !== deltas.length) {
          throw new LedgerInvariantError('conditional account update refused: planner and database disagree');
        }
      }
      await client.query('COMMIT');
      return plan.outcomes;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true; // the connection is gone; the pool must not hand it out again
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

/** The committed transfers among a batch's ids, with whatever resolved each one (a pending transfer). */
const REPLAYS_SQL = `SELECT ${TRANSFER_COLUMNS}, (SELECT r.id FROM transfers r WHERE r.pending_id = t.id) AS resolved_by
  FROM ledger_transfers t WHERE t.id = ANY($1::text[])`;

/** Locks a batch's accounts in id order, so two writers (two nodes) queue instead of deadlocking. */
const LOCK_ACCOUNTS_SQL = 'SELECT * FROM accounts WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE';

/** A batch's account deltas ($1-$6), cap totals ($7-$8) and new chain head ($9-$10), in one statement. */
const WRITE_BATCH_SQL = `WITH updated AS (
    UPDATE accounts a SET
      debits_posted = a.debits_posted + v.dp, credits_posted = a.credits_posted + v.cp,
      debits_pending = a.debits_pending + v.dq, credits_pending = a.credits_pending + v.cq, last_seq = v.last_seq
    FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[]) AS v(num, dp, cp, dq, cq, last_seq)
    WHERE a.num = v.num AND (a.non_negative = 0 OR
      (a.credits_posted + v.cp) - (a.debits_posted + v.dp) - (a.debits_pending + v.dq) >= 0)
    RETURNING 1
  ), capped AS (
    INSERT INTO ledger_caps (key, used) SELECT * FROM unnest($7::text[], $8::bigint[])
    ON CONFLICT (key) DO UPDATE SET used = excluded.used
    RETURNING 1
  ), head AS (
    UPDATE ledger_head SET seq = $9, hash = $10 WHERE id = 1 RETURNING 1
  )
  SELECT (SELECT count(*) FROM updated) AS accounts, (SELECT count(*) FROM capped) AS caps, (SELECT count(*) FROM head) AS heads`;

/** A text field of COPY's text format: backslash, tab, newline and carriage return escaped; null is \N. */
function copyText(value: string | null): string {
  if (value === null) return '\\N';
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c] ?? c) : value;
}

const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** An optional integer in COPY's text format. */
function copyInt(value: bigint | null): string {
  return value === null ? '\\N' : value.toString();
}

/** One transfer as a line of COPY text, in TRANSFER_INSERT_COLUMNS order; hashes as bytea hex (`\\x…`). */
function copyRow(t: CommittedTransfer, debitNum: string, creditNum: string): string {
  return (
    `${t.seq}\t${copyText(t.id)}\t${t.code}\t${t.kind}\t${copyText(t.pendingId)}\t${debitNum}\t${creditNum}\t${t.asset}\t${t.amount}\t` +
    `${copyText(t.metadata)}\t${copyText(t.ref)}\t${t.createdAtMs}\t${t.debitAvailableAfter}\t${t.creditAvailableAfter}\t` +
    `${copyInt(t.debitPrevSeq)}\t${copyInt(t.creditPrevSeq)}\t\\\\x${t.fingerprint}\t\\\\x${t.prevHash}\t\\\\x${t.hash}\n`
  );
}

/** Streams COPY text into a table and waits until the server has taken all of it (or refused it). */
async function copyInto(client: pg.PoolClient, statement: string, text: string): Promise<void> {
  const stream = client.query(copyFrom(statement));
  stream.end(text);
  await finished(stream);
}
