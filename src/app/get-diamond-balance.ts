// A creator's diamonds: on hold, available, reserved by payouts in flight, what they are worth, and
// what can still be redeemed today. Anyone signed in may read their own (a minor simply has none).
import { userAccounts } from '../domain/accounts.js';
import { DIAMOND_VALUE_CURRENCY, diamondsToMinor } from '../domain/diamond-value.js';
import { availableOf } from '../domain/ledger.js';
import { payoutDayCapKey, payoutLimits, type DiamondPolicy } from '../domain/payouts.js';
import type { Clock, LedgerStore } from './ports.js';

export interface GetDiamondBalanceInput {
  /** Whose diamonds (the signed-in user). */
  readonly userId: string;
}

export interface DiamondBalanceView {
  readonly onHold: bigint;
  readonly available: bigint;
  /** Diamonds reserved by payouts that are requested or processing (not in `available`). */
  readonly pendingPayout: bigint;
  readonly currency: typeof DIAMOND_VALUE_CURRENCY;
  readonly onHoldMinor: bigint;
  readonly availableMinor: bigint;
  readonly pendingPayoutMinor: bigint;
  readonly diamondValueMicroUsd: bigint;
  readonly holdMs: number;
  readonly minimumDiamonds: bigint;
  readonly dailyMaxDiamonds: bigint;
  readonly todayRemainingDiamonds: bigint;
}

export async function getDiamondBalance(
  input: GetDiamondBalanceInput,
  deps: { ledger: LedgerStore; clock: Clock; diamondPolicy: DiamondPolicy },
): Promise<DiamondBalanceView> {
  const accounts = userAccounts(input.userId);
  const [hold, available, usedToday] = await Promise.all([
    deps.ledger.getAccount(accounts.diamondsOnHold.id),
    deps.ledger.getAccount(accounts.diamondsAvailable.id),
    deps.ledger.capUsed(payoutDayCapKey(input.userId, deps.clock.nowMs())),
  ]);
  const onHold = hold ? availableOf(hold) : 0n;
  const free = available ? availableOf(available) : 0n;
  const pendingPayout = available?.debitsPending ?? 0n;
  // Diamond balances are non-negative accounts: the ledger refuses anything else, and so do we.
  if (onHold < 0n || free < 0n || pendingPayout < 0n) throw new Error(`diamond balance of ${input.userId} is negative`);
  const value = deps.diamondPolicy.diamondValueMicroUsd;
  const limits = payoutLimits(deps.diamondPolicy);
  const remaining = limits.dailyMaxDiamonds - usedToday;
  return {
    onHold,
    available: free,
    pendingPayout,
    currency: DIAMOND_VALUE_CURRENCY,
    onHoldMinor: diamondsToMinor(onHold, value),
    availableMinor: diamondsToMinor(free, value),
    pendingPayoutMinor: diamondsToMinor(pendingPayout, value),
    diamondValueMicroUsd: value,
    holdMs: deps.diamondPolicy.diamondHoldMs,
    minimumDiamonds: limits.minimumDiamonds,
    dailyMaxDiamonds: limits.dailyMaxDiamonds,
    todayRemainingDiamonds: remaining > 0n ? remaining : 0n,
  };
}
