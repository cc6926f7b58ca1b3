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

export const TRANSFER_COLUMNS = `seq, id, code, kind, pending_id, debit_account_id, credit_account_id, asset, amount, metadata, ref,
  created_at_ms, debit_available_after, credit_available_after, fingerprint, prev_hash, hash`;

/**
 * A transfer's values in TRANSFER_COLUMNS order, for positional inserts: better-sqlite3 binds `?`
 * parameters about twice as fast as `@named` ones, and the batch path inserts two rows per gift.
 */
export function transferValues(t: CommittedTransfer): unknown[] {
  return [
    t.seq, t.id, t.code, t.kind, t.pendingId, t.debitAccountId, t.creditAccountId, t.asset, t.amount, t.metadata, t.ref,
    t.createdAtMs, t.debitAvailableAfter, t.creditAvailableAfter, t.fingerprint, t.prevHash, t.hash,
  ];
}

/** `?, ?, …` with one placeholder per TRANSFER_COLUMNS entry. */
export const TRANSFER_PLACEHOLDERS = TRANSFER_COLUMNS.split(',').map(() => '?').join(', ');

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
  };
}

export function sameSpec(a: AccountSpec, b: AccountSpec): boolean {
  return a.asset === b.asset && a.ownerId === b.ownerId && a.purpose === b.purpose && a.nonNegative === b.nonNegative;
}

