// The sandbox providers' records for `livegift reconcile --provider`: what their own tables say was
// charged, refunded, charged back (and reinstated) and paid out, as movements keyed by our purchase
// and payout ids — the same shape as Stripe's balance transactions give.
import type { Kysely } from 'kysely';
import type { MovementKind, ProviderMovement, ProviderRecords } from '../domain/provider-reconcile.js';
import type { Database } from '../storage/schema.js';
import type { SandboxDatabase } from './sandbox-payment-provider.js';
import type { SandboxPayoutDatabase } from './sandbox-payout-provider.js';

export class SandboxRecords implements ProviderRecords {
  readonly name = 'sandbox';
  private readonly db: Kysely<Database & SandboxDatabase & SandboxPayoutDatabase>;

  /** `kinds`: what the sandbox handles here (purchases with sandbox payments; payouts with sandbox payouts). */
  constructor(db: Kysely<Database>, private readonly kinds: ReadonlySet<MovementKind>) {
    this.db = db.withTables<SandboxDatabase & SandboxPayoutDatabase>();
  }

  async *movements(): AsyncIterable<ProviderMovement> {
    if (this.kinds.has('charge')) {
      const rows = await this.db.selectFrom('sandbox_checkouts').selectAll().where('status', '=', 'paid').orderBy('ref').execute();
      for (const r of rows) {
        const base = { subject: r.purchase_id, currency: r.currency };
        yield { ...base, kind: 'charge', amountMinor: BigInt(r.amount_minor), ref: r.ref };
        const refunded = BigInt(r.refunded_minor);
        if (refunded > 0n) yield { ...base, kind: 'refund', amountMinor: refunded, ref: `${r.ref}:refunds` };
        const disputed = BigInt(r.disputed_minor);
        if (r.dispute_status !== null && disputed > 0n) {
          yield { ...base, kind: 'chargeback', amountMinor: disputed, ref: `${r.ref}:dispute` };
          if (r.dispute_status === 'won') yield { ...base, kind: 'chargeback', amountMinor: -disputed, ref: `${r.ref}:dispute:won` };
        }
      }
    }
    if (this.kinds.has('payout')) {
      const rows = await this.db.selectFrom('sandbox_payouts').selectAll().where('status', '=', 'paid').orderBy('payout_id').execute();
      for (const r of rows) yield { kind: 'payout', subject: r.payout_id, currency: r.currency, amountMinor: BigInt(r.amount_minor), ref: r.ref };
    }
  }
}
