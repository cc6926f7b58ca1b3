// Row ⇄ domain conversion shared by the SQLite and PostgreSQL ledger stores. SQLite hands back
// BigInt (safe integers), pg hands back int8 as text; BigInt() takes both.
import type { AccountSpec, AccountState, Asset, CommittedTransfer, TransferCode, TransferKind } from '../domain/ledger.js';

export type Row = Record<string, unknown>;

/** An int8 column as bigint, whichever of bigint (SQLite safe integers), text (pg) or number it arrived as. */
export function big(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'string' || typeof value === 'number') return BigInt(value);
  throw new TypeError(`not an integer column value: ${typeof value}`);
}

/** The columns of the `ledger_transfers` view, which every reader of transfers selects from. */
export const TRANSFER_COLUMNS = `seq, id, code, kind, pending_id, debit_account_id, credit_account_id, asset, amount, metadata, ref,
  created_at_ms, debit_available_after, credit_available_after, debit_prev_seq, credit_prev_seq, fingerprint, prev_hash, hash`;

/** The columns of the `transfers` table as the ledger stores insert them (see transferValues). */
export const TRANSFER_INSERT_COLUMNS = `seq, id, code, kind, pending_id, debit_account, credit_account, asset, amount, metadata, ref,
  created_at_ms, debit_available_after, credit_available_after, debit_prev_seq, credit_prev_seq, fingerprint, prev_hash, hash`;

/**
 * A transfer's values in TRANSFER_INSERT_COLUMNS order, for positional inserts (better-sqlite3 binds
 * `?` parameters about twice as fast as `@named` ones, and a gift inserts two rows): accounts by
 * number, hashes as raw bytes.
 */
export function transferValues(t: CommittedTransfer, debitNum: bigint, creditNum: bigint): unknown[] {
  return [
    t.seq, t.id, t.code, t.kind, t.pendingId, debitNum, creditNum, t.asset, t.amount, t.metadata, t.ref,
    t.createdAtMs, t.debitAvailableAfter, t.creditAvailableAfter, t.debitPrevSeq, t.creditPrevSeq,
    Buffer.from(t.fingerprint, 'hex'), Buffer.from(t.prevHash, 'hex'), Buffer.from(t.hash, 'hex'),
  ];
}

/** `?, ?, …` with one placeholder per TRANSFER_INSERT_COLUMNS entry. */
export const TRANSFER_PLACEHOLDERS = TRANSFER_INSERT_COLUMNS.split(',').map(() => '?').join(', ');

/**
 * An account's statement, newest first, by following the links from the account's newest transfer
 * (or from the `before` transfer's link, when that transfer is the account's) for at most `limit`
 * transfers older than `before`. One query for either dialect; `p` spells its placeholders.
 */
export function statementSql(p: { id: string; before: string; limit: string }): string {
  return `WITH RECURSIVE acct AS (
      SELECT num, last_seq FROM accounts WHERE id = ${p.id}
    ), start AS (
      SELECT a.num, CASE WHEN b.seq IS NULL THEN a.last_seq
        WHEN b.debit_account = a.num THEN b.debit_prev_seq ELSE b.credit_prev_seq END AS seq
      FROM acct a LEFT JOIN transfers b ON b.seq = ${p.before} AND (b.debit_account = a.num OR b.credit_account = a.num)
    ), chain (seq, prev, taken) AS (
      SELECT t.seq, CASE WHEN t.debit_account = s.num THEN t.debit_prev_seq ELSE t.credit_prev_seq END,
        CASE WHEN t.seq < ${p.before} THEN 1 ELSE 0 END
      FROM start s JOIN transfers t ON t.seq = s.seq
      UNION ALL
      SELECT t.seq, CASE WHEN t.debit_account = s.num THEN t.debit_prev_seq ELSE t.credit_prev_seq END,
        c.taken + CASE WHEN t.seq < ${p.before} THEN 1 ELSE 0 END
      FROM chain c JOIN transfers t ON t.seq = c.prev CROSS JOIN start s
      WHERE c.taken < ${p.limit}
    )
    SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE seq IN (SELECT seq FROM chain WHERE seq < ${p.before})
    ORDER BY seq DESC LIMIT ${p.limit}`;
}

/** An optional int8 column as bigint or null. */
function bigOrNull(value: unknown): bigint | null {
  return value === null || value === undefined ? null : big(value);
}

export function transferFromRow(r: Row): CommittedTransfer {
  return {
    seq: big(r.seq),
    id: r.id as string,
    code: r.code as TransferCode,
    kind: r.kind as TransferKind,
    pendingId: (r.pending_id as string | null) ?? null,
    debitAccountId: r.debit_account_id as string,
    creditAccountId: r.credit_account_id as string,
    asset: r.asset as Asset,
    amount: big(r.amount),
    metadata: r.metadata as string,
    ref: (r.ref as string | null) ?? null,
    createdAtMs: big(r.created_at_ms),
    debitAvailableAfter: big(r.debit_available_after),
    creditAvailableAfter: big(r.credit_available_after),
    debitPrevSeq: bigOrNull(r.debit_prev_seq),
    creditPrevSeq: bigOrNull(r.credit_prev_seq),
    fingerprint: r.fingerprint as string,
    prevHash: r.prev_hash as string,
    hash: r.hash as string,
  };
}

export function accountFromRow(r: Row): AccountState {
  return {
    id: r.id as string,
    asset: r.asset as Asset,
    ownerId: (r.owner_id as string | null) ?? null,
    purpose: r.purpose as string,
    nonNegative: Number(r.non_negative) === 1,
    debitsPosted: big(r.debits_posted),
    creditsPosted: big(r.credits_posted),
    debitsPending: big(r.debits_pending),
    creditsPending: big(r.credits_pending),
    lastSeq: bigOrNull(r.last_seq),
  };
}

export function sameSpec(a: AccountSpec, b: AccountSpec): boolean {
  return a.asset === b.asset && a.ownerId === b.ownerId && a.purpose === b.purpose && a.nonNegative === b.nonNegative;
}

