// Money that comes back after a purchase was paid: refunds and chargebacks (disputes), and the
// reinstatement of a chargeback when the dispute is won. Pure: what a purchase's ledger transfers say
// (its netting), and the transfers that move it to where it must be.
//
// The rule. A purchase of C coins for A minor units that gets M minor units back owes back
// coinsFor(M) = ⌈C·M/A⌉ coins (rounded in the platform's favour). Of those, the coins still in the
// buyer's wallet are reversed (wallet → system:coin:reversals); the rest were already gifted, so they
// cannot come back: they are booked as a loss (system:coin:gift-sink → system:coin:losses), and the
// money that paid for them is the platform's loss (FIAT losses → provider-clearing) rather than a
// reversal of revenue (FIAT revenue → provider-clearing). Creators keep the diamonds of gifts already
// sent. Every ledger still balances, because each of these is an ordinary transfer.
//
// Every figure is computed from the purchase's own transfers (ref `purchase:<id>`), never from a
// counter kept beside them. Operation ids are derived from the provider's facts, so a replayed
// webhook books nothing twice:
//   refunds    purchase:<id>:refund:<T>        T = the provider's cumulative refunded amount
//   chargeback purchase:<id>:chargeback:<dp>   dp = disputeKey of the provider's dispute id (one booking per dispute)
//   reinstate  purchase:<id>:chargeback:<dp>:reinstate   (a won dispute; mirrors the chargeback exactly)
import { hash } from 'node:crypto';
import { fiatAccounts, SystemAccounts, userAccounts } from './accounts.js';
import type { CommittedTransfer, MovementRequest, SpendCap, TransferCode } from './ledger.js';

/** What a purchase was: the coins issued for its price. */
export interface PurchaseTerms {
  readonly purchaseId: string;
  readonly userId: string;
  readonly coins: bigint;
  readonly amountMinor: bigint;
  readonly currency: string;
}

/** Where a purchase stands, from its transfers. Amounts of coins and minor units. */
export interface PurchaseNetting {
  /** The purchase's coins were credited (its PURCHASE transfers exist). */
  readonly paid: boolean;
  readonly coinsIssued: bigint;
  readonly moneyPaid: bigint;
  /** Refunded money, all refunds together (the provider's cumulative figure once booked). */
  readonly moneyRefunded: bigint;
  /** Money taken by chargebacks, minus what won disputes reinstated. */
  readonly moneyChargedBack: bigint;
  /** Coins taken back from the wallet (refunds and chargebacks, minus reinstated). */
  readonly coinsReversed: bigint;
  /** Coins already gifted when their money came back, minus reinstated. */
  readonly coinsLost: bigint;
  /** Money booked as a loss (the part already gifted), minus reinstated. */
  readonly moneyLost: bigint;
  /** What won disputes gave back (gross figures minus these are the net ones above). */
  readonly moneyReinstated: bigint;
  readonly coinsReinstated: bigint;
  /** Disputes booked as chargebacks (by disputeKey), and whether each was reinstated. */
  readonly chargebacks: ReadonlyMap<string, { readonly money: bigint; readonly reinstated: boolean }>;
}

export function purchaseRef(purchaseId: string): string {
  return `purchase:${purchaseId}`;
}

export function refundOpId(purchaseId: string, refundedTotalMinor: bigint): string {
  return `${purchaseRef(purchaseId)}:refund:${refundedTotalMinor}`;
}

/**
 * A dispute as transfer ids name it: 16 hex digits of its id's SHA-256 (providers' dispute ids are
 * long, and a transfer id has at most 100 characters); the full id is in each leg's metadata.
 */
export function disputeKey(disputeId: string): string {
  return hash('sha256', disputeId, 'hex').slice(0, 16);
}

export function chargebackOpId(purchaseId: string, disputeId: string): string {
  return `${purchaseRef(purchaseId)}:chargeback:${disputeKey(disputeId)}`;
}

export function reinstateOpId(purchaseId: string, disputeId: string): string {
  return `${chargebackOpId(purchaseId, disputeId)}:reinstate`;
}

/** The legs of one operation, by the suffix of their ids. */
export const LEG = { coins: 'coins', coinsLost: 'coins-lost', money: 'money', moneyLost: 'money-lost' } as const;
type Leg = (typeof LEG)[keyof typeof LEG];
const LEGS: readonly Leg[] = [LEG.coins, LEG.coinsLost, LEG.money, LEG.moneyLost];

