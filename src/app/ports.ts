// The interfaces use cases need from the outside world. A use case receives only the ports it uses;
// adapters in storage/, payments/, realtime/ implement them.
import type { AccountSpec, AccountState, CommittedTransfer, GroupOutcome, TransferRequest } from '../domain/ledger.js';
import type { ReconcileReport } from '../domain/reconcile.js';

/**
 * The double-entry ledger. Every submission is durable before its promise resolves, applied at
 * most once per transfer id (a replay answers `duplicate` with the original transfers), and never
 * takes a non-negative account below zero, however many callers submit at once.
 */
export interface LedgerStore {
  /** Creates the accounts that do not exist yet. Idempotent; an existing id with another spec throws. */
  openAccounts(specs: readonly AccountSpec[]): Promise<void>;
  /** Submits one linked group: every leg commits, or none does. */
  submit(group: readonly TransferRequest[]): Promise<GroupOutcome>;
  getAccount(id: string): Promise<AccountState | null>;
  getTransfer(id: string): Promise<CommittedTransfer | null>;
  /** Transfers touching an account, newest first. */
  listTransfers(accountId: string, options: { limit: number; beforeSeq?: bigint }): Promise<CommittedTransfer[]>;
  /** Recomputes every balance from the transfers and verifies conservation and the hash chain. */
  reconcile(): Promise<ReconcileReport>;
  /** Acknowledges what is queued, then stops accepting submissions. */
  close(): Promise<void>;
}

export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };
