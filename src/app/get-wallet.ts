// A viewer's coin balance and its statement, straight from the ledger.
import { userAccounts } from '../domain/accounts.js';
import { availableOf, type CommittedTransfer } from '../domain/ledger.js';
import type { LedgerStore } from './ports.js';

export async function getWalletBalance(userId: string, deps: { ledger: LedgerStore }): Promise<bigint> {
  const account = await deps.ledger.getAccount(userAccounts(userId).coins.id);
  return account ? availableOf(account) : 0n;
}

export interface WalletEntry {
  readonly transfer: CommittedTransfer;
  /** Signed: coins in are positive. */
  readonly coins: bigint;
  readonly balanceAfter: bigint;
}

/** Newest first; page with the last entry's seq. */
export async function listWalletHistory(
  input: { userId: string; limit: number; beforeSeq?: bigint | undefined },
  deps: { ledger: LedgerStore },
): Promise<WalletEntry[]> {
  const wallet = userAccounts(input.userId).coins.id;
  const transfers = await deps.ledger.listTransfers(wallet, { limit: input.limit, ...(input.beforeSeq !== undefined ? { beforeSeq: input.beforeSeq } : {}) });
  return transfers.map((t) =>
    t.debitAccountId === wallet
      ? { transfer: t, coins: -t.amount, balanceAfter: t.debitAvailableAfter }
      : { transfer: t, coins: t.amount, balanceAfter: t.creditAvailableAfter },
  );
}
