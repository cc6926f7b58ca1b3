// The chart of accounts: which ledger accounts exist, what each is for, and how ids are built.
// Every other module builds account ids through these functions, never by string concatenation.
import { fiatAsset, type AccountSpec, type Asset } from './ledger.js';

/** System accounts: owned by the platform, allowed below zero where they are the source of an asset. */
export const SystemAccounts = {
  /** Coins enter circulation from here when a purchase is paid (its balance is minus coins issued). */
  coinIssuance: spec('system:coin:issuance', 'COIN', null, 'coin_issuance', false),
  /** Coins spent on gifts end here; they never come back to a wallet. */
  coinGiftSink: spec('system:coin:gift-sink', 'COIN', null, 'gift_sink', false),
  /** Diamonds are created here when a creator receives a gift. */
  diamondIssuance: spec('system:diamond:issuance', 'DIAMOND', null, 'diamond_issuance', false),
  /** Diamonds reserved for and then consumed by payouts. */
  diamondPayoutClearing: spec('system:diamond:payout-clearing', 'DIAMOND', null, 'payout_clearing', false),
  /** Coins reversed by refunds and chargebacks (taken back from the buyer's wallet). */
  coinReversals: spec('system:coin:reversals', 'COIN', null, 'reversals', false),
  /** Coins whose purchase was refunded or charged back after they were gifted (moved here from the gift sink). */
  coinLosses: spec('system:coin:losses', 'COIN', null, 'losses', false),
} as const;

/** Per-currency system accounts of the fiat ledgers. */
export function fiatAccounts(currency: string): {
  providerClearing: AccountSpec;
  revenue: AccountSpec;
  payoutClearing: AccountSpec;
  losses: AccountSpec;
} {
  const asset = fiatAsset(currency);
  const c = currency.toUpperCase();
  return {
    /** Money the payment provider holds for us (debited when a purchase is paid). */
    providerClearing: spec(`system:fiat:${c}:provider-clearing`, asset, null, 'provider_clearing', false),
    /** Sales of coins. */
    revenue: spec(`system:fiat:${c}:revenue`, asset, null, 'revenue', false),
    /** Money on its way to creators' payout accounts. */
    payoutClearing: spec(`system:fiat:${c}:payout-clearing`, asset, null, 'payout_clearing', false),
    /** Refunds and chargebacks of coins already spent. */
    losses: spec(`system:fiat:${c}:losses`, asset, null, 'losses', false),
  };
}

/** A user's own accounts. Wallets and diamond balances never go below zero. */
export function userAccounts(userId: string): { coins: AccountSpec; diamondsOnHold: AccountSpec; diamondsAvailable: AccountSpec } {
  if (userId.length === 0 || userId.includes(':')) throw new RangeError(`bad user id: ${userId}`);
  return {
    coins: spec(`user:${userId}:coins`, 'COIN', userId, 'wallet', true),
    diamondsOnHold: spec(`user:${userId}:diamonds:hold`, 'DIAMOND', userId, 'diamonds_on_hold', true),
    diamondsAvailable: spec(`user:${userId}:diamonds:available`, 'DIAMOND', userId, 'diamonds_available', true),
  };
}

export function allSystemAccounts(currencies: readonly string[]): AccountSpec[] {
  return [...Object.values(SystemAccounts), ...currencies.flatMap((c) => Object.values(fiatAccounts(c)))];
}

function spec(id: string, asset: Asset, ownerId: string | null, purpose: string, nonNegative: boolean): AccountSpec {
  return { id, asset, ownerId, purpose, nonNegative };
}
