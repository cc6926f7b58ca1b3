// The buyer is back from the checkout (or a client polls): ask the provider, verifiably, how the
// payment stands, and settle from that. Never from the redirect alone.
import { NotFound } from '../domain/errors.js';
import type { AuditLog, Clock, LedgerStore, PaymentProvider, Purchase, PurchaseStore } from './ports.js';
import { settlePurchase } from './settle-purchase.js';

export interface ConfirmPurchaseInput {
  readonly purchaseId: string;
  /** When given, the purchase must be this user's (API reads); the return page passes none. */
  readonly userId?: string | undefined;
}

export async function confirmPurchase(
  input: ConfirmPurchaseInput,
  deps: { payments: PaymentProvider; purchases: PurchaseStore; ledger: LedgerStore; clock: Clock; audit: AuditLog },
): Promise<Purchase> {
  const purchase = await deps.purchases.get(input.purchaseId);
  if (!purchase || (input.userId !== undefined && purchase.userId !== input.userId)) throw new NotFound('No such purchase.');
  if (purchase.providerRef === null || !['created', 'pending'].includes(purchase.status)) return purchase;
  const checkout = await deps.payments.getCheckout(purchase.providerRef);
  if (!checkout || checkout.purchaseId !== purchase.id) return purchase;
  return settlePurchase(purchase, { status: checkout.status, currency: checkout.currency, amountMinor: checkout.amountMinor }, deps);
}
