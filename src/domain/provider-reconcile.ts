// Provider reconciliation: does our FIAT ledger agree with the payment provider's own records? Pure:
// our side is read from the ledger's transfers that touch a currency's provider-clearing account
// (every money movement at the provider does), theirs from the provider (balance transactions,
// payouts); both become movements keyed by what they are about, summed, and compared.
//
//   charge      a purchase paid                 ours: purchase:<id>:money
//   refund      money refunded to the buyer     ours: purchase:<id>:refund:<T>:money[-lost]
//   chargeback  money taken by a dispute        ours: purchase:<id>:chargeback:<dp>:money[-lost]
//               (negative: reinstated, won)          …:chargeback:<dp>:reinstate:money[-lost]
//   payout      money sent to a creator         ours: payout:<id>:fiat
//
// Every subject whose sums differ, in either direction (missing on one side, or another amount or
// currency), is a difference. The provider's fees are not in our ledger (we book gross amounts) and
// are reported per currency, not as differences.
import type { CommittedTransfer } from './ledger.js';

export type MovementKind = 'charge' | 'refund' | 'chargeback' | 'payout' | 'other';

export interface ProviderMovement {
  readonly kind: MovementKind;
  /** What it is about: our purchase id or payout id (or the provider's object when it names none of ours). */
  readonly subject: string;
  /** ISO 4217, upper case. */
  readonly currency: string;
  /** Money moved, positive in the kind's usual direction (a reinstated chargeback is negative). */
  readonly amountMinor: bigint;
  /** The record it comes from (our transfer id, the provider's transaction id). */
  readonly ref: string;
  /** The provider's fee on it, when it says (theirs only). */
  readonly feeMinor?: bigint;
}

/** Where a provider's records come from (src/payments adapters). */
export interface ProviderRecords {
  readonly name: string;
  movements(): AsyncIterable<ProviderMovement>;
}

export interface ProviderDifference {
  readonly kind: MovementKind;
  readonly subject: string;
  readonly currency: string;
  /** Sum on our side (0 when we have none), and on theirs. */
  readonly ours: string;
  readonly theirs: string;
  readonly problem: 'missing_at_provider' | 'missing_in_ledger' | 'amount_differs';
  /** The records behind the sums, for whoever looks into it. */
  readonly ourRefs: readonly string[];
  readonly theirRefs: readonly string[];
}

export interface ProviderReconcileReport {
  readonly ok: boolean;
  readonly provider: string;
  /** Subjects compared and movements read on each side. */
  readonly subjects: number;
  readonly ourMovements: number;
  readonly theirMovements: number;
  /** Per currency and kind: our sum and theirs. */
  readonly totals: Record<string, Record<string, { ours: string; theirs: string }>>;
  /** The provider's fees per currency (not in our ledger). */
  readonly fees: Record<string, string>;
  /** Our transfers not from a provider (the demo seed), left out of the comparison. */
  readonly skipped: number;
  readonly differences: readonly ProviderDifference[];
}

const DIFFERENCES_MAX = 1000;

const PURCHASE = /^purchase:([^:]+):(?:money|refund:\d+:(money|money-lost)|chargeback:[^:]+:(money|money-lost)|chargeback:[^:]+:reinstate:(money|money-lost))$/;
const PAYOUT = /^payout:([^:]+):fiat$/;

/**
 * Our movements from FIAT transfers that touch provider clearing (`clearingAccountIds`). Transfers of
 * the demo seed (ref `demo:…`) are counted as skipped; anything else unexpected is an `other`.
 */
