// The rules of money coming back, on their own: coins owed rounded in the platform's favour, the
// wallet's part reversed and the gifted part lost, netting read back from the transfers alone, a won
// dispute undone exactly — and, for random sequences of spends, refunds, chargebacks and
// reinstatements, never more money or coins back than the purchase had.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fiatAccounts, SystemAccounts, userAccounts } from './accounts.js';
import type { CommittedTransfer, MovementRequest } from './ledger.js';
import {
  chargebackOpId,
  coinsBackOf,
  coinsFor,
  disputeKey,
  moneyBackOf,
  nettingOf,
  planMoneyBack,
  planReinstatement,
  refundOpId,
  type PurchaseTerms,
} from './money-back.js';

const terms = (coins: bigint, amountMinor: bigint): PurchaseTerms => ({ purchaseId: 'p1', userId: 'u1', coins, amountMinor, currency: 'USD' });

/** A committed copy of a planned leg (only what nettingOf and planReinstatement read). */
function commit(r: MovementRequest, seq: number): CommittedTransfer {
  return {
    seq: BigInt(seq),
    id: r.id,
    code: r.code,
    kind: 'single',
    pendingId: null,
    debitAccountId: r.debitAccountId,
    creditAccountId: r.creditAccountId,
    asset: r.debitAccountId.startsWith('system:fiat:') ? 'FIAT:USD' : 'COIN',
    amount: r.amount,
    metadata: '{}',
    ref: r.ref ?? null,
    createdAtMs: 0n,
    debitAvailableAfter: 0n,
    creditAvailableAfter: 0n,
    debitPrevSeq: null,
    creditPrevSeq: null,
    fingerprint: '',
    prevHash: '',
    hash: '',
  };
}

/** The purchase's own two transfers: money in, coins issued. */
function paid(t: PurchaseTerms): CommittedTransfer[] {
  const ref = `purchase:${t.purchaseId}`;
  return [
    commit({ id: `${ref}:money`, code: 'PURCHASE', kind: 'single', debitAccountId: fiatAccounts('USD').providerClearing.id, creditAccountId: fiatAccounts('USD').revenue.id, amount: t.amountMinor, ref }, 1),
    commit({ id: ref, code: 'PURCHASE', kind: 'single', debitAccountId: SystemAccounts.coinIssuance.id, creditAccountId: userAccounts(t.userId).coins.id, amount: t.coins, ref }, 2),
  ];
}

describe('coinsFor', () => {
  it('rounds up, in the platform’s favour, and never past the coins bought', () => {
    const t = terms(700n, 999n);
    expect(coinsFor(500n, t)).toBe(351n); // 350.35…
    expect(coinsFor(1n, t)).toBe(1n);
    expect(coinsFor(999n, t)).toBe(700n);
    expect(coinsFor(5000n, t)).toBe(700n);
    expect(coinsFor(0n, t)).toBe(0n);
  });
});

describe('planMoneyBack', () => {
  it('reverses what the wallet holds and books the gifted rest as a loss, the money split alike', () => {
    const t = terms(350n, 499n);
    const plan = planMoneyBack({ terms: t, netting: nettingOf(t, paid(t)), kind: 'refund', opId: refundOpId('p1', 499n), moneyMinor: 499n, walletAvailable: 250n });
    expect(plan).toMatchObject({ moneyMinor: 499n, coinsReversed: 250n, coinsLost: 100n });
    expect(plan.transfers.map((r) => [r.id.split(':').at(-1), r.code, r.debitAccountId, r.creditAccountId, r.amount])).toEqual([
      ['coins', 'REFUND', 'user:u1:coins', 'system:coin:reversals', 250n],
      ['coins-lost', 'LOSS', 'system:coin:gift-sink', 'system:coin:losses', 100n],
      ['money', 'REFUND', 'system:fiat:USD:revenue', 'system:fiat:USD:provider-clearing', 357n],
      ['money-lost', 'LOSS', 'system:fiat:USD:losses', 'system:fiat:USD:provider-clearing', 142n],
    ]);
  });

  it('plans nothing once the whole price is back, and never more than what is left of it', () => {
    const t = terms(70n, 99n);
    const all = planMoneyBack({ terms: t, netting: nettingOf(t, paid(t)), kind: 'refund', opId: refundOpId('p1', 99n), moneyMinor: 99n, walletAvailable: 70n });
    const after = nettingOf(t, [...paid(t), ...all.transfers.map((r, i) => commit(r, 10 + i))]);
    expect(after).toMatchObject({ moneyRefunded: 99n, coinsReversed: 70n, coinsLost: 0n });
    const more = planMoneyBack({ terms: t, netting: after, kind: 'chargeback', opId: chargebackOpId('p1', 'dp_1'), moneyMinor: 99n, walletAvailable: 0n });
    expect(more.transfers).toEqual([]);
  });

  it('carries the guards the ledger checks atomically: money back, coins back and the refund total', () => {
    const t = terms(700n, 999n);
    const plan = planMoneyBack({ terms: t, netting: nettingOf(t, paid(t)), kind: 'refund', opId: refundOpId('p1', 300n), moneyMinor: 300n, walletAvailable: 700n });
    const caps = plan.transfers.flatMap((r) => (r.caps ?? []).map((c) => `${r.id.split(':').at(-1)} ${c.key} ≤ ${c.limit}`));
    expect(caps).toEqual(['coins purchase:p1:coins-back ≤ 211', 'money purchase:p1:money-back ≤ 999', 'money purchase:p1:refunded ≤ 300']);
  });
});

