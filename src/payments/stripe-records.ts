// Stripe's records for `livegift reconcile --provider`: the platform balance's transactions, read
// with their sources expanded, as movements keyed by our purchase or payout id (src/domain/
// provider-reconcile.ts compares them with our FIAT ledgers).
import type Stripe from 'stripe';
import type { MovementKind, ProviderMovement, ProviderRecords } from '../domain/provider-reconcile.js';
import { purchaseOfCharge } from './stripe-client.js';

export class StripeRecords implements ProviderRecords {
  readonly name = 'stripe';

  /** `kinds`: what Stripe handles here (charges, refunds and chargebacks with Stripe payments; payouts with Connect). */
  constructor(private readonly stripe: Stripe, private readonly kinds: ReadonlySet<MovementKind>) {}

  /**
   * Every money movement on the platform's Stripe balance, as `livegift reconcile --provider`
   * compares it with our FIAT ledgers: charges and refunds of purchases, dispute withdrawals and
   * reinstatements, and transfers (and their reversals) of payouts to connected accounts.
   */
  async *movements(): AsyncIterable<ProviderMovement> {
    for await (const m of this.all()) if (this.kinds.has(m.kind)) yield m;
  }

  private async *all(): AsyncIterable<ProviderMovement> {
    const purchases = new Map<string, string | null>();
    const purchaseOf = async (charge: string | Stripe.Charge): Promise<string | null> => {
      const id = typeof charge === 'string' ? charge : charge.id;
      if (!purchases.has(id)) purchases.set(id, await purchaseOfCharge(this.stripe, charge));
      return purchases.get(id) ?? null;
    };
    for await (const t of this.stripe.balanceTransactions.list({ limit: 100, expand: ['data.source'] })) {
      const source = t.source;
      if (source === null || typeof source === 'string') continue;
      const currency = t.currency.toUpperCase();
      const base = { ref: t.id, currency, feeMinor: BigInt(t.fee) };
      if (source.object === 'charge') {
        const purchaseId = await purchaseOf(source);
        yield { ...base, kind: 'charge', subject: purchaseId ?? `charge:${source.id}`, amountMinor: BigInt(t.amount) };
      } else if (source.object === 'refund') {
        const purchaseId = source.charge === null ? null : await purchaseOf(source.charge);
        yield { ...base, kind: 'refund', subject: purchaseId ?? `refund:${source.id}`, amountMinor: BigInt(-t.amount) };
      } else if (source.object === 'dispute') {
        const purchaseId = await purchaseOf(source.charge);
        yield { ...base, kind: 'chargeback', subject: purchaseId ?? `dispute:${source.id}`, amountMinor: BigInt(-t.amount) };
      } else if (source.object === 'transfer') {
        const payoutId = source.metadata.payoutId;
        yield { ...base, kind: 'payout', subject: typeof payoutId === 'string' ? payoutId : `transfer:${source.id}`, amountMinor: BigInt(-t.amount) };
      } else if (source.object === 'transfer_reversal') {
        const transfer = typeof source.transfer === 'string' ? await this.stripe.transfers.retrieve(source.transfer) : source.transfer;
        const payoutId = transfer.metadata.payoutId;
        yield { ...base, kind: 'payout', subject: typeof payoutId === 'string' ? payoutId : `transfer:${transfer.id}`, amountMinor: BigInt(-t.amount) };
      } else {
        // Fees, the platform's own bank payouts, top-ups: not money of purchases or creators' payouts.
        yield { ...base, kind: 'other', subject: `${t.type}:${t.id}`, amountMinor: BigInt(t.amount) };
      }
    }
  }
}
