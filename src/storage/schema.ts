// Kysely table types for the whole database. Money columns are bigint; the ledger's hot path reads
// and writes them as BigInt through prepared statements (SQLite) or text (PostgreSQL).
import type { Generated } from 'kysely';

export interface AccountsTable {
  id: string;
  asset: string;
  owner_id: string | null;
  purpose: string;
  non_negative: number;
  debits_posted: bigint | number | string;
  credits_posted: bigint | number | string;
  debits_pending: bigint | number | string;
  credits_pending: bigint | number | string;
  created_at_ms: bigint | number | string;
}

export interface TransfersTable {
  seq: bigint | number | string;
  id: string;
  code: string;
  kind: string;
  pending_id: string | null;
  debit_account_id: string;
  credit_account_id: string;
  asset: string;
  amount: bigint | number | string;
  metadata: string;
  created_at_ms: bigint | number | string;
  debit_available_after: bigint | number | string;
  credit_available_after: bigint | number | string;
  fingerprint: string;
  prev_hash: string;
  hash: string;
}

export interface LedgerHeadTable {
  id: number;
  seq: bigint | number | string;
  hash: string;
}

export interface MetaTable {
  key: string;
  value: string;
  updated_at_ms: Generated<bigint | number | string>;
}

export interface Database {
  accounts: AccountsTable;
  transfers: TransfersTable;
  ledger_head: LedgerHeadTable;
  meta: MetaTable;
}

export type Dialect = 'sqlite' | 'postgres';
