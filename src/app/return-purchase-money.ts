// Money coming back after a purchase was paid, as the payment provider verifiably reports it:
// refunds, chargebacks (a dispute opened or lost) and reinstatements (a dispute won). The rules and
// the transfers are src/domain/money-back.ts; this use case reads where the purchase stands from its
// own ledger transfers, books what is still missing, and retries when another booking raced it.
//
// Exactly once, whatever order and however often the events arrive:
// - a refund is booked up to the provider's cumulative refunded figure (`…:refund:<T>`): a replay
//   finds the money already back and books nothing; an older, smaller figure books nothing either;
// - a chargeback is booked once per dispute id; a reinstatement mirrors that booking once;
// - the ledger checks caps inside its transaction, so a plan made from a stale read is refused
//   (cap_exceeded, insufficient_funds, id_conflict) and made again from a fresh one.
import { userAccounts } from '../domain/accounts.js';
import { availableOf, type CommittedTransfer, type GroupOutcome } from '../domain/ledger.js';
import {
  chargebackOpId,
  disputeKey,
  LEG,
  nettingOf,
  planMoneyBack,
  planReinstatement,
  purchaseRef,
  refundOpId,
  reinstateOpId,
  type PurchaseNetting,
  type PurchaseTerms,
} from '../domain/money-back.js';
import type { AuditLog, Clock, LedgerStore, Purchase, PurchaseStore, UserStore } from './ports.js';

/** Fresh plans tried before giving up (each lost race re-reads; more than a few means a bug). */
const ATTEMPTS_MAX = 8;
/** Transfers a purchase can have: the purchase, refunds and disputes, a handful each. */
const PURCHASE_TRANSFERS_MAX = 1000;

export interface MoneyBackDeps {
  readonly purchases: PurchaseStore;
  readonly ledger: LedgerStore;
  readonly users: UserStore;
  readonly clock: Clock;
  readonly audit: AuditLog;
}

export interface MoneyBackResult {
  /** What this call booked (zeros for a replay). */
  readonly moneyMinor: bigint;
  readonly coinsReversed: bigint;
  readonly coinsLost: bigint;
  /** Where the purchase stands after it. */
  readonly netting: PurchaseNetting;
}

export function termsOf(p: Purchase): PurchaseTerms {
  return { purchaseId: p.id, userId: p.userId, coins: p.coins, amountMinor: p.amountMinor, currency: p.currency };
}

/** The purchase's netting, read from its transfers. */
export async function readNetting(purchase: Purchase, ledger: LedgerStore): Promise<PurchaseNetting> {
  const transfers = await ledger.listByRef(purchaseRef(purchase.id), { limit: PURCHASE_TRANSFERS_MAX });
  return nettingOf(termsOf(purchase), transfers);
}

/** Brings the purchase's refunded money up to the provider's cumulative figure. */
export async function refundPurchase(purchase: Purchase, input: { refundedTotalMinor: bigint; eventId: string }, deps: MoneyBackDeps): Promise<MoneyBackResult> {
  const result = await bookMoneyBack(purchase, deps, (netting) => ({
    kind: 'refund',
    opId: refundOpId(purchase.id, input.refundedTotalMinor),
    moneyMinor: input.refundedTotalMinor - netting.moneyRefunded,
    metadata: { refundedTotalMinor: input.refundedTotalMinor.toString(), eventId: input.eventId },
  }));
  const nowMs = deps.clock.nowMs();
  const full = result.netting.moneyRefunded >= purchase.amountMinor;
  await deps.purchases.transition(purchase.id, ['paid', 'refunded', 'dispute_won'], 'refunded', nowMs);
  if (result.moneyMinor > 0n) {
    await deps.audit.append({
      atMs: nowMs,
      actorId: null,
      action: 'purchase.refunded',
      subject: purchaseRef(purchase.id),
      details: { ...figures(result), refundedTotalMinor: input.refundedTotalMinor.toString(), full, eventId: input.eventId },
    });
  }
  return result;
}

/** Books a dispute's chargeback (once per dispute). Lost: the buyer's gifting is frozen for review. */
export async function chargeBackPurchase(
  purchase: Purchase,
  input: { disputeId: string; amountMinor: bigint; lost: boolean; eventId: string },
  deps: MoneyBackDeps,
): Promise<MoneyBackResult> {
  const result = await bookChargeback(purchase, input, deps);
  const nowMs = deps.clock.nowMs();
  if (input.lost) {
    await deps.purchases.transition(purchase.id, ['paid', 'refunded', 'disputed'], 'dispute_lost', nowMs);
    await freezeGifting(purchase, input.disputeId, deps);
  } else {
    await deps.purchases.transition(purchase.id, ['paid', 'refunded'], 'disputed', nowMs);
  }
  return result;
}