/** Concurrency guards, checked by the ledger inside its transaction (see planMoneyBack). */
export function moneyBackCapKey(purchaseId: string): string {
  return `${purchaseRef(purchaseId)}:money-back`;
}
export function coinsBackCapKey(purchaseId: string): string {
  return `${purchaseRef(purchaseId)}:coins-back`;
}
export function refundCapKey(purchaseId: string): string {
  return `${purchaseRef(purchaseId)}:refunded`;
}

/** Coins that answer for `moneyMinor` of the purchase's price: ⌈C·M/A⌉, never more than C. */
export function coinsFor(moneyMinor: bigint, terms: PurchaseTerms): bigint {
  if (moneyMinor <= 0n) return 0n;
  if (moneyMinor >= terms.amountMinor) return terms.coins;
  return (terms.coins * moneyMinor + terms.amountMinor - 1n) / terms.amountMinor;
}

/** An operation's amounts, by leg. */
type OpTotals = Record<Leg, bigint>;

const zero = (): OpTotals => ({ coins: 0n, 'coins-lost': 0n, money: 0n, 'money-lost': 0n });

const OP_LEG = /^(refund:\d+|chargeback:([^:]+))(?::(reinstate))?:(coins|coins-lost|money|money-lost)$/;

/** Reads a purchase's netting from its transfers (every transfer with ref `purchase:<id>`). */
export function nettingOf(terms: PurchaseTerms, transfers: readonly CommittedTransfer[]): PurchaseNetting {
  const ref = purchaseRef(terms.purchaseId);
  let coinsIssued = 0n;
  let moneyPaid = 0n;
  const refunds = zero();
  const charged = new Map<string, { booked: OpTotals; reinstated: OpTotals | null }>();
  for (const t of transfers) {
    if (t.ref !== ref) continue;
    if (t.id === ref) {
      coinsIssued = t.amount;
      continue;
    }
    if (t.id === `${ref}:money`) {
      moneyPaid = t.amount;
      continue;
    }
    if (!t.id.startsWith(`${ref}:`)) continue;
    const m = OP_LEG.exec(t.id.slice(ref.length + 1));
    if (m === null) continue;
    const leg = m[4] as Leg;
    const disputeId = m[2];
    let totals: OpTotals;
    if (disputeId === undefined) {
      totals = refunds;
    } else {
      const entry = charged.get(disputeId) ?? { booked: zero(), reinstated: null };
      charged.set(disputeId, entry);
      totals = m[3] === 'reinstate' ? (entry.reinstated ??= zero()) : entry.booked;
    }
    totals[leg] += t.amount;
  }
  const net = { ...refunds };
  const chargebacks = new Map<string, { money: bigint; reinstated: boolean }>();
  let moneyChargedBack = 0n;
  let moneyReinstated = 0n;
  let coinsReinstated = 0n;
  for (const [disputeId, { booked, reinstated }] of charged) {
    const money = moneyOf(booked) - (reinstated ? moneyOf(reinstated) : 0n);
    moneyChargedBack += money;
    if (reinstated) {
      moneyReinstated += moneyOf(reinstated);
      coinsReinstated += reinstated.coins + reinstated['coins-lost'];
    }
    chargebacks.set(disputeId, { money: moneyOf(booked), reinstated: reinstated !== null });
    for (const leg of LEGS) net[leg] += booked[leg] - (reinstated ? reinstated[leg] : 0n);
  }
  return {
    paid: coinsIssued > 0n,
    coinsIssued,
    moneyPaid,
    moneyRefunded: moneyOf(refunds),
    moneyChargedBack,
    coinsReversed: net.coins,
    coinsLost: net['coins-lost'],
    moneyLost: net['money-lost'],
    moneyReinstated,
    coinsReinstated,
    chargebacks,
  };
}

/** The money an operation moved: what it reversed plus what it booked as lost. */
function moneyOf(t: OpTotals): bigint {
  return t.money + t['money-lost'];
}

/** Money back so far, all causes, net of reinstatements. */
export function moneyBackOf(n: PurchaseNetting): bigint {
  return n.moneyRefunded + n.moneyChargedBack;
}

/** Coins back so far (reversed + lost), net of reinstatements. */
export function coinsBackOf(n: PurchaseNetting): bigint {
  return n.coinsReversed + n.coinsLost;
}

export interface MoneyBackPlan {
  /** The linked group to submit; empty when nothing is left to move. */
  readonly transfers: readonly MovementRequest[];
  readonly moneyMinor: bigint;
  readonly coinsReversed: bigint;
  readonly coinsLost: bigint;
}

