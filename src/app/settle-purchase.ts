// Applies what the payment provider verifiably says about a purchase: paid → coins credited,
// exactly once; pending / declined → the status moves on. Called from the signed webhook and from
// the return page's verified lookup, in whichever order they arrive, as often as they arrive.
//
// Exactly once because the credit is ONE linked ledger group with ids derived from the purchase
// (`purchase:<id>` and `purchase:<id>:money`): a second settle answers `duplicate` and moves nothing.
import { fiatAccounts, SystemAccounts, userAccounts } from '../domain/accounts.js';
import type { AuditLog, Clock, LedgerStore, Purchase, PurchaseStore } from './ports.js';

export interface VerifiedPayment {
  readonly status: 'open' | 'pending' | 'paid' | 'declined' | 'expired';
  readonly currency: string;
  readonly amountMinor: bigint;
}

export class PaymentMismatch extends Error {
  readonly code = 'payment_mismatch';
}

export async function settlePurchase(
  purchase: Purchase,
  payment: VerifiedPayment,
  deps: { purchases: PurchaseStore; ledger: LedgerStore; clock: Clock; audit: AuditLog },
): Promise<Purchase> {
  const nowMs = deps.clock.nowMs();
  switch (payment.status) {
    case 'open':
      return purchase;
    case 'pending':
      await deps.purchases.transition(purchase.id, ['created'], 'pending', nowMs);
      break;
    case 'declined':
    case 'expired':
      await deps.purchases.transition(purchase.id, ['created', 'pending'], 'declined', nowMs);
      break;
    case 'paid': {
      // A paid amount that is not what we priced is never credited: it needs a person.
      if (payment.amountMinor !== purchase.amountMinor || payment.currency !== purchase.currency) {
        await deps.audit.append({
          atMs: nowMs,
          actorId: null,
          action: 'purchase.amount_mismatch',
          subject: `purchase:${purchase.id}`,
          details: { expected: `${purchase.amountMinor} ${purchase.currency}`, paid: `${payment.amountMinor} ${payment.currency}` },
        });
        throw new PaymentMismatch(`purchase ${purchase.id}: provider reports ${payment.amountMinor} ${payment.currency}`);
      }
      const fiat = fiatAccounts(purchase.currency);
      const ref = `purchase:${purchase.id}`;
      const metadata = { purchaseId: purchase.id, userId: purchase.userId, provider: purchase.provider };
      const outcome = await deps.ledger.submit([
        { id: `${ref}:money`, code: 'PURCHASE', kind: 'single', debitAccountId: fiat.providerClearing.id, creditAccountId: fiat.revenue.id, amount: purchase.amountMinor, ref, metadata },
        { id: ref, code: 'PURCHASE', kind: 'single', debitAccountId: SystemAccounts.coinIssuance.id, creditAccountId: userAccounts(purchase.userId).coins.id, amount: purchase.coins, ref, metadata },
      ]);
      if (outcome.status === 'rejected') throw new Error(`ledger refused purchase ${purchase.id}: ${outcome.rejection.code}`);
      // Paid wins over whatever the status was: a late "pending" never moves it back.
      const moved = await deps.purchases.transition(purchase.id, ['created', 'pending', 'declined'], 'paid', nowMs);
      if (outcome.status === 'applied' || moved) {
        await deps.audit.append({
          atMs: nowMs,
          actorId: null,
          action: 'purchase.paid',
          subject: ref,
          details: { coins: purchase.coins.toString(), amountMinor: purchase.amountMinor.toString(), currency: purchase.currency, ledger: outcome.status },
        });
      }
      break;
    }
  }
  return (await deps.purchases.get(purchase.id)) ?? purchase;
}