/** A won dispute: the chargeback (booked now if its opening was never heard of) is undone by its own transfers. */
export async function reinstatePurchase(purchase: Purchase, input: { disputeId: string; amountMinor: bigint; eventId: string }, deps: MoneyBackDeps): Promise<MoneyBackResult> {
  await bookChargeback(purchase, input, deps);
  const op = chargebackOpId(purchase.id, input.disputeId);
  const legs = await Promise.all([LEG.coins, LEG.coinsLost, LEG.money, LEG.moneyLost].map((leg) => deps.ledger.getTransfer(`${op}:${leg}`)));
  const booked = legs.filter((t): t is CommittedTransfer => t !== null);
  const plan = planReinstatement(purchase.id, input.disputeId, booked);
  const nowMs = deps.clock.nowMs();
  let applied = false;
  if (plan.length > 0) {
    const outcome = await deps.ledger.submit(plan);
    if (outcome.status === 'rejected') throw new Error(`the ledger refused to reinstate ${reinstateOpId(purchase.id, input.disputeId)}: ${outcome.rejection.code}`);
    applied = outcome.status === 'applied';
  }
  await deps.purchases.transition(purchase.id, ['paid', 'refunded', 'disputed'], 'dispute_won', nowMs);
  const netting = await readNetting(purchase, deps.ledger);
  const amountOf = (leg: string) => booked.find((t) => t.id === `${op}:${leg}`)?.amount ?? 0n;
  const result: MoneyBackResult = applied
    ? { moneyMinor: -(amountOf(LEG.money) + amountOf(LEG.moneyLost)), coinsReversed: -amountOf(LEG.coins), coinsLost: -amountOf(LEG.coinsLost), netting }
    : { moneyMinor: 0n, coinsReversed: 0n, coinsLost: 0n, netting };
  if (applied) {
    await deps.audit.append({ atMs: nowMs, actorId: null, action: 'purchase.chargeback_reinstated', subject: purchaseRef(purchase.id), details: { ...figures(result), disputeId: input.disputeId, eventId: input.eventId } });
  }
  return result;
}

async function bookChargeback(purchase: Purchase, input: { disputeId: string; amountMinor: bigint; eventId: string }, deps: MoneyBackDeps): Promise<MoneyBackResult> {
  const result = await bookMoneyBack(purchase, deps, (netting) =>
    netting.chargebacks.has(disputeKey(input.disputeId))
      ? null // booked before: a dispute is charged back once, whatever its later events say
      : { kind: 'chargeback', opId: chargebackOpId(purchase.id, input.disputeId), moneyMinor: input.amountMinor, metadata: { disputeId: input.disputeId, eventId: input.eventId } },
  );
  if (result.moneyMinor > 0n) {
    await deps.audit.append({ atMs: deps.clock.nowMs(), actorId: null, action: 'purchase.charged_back', subject: purchaseRef(purchase.id), details: { ...figures(result), disputeId: input.disputeId, eventId: input.eventId } });
  }
  return result;
}

type Operation = { kind: 'refund' | 'chargeback'; opId: string; moneyMinor: bigint; metadata: Record<string, string> } | null;

/** Plans from a fresh read and submits, again while a concurrent booking makes the plan stale. */
async function bookMoneyBack(purchase: Purchase, deps: MoneyBackDeps, operation: (netting: PurchaseNetting) => Operation): Promise<MoneyBackResult> {
  const wallet = userAccounts(purchase.userId).coins.id;
  for (let attempt = 1; attempt <= ATTEMPTS_MAX; attempt++) {
    const netting = await readNetting(purchase, deps.ledger);
    if (!netting.paid) throw new Error(`purchase ${purchase.id} has no coins credited; money back is booked only after it is paid`);
    const op = operation(netting);
    if (op === null || op.moneyMinor <= 0n) return { moneyMinor: 0n, coinsReversed: 0n, coinsLost: 0n, netting };
    const account = await deps.ledger.getAccount(wallet);
    const plan = planMoneyBack({ terms: termsOf(purchase), netting, ...op, walletAvailable: account === null ? 0n : availableOf(account) });
    if (plan.transfers.length === 0) return { moneyMinor: 0n, coinsReversed: 0n, coinsLost: 0n, netting };
    const outcome: GroupOutcome = await deps.ledger.submit(plan.transfers);
    if (outcome.status !== 'rejected') {
      const netting = await readNetting(purchase, deps.ledger);
      if (outcome.status === 'duplicate') return { moneyMinor: 0n, coinsReversed: 0n, coinsLost: 0n, netting };
      return { moneyMinor: plan.moneyMinor, coinsReversed: plan.coinsReversed, coinsLost: plan.coinsLost, netting };
    }
    const code = outcome.rejection.code;
    // Lost a race: the wallet was spent, another booking moved the caps, or the same operation was
    // booked by another node with figures from another moment. Read again and plan again.
    if (code === 'insufficient_funds' || code === 'cap_exceeded' || code === 'id_conflict') continue;
    throw new Error(`the ledger refused money back for purchase ${purchase.id}: ${code}`);
  }
  throw new Error(`money back for purchase ${purchase.id} kept racing other bookings; gave up after ${ATTEMPTS_MAX} attempts`);
}

async function freezeGifting(purchase: Purchase, disputeId: string, deps: MoneyBackDeps): Promise<void> {
  const user = await deps.users.findById(purchase.userId);
  if (!user || user.giftingFrozenAtMs !== null) return;
  const nowMs = deps.clock.nowMs();
  const reason = 'A card payment for your coins was charged back.';
  await deps.users.update(user.id, { giftingFrozenAtMs: nowMs, giftingFrozenReason: reason });
  await deps.audit.append({ atMs: nowMs, actorId: null, action: 'user.gifting_frozen', subject: `user:${user.id}`, details: { reason, purchaseId: purchase.id, disputeId } });
}

function figures(r: MoneyBackResult): Record<string, string> {
  return { moneyMinor: r.moneyMinor.toString(), coinsReversed: r.coinsReversed.toString(), coinsLost: r.coinsLost.toString() };
}