/**
 * The transfers that take `moneyMinor` more back from the purchase: the coins it owes back, from the
 * wallet as far as `walletAvailable` covers them, the rest booked as lost. `opId` names the operation
 * (refundOpId / chargebackOpId). Guards, checked atomically by the ledger, make a plan computed from
 * a stale netting fail (cap_exceeded) instead of over-reversing when two operations race:
 *   - money back never passes the price (plus what won disputes reinstated),
 *   - coins back never pass what the money back owes,
 *   - for a refund, refunded money never passes the provider's cumulative figure `refundedTotal`.
 */
export function planMoneyBack(input: {
  readonly terms: PurchaseTerms;
  readonly netting: PurchaseNetting;
  readonly kind: 'refund' | 'chargeback';
  readonly opId: string;
  readonly moneyMinor: bigint;
  readonly walletAvailable: bigint;
  readonly metadata?: Readonly<Record<string, string | number | boolean | null>>;
}): MoneyBackPlan {
  const { terms, netting } = input;
  const moneyBefore = moneyBackOf(netting);
  const room = terms.amountMinor - moneyBefore;
  const money = input.moneyMinor < room ? input.moneyMinor : room;
  if (money <= 0n) return { transfers: [], moneyMinor: 0n, coinsReversed: 0n, coinsLost: 0n };

  const coinsOwed = coinsFor(moneyBefore + money, terms) - coinsBackOf(netting);
  const coins = coinsOwed > 0n ? coinsOwed : 0n;
  const wallet = input.walletAvailable > 0n ? input.walletAvailable : 0n;
  const reversed = coins < wallet ? coins : wallet;
  const lost = coins - reversed;
  // The money splits like the coins: the part whose coins came back reverses revenue, the part
  // whose coins were gifted is a loss. With no coins left to owe, the money reverses revenue.
  const moneyLost = coins === 0n ? 0n : (money * lost) / coins;
  const moneyReversed = money - moneyLost;

  const code: TransferCode = input.kind === 'refund' ? 'REFUND' : 'CHARGEBACK';
  const fiat = fiatAccounts(terms.currency);
  const wallets = userAccounts(terms.userId);
  const ref = purchaseRef(terms.purchaseId);
  const metadata = { purchaseId: terms.purchaseId, ...input.metadata };
  // The caps count gross amounts (a reinstatement does not uncount), so each limit is the net
  // bound plus what won disputes reinstated.
  const moneyCaps: SpendCap[] = [{ key: moneyBackCapKey(terms.purchaseId), limit: terms.amountMinor + netting.moneyReinstated }];
  if (input.kind === 'refund') moneyCaps.push({ key: refundCapKey(terms.purchaseId), limit: netting.moneyRefunded + money });
  const coinCaps: SpendCap[] = [{ key: coinsBackCapKey(terms.purchaseId), limit: coinsFor(moneyBefore + money, terms) + netting.coinsReinstated }];

  const legs: MovementRequest[] = [];
  const leg = (suffix: Leg, legCode: TransferCode, debit: string, credit: string, amount: bigint, caps: SpendCap[]) => {
    if (amount > 0n) legs.push({ id: `${input.opId}:${suffix}`, code: legCode, kind: 'single', debitAccountId: debit, creditAccountId: credit, amount, ref, metadata, caps });
  };
  leg(LEG.coins, code, wallets.coins.id, SystemAccounts.coinReversals.id, reversed, coinCaps);
  leg(LEG.coinsLost, 'LOSS', SystemAccounts.coinGiftSink.id, SystemAccounts.coinLosses.id, lost, coinCaps);
  leg(LEG.money, code, fiat.revenue.id, fiat.providerClearing.id, moneyReversed, moneyCaps);
  leg(LEG.moneyLost, 'LOSS', fiat.losses.id, fiat.providerClearing.id, moneyLost, moneyCaps);
  return { transfers: legs, moneyMinor: money, coinsReversed: reversed, coinsLost: lost };
}

/**
 * The transfers that undo a chargeback exactly (a won dispute): each booked leg moved back, by its
 * own transfer. `booked` are the chargeback's committed legs (those that exist).
 */
export function planReinstatement(purchaseId: string, disputeId: string, booked: readonly CommittedTransfer[]): MovementRequest[] {
  const op = chargebackOpId(purchaseId, disputeId);
  const reinstate = reinstateOpId(purchaseId, disputeId);
  return booked
    .filter((t) => t.id.startsWith(`${op}:`) && !t.id.startsWith(`${reinstate}:`))
    .map((t) => ({
      id: `${reinstate}:${t.id.slice(op.length + 1)}`,
      code: 'REVERSAL' as const,
      kind: 'single' as const,
      debitAccountId: t.creditAccountId,
      creditAccountId: t.debitAccountId,
      amount: t.amount,
      ref: purchaseRef(purchaseId),
      metadata: { purchaseId, disputeId, reverses: t.id },
    }));
}