export function ledgerMovements(transfers: readonly CommittedTransfer[], clearingAccountIds: ReadonlySet<string>): { movements: ProviderMovement[]; skipped: number } {
  const movements: ProviderMovement[] = [];
  let skipped = 0;
  for (const t of transfers) {
    if (t.kind !== 'single' || !t.asset.startsWith('FIAT:')) continue;
    if (!clearingAccountIds.has(t.debitAccountId) && !clearingAccountIds.has(t.creditAccountId)) continue;
    const currency = t.asset.slice('FIAT:'.length);
    if (t.ref?.startsWith('demo:') === true) {
      skipped++;
      continue;
    }
    const payout = PAYOUT.exec(t.id);
    if (payout?.[1] !== undefined) {
      movements.push({ kind: 'payout', subject: payout[1], currency, amountMinor: t.amount, ref: t.id });
      continue;
    }
    const purchase = PURCHASE.exec(t.id);
    const purchaseId = purchase?.[1];
    if (purchase === null || purchaseId === undefined) {
      movements.push({ kind: 'other', subject: t.id, currency, amountMinor: t.amount, ref: t.id });
      continue;
    }
    const [, , refundLeg, chargebackLeg, reinstateLeg] = purchase;
    const kind: MovementKind = refundLeg !== undefined ? 'refund' : chargebackLeg !== undefined || reinstateLeg !== undefined ? 'chargeback' : 'charge';
    movements.push({ kind, subject: purchaseId, currency, amountMinor: reinstateLeg !== undefined ? -t.amount : t.amount, ref: t.id });
  }
  return { movements, skipped };
}

interface Side {
  sum: bigint;
  refs: string[];
}

/** Compares our movements with the provider's, subject by subject. */
export function compareWithProvider(input: {
  readonly provider: string;
  readonly ours: readonly ProviderMovement[];
  readonly theirs: readonly ProviderMovement[];
  readonly skipped: number;
}): ProviderReconcileReport {
  const groups = new Map<string, { kind: MovementKind; subject: string; currency: string; ours: Side; theirs: Side }>();
  const totals: Record<string, Record<string, { ours: bigint; theirs: bigint }>> = {};
  const fees: Record<string, bigint> = {};
  const add = (m: ProviderMovement, side: 'ours' | 'theirs') => {
    const key = `${m.kind}\u0000${m.subject}\u0000${m.currency}`;
    let g = groups.get(key);
    if (!g) {
      g = { kind: m.kind, subject: m.subject, currency: m.currency, ours: { sum: 0n, refs: [] }, theirs: { sum: 0n, refs: [] } };
      groups.set(key, g);
    }
    g[side].sum += m.amountMinor;
    g[side].refs.push(m.ref);
    const byKind = (totals[m.currency] ??= {});
    const total = (byKind[m.kind] ??= { ours: 0n, theirs: 0n });
    total[side] += m.amountMinor;
    if (side === 'theirs' && m.feeMinor !== undefined) fees[m.currency] = (fees[m.currency] ?? 0n) + m.feeMinor;
  };
  for (const m of input.ours) add(m, 'ours');
  for (const m of input.theirs) add(m, 'theirs');

  const differences: ProviderDifference[] = [];
  for (const g of groups.values()) {
    if (g.ours.sum === g.theirs.sum) continue;
    if (differences.length >= DIFFERENCES_MAX) break;
    const problem = g.ours.refs.length === 0 ? 'missing_in_ledger' : g.theirs.refs.length === 0 ? 'missing_at_provider' : 'amount_differs';
    differences.push({ kind: g.kind, subject: g.subject, currency: g.currency, ours: g.ours.sum.toString(), theirs: g.theirs.sum.toString(), problem, ourRefs: g.ours.refs, theirRefs: g.theirs.refs });
  }
  differences.sort((a, b) => (a.kind === b.kind ? a.subject.localeCompare(b.subject) : a.kind.localeCompare(b.kind)));
  return {
    ok: differences.length === 0,
    provider: input.provider,
    subjects: groups.size,
    ourMovements: input.ours.length,
    theirMovements: input.theirs.length,
    totals: Object.fromEntries(
      Object.entries(totals).map(([currency, kinds]) => [currency, Object.fromEntries(Object.entries(kinds).map(([k, v]) => [k, { ours: v.ours.toString(), theirs: v.theirs.toString() }]))]),
    ),
    fees: Object.fromEntries(Object.entries(fees).map(([c, v]) => [c, v.toString()])),
    skipped: input.skipped,
    differences,
  };
}
