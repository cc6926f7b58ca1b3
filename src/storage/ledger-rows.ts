// Row ⇄ domain conversion shared by the SQLite and PostgreSQL ledger stores. SQLite hands back
// BigInt (safe integers), pg hands back int8 as text; BigInt() takes both.
import type { AccountSpec, AccountState, Asset, CommittedTransfer, TransferCode, TransferKind } from '../domain/ledger.js';

export type Row = Record<string, unknown>;

export const TRANSFER_COLUMNS = `seq, id, code, kind, pending_id, debit_account_id, credit_account_id, asset, amount, metadata,
  created_at_ms, debit_available_after, credit_available_after, fingerprint, prev_hash, hash`;

export function transferFromRow(r: Row): CommittedTransfer {
  return {
    seq: BigInt(r.seq as bigint),
    id: r.id as string,
    code: r.code as TransferCode,
    kind: r.kind as TransferKind,
    pendingId: (r.pending_id as string | null) ?? null,
    debitAccountId: r.debit_account_id as string,
    creditAccountId: r.credit_account_id as string,
    asset: r.asset as Asset,
    amount: BigInt(r.amount as bigint),
    metadata: r.metadata as string,
    createdAtMs: BigInt(r.created_at_ms as bigint),
    debitAvailableAfter: BigInt(r.debit_available_after as bigint),
    creditAvailableAfter: BigInt(r.credit_available_after as bigint),
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
    debitsPosted: BigInt(r.debits_posted as bigint),
    creditsPosted: BigInt(r.credits_posted as bigint),
    debitsPending: BigInt(r.debits_pending as bigint),
    creditsPending: BigInt(r.credits_pending as bigint),
  };
}

export function sameSpec(a: AccountSpec, b: AccountSpec): boolean {
  return a.asset === b.asset && a.ownerId === b.ownerId && a.purpose === b.purpose && a.nonNegative === b.nonNegative;
}