describe('planReinstatement', () => {
  it('moves every leg of the chargeback back, by its own transfer', () => {
    const t = terms(350n, 499n);
    const cb = planMoneyBack({ terms: t, netting: nettingOf(t, paid(t)), kind: 'chargeback', opId: chargebackOpId('p1', 'dp_x'), moneyMinor: 499n, walletAvailable: 300n });
    const booked = cb.transfers.map((r, i) => commit(r, 10 + i));
    const back = planReinstatement('p1', 'dp_x', booked);
    expect(back.map((r) => [r.code, r.debitAccountId, r.creditAccountId, r.amount])).toEqual(booked.map((b) => ['REVERSAL', b.creditAccountId, b.debitAccountId, b.amount]));
    const after = nettingOf(t, [...paid(t), ...booked, ...back.map((r, i) => commit(r, 20 + i))]);
    expect(after).toMatchObject({ moneyChargedBack: 0n, coinsReversed: 0n, coinsLost: 0n, moneyLost: 0n, moneyReinstated: 499n, coinsReinstated: 350n });
  });
});

describe('money back over random histories', () => {
  type Op = { kind: 'spend'; coins: number } | { kind: 'refund'; minor: number } | { kind: 'chargeback'; minor: number } | { kind: 'reinstate'; which: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant('spend' as const), coins: fc.integer({ min: 0, max: 5000 }) }),
    fc.record({ kind: fc.constant('refund' as const), minor: fc.integer({ min: 1, max: 3000 }) }),
    fc.record({ kind: fc.constant('chargeback' as const), minor: fc.integer({ min: 1, max: 3000 }) }),
    fc.record({ kind: fc.constant('reinstate' as const), which: fc.nat(5) }),
  );

  it('never gives back more money or coins than the purchase had, and keeps coins back in step with money back', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 20_000n }), fc.bigInt({ min: 1n, max: 9_999n }), fc.array(op, { maxLength: 12 }), (coins, amount, ops) => {
        const t = terms(coins, amount);
        const transfers = paid(t);
        let wallet = coins;
        let seq = 100;
        let reinstated = false;
        const disputes: string[] = [];
        for (const o of ops) {
          const netting = nettingOf(t, transfers);
          if (o.kind === 'spend') {
            wallet -= BigInt(Math.min(o.coins, Number(wallet)));
            continue;
          }
          if (o.kind === 'reinstate') {
            const d = disputes[o.which % Math.max(disputes.length, 1)];
            if (d === undefined || netting.chargebacks.get(disputeKey(d))?.reinstated !== false) continue;
            const booked = transfers.filter((x) => x.id.startsWith(`${chargebackOpId('p1', d)}:`));
            for (const r of planReinstatement('p1', d, booked)) {
              transfers.push(commit(r, seq++));
              if (r.creditAccountId === userAccounts('u1').coins.id) wallet += r.amount;
            }
            reinstated = true;
            continue;
          }
          const d = `dp${disputes.length}`;
          const plan =
            o.kind === 'refund'
              ? planMoneyBack({ terms: t, netting, kind: 'refund', opId: refundOpId('p1', netting.moneyRefunded + BigInt(o.minor)), moneyMinor: BigInt(o.minor), walletAvailable: wallet })
              : planMoneyBack({ terms: t, netting, kind: 'chargeback', opId: chargebackOpId('p1', d), moneyMinor: BigInt(o.minor), walletAvailable: wallet });
          if (o.kind === 'chargeback' && plan.transfers.length > 0) disputes.push(d);
          expect(plan.coinsReversed <= wallet).toBe(true);
          const moneyLegs = plan.transfers.filter((r) => r.debitAccountId.startsWith('system:fiat:'));
          expect(moneyLegs.reduce((s, r) => s + r.amount, 0n)).toBe(plan.moneyMinor);
          for (const r of plan.transfers) {
            transfers.push(commit(r, seq++));
            if (r.debitAccountId === userAccounts('u1').coins.id) wallet -= r.amount;
          }
        }
        const n = nettingOf(t, transfers);
        const money = moneyBackOf(n);
        const back = coinsBackOf(n);
        expect(money >= 0n && money <= amount).toBe(true);
        expect(back >= 0n && back <= coins).toBe(true);
        expect(n.moneyLost >= 0n && n.moneyLost <= money).toBe(true);
        if (!reinstated) expect(back).toBe(coinsFor(money, t));
        if (money === amount && !reinstated) expect(back).toBe(coins);
      }),
      { numRuns: 500 },
    );
  });
});
