// A viewer starts buying coins: a package or a custom amount, in one of the configured currencies.
// We record the purchase, then open a checkout at the payment provider; coins are credited later,
// only from a verified webhook or a verified lookup (settle-purchase.ts), never from this call.
//
// Idempotent by the client's id: retrying returns the same purchase and the same checkout, so a
// double tap never opens two payments; the same id for a different purchase is refused.
import { IdempotencyConflict, ValidationFailed } from '../domain/errors.js';
import { CUSTOM_COINS_MAX, CUSTOM_COINS_MIN, customPriceMinor, findPackage, supportedCurrencies } from '../domain/pricing.js';
import { requireAdult, requireNotBanned } from '../domain/users.js';
import { NotFound } from '../domain/errors.js';
import type { AuditLog, Clock, Ids, PaymentProvider, Purchase, PurchaseStore, UserStore } from './ports.js';

export interface CreatePurchaseInput {
  readonly userId: string;
  /** Client-made UUID: the idempotency key. */
  readonly clientId: string;
  /** A package id from the price list (e.g. `usd-350`), or… */
  readonly packageId?: string | undefined;
  /** …a custom amount of coins (30 to 2,500,000) in a currency. */
  readonly custom?: { readonly coins: bigint; readonly currency: string } | undefined;
}

export interface CreatePurchaseDeps {
  readonly users: UserStore;
  readonly purchases: PurchaseStore;
  readonly payments: PaymentProvider;
  readonly ids: Ids;
  readonly clock: Clock;
  readonly audit: AuditLog;
  /** Currencies this installation sells in. */
  readonly currencies: readonly string[];
  /** Our public base URL, for the provider's return link. */
  readonly publicUrl: string;
}

export async function createPurchase(input: CreatePurchaseInput, deps: CreatePurchaseDeps): Promise<{ purchase: Purchase; checkoutUrl: string }> {
  const nowMs = deps.clock.nowMs();
  const user = await deps.users.findById(input.userId);
  if (!user) throw new NotFound('No such user.');
  requireNotBanned(user);
  requireAdult(user, nowMs, 'buy coins');

  const { coins, currency, amountMinor, packageId } = priceOf(input, deps.currencies);
  const fresh: Purchase = {
    id: deps.ids.uuid(),
    userId: user.id,
    clientId: input.clientId,
    packageId,
    coins,
    currency,
    amountMinor,
    provider: deps.payments.name,
    providerRef: null,
    status: 'created',
    createdAtMs: nowMs,
    updatedAtMs: nowMs,
    paidAtMs: null,
  };
  const { purchase, created } = await deps.purchases.create(fresh);
  if (!created) {
    const same = purchase.userId === user.id && purchase.packageId === packageId && purchase.coins === coins && purchase.currency === currency;
    if (!same) throw new IdempotencyConflict(input.clientId);
  }
  // A retry goes back to the checkout already open (Stripe's idempotency keys last a day only).
  if (purchase.providerRef !== null) {
    const open = await deps.payments.getCheckout(purchase.providerRef);
    if (open?.status === 'open' && typeof open.url === 'string') return { purchase, checkoutUrl: open.url };
  }
  // The provider is idempotent per purchase id too: a retry gets the same checkout back.
  const checkout = await deps.payments.createCheckout({
    purchaseId: purchase.id,
    coins: purchase.coins,
    currency: purchase.currency,
    amountMinor: purchase.amountMinor,
    description: `${purchase.coins.toLocaleString('en-US')} Livegift coins`,
    returnUrl: `${deps.publicUrl}/v1/purchases/${purchase.id}/return`,
  });
  if (purchase.providerRef === null) await deps.purchases.setProviderRef(purchase.id, checkout.providerRef, nowMs);
  if (created) {
    await deps.audit.append({
      atMs: nowMs,
      actorId: user.id,
      action: 'purchase.created',
      subject: `purchase:${purchase.id}`,
      details: { coins: coins.toString(), currency, amountMinor: amountMinor.toString(), provider: deps.payments.name },
    });
  }
  return { purchase: { ...purchase, providerRef: checkout.providerRef }, checkoutUrl: checkout.url };
}

function priceOf(input: CreatePurchaseInput, currencies: readonly string[]): { coins: bigint; currency: string; amountMinor: bigint; packageId: string | null } {
  const sells = (c: string) => currencies.includes(c) && supportedCurrencies().includes(c);
  if (input.packageId !== undefined) {
    const p = findPackage(input.packageId);
    if (!p || !sells(p.currency)) throw new ValidationFailed(`No coin package ${input.packageId}.`, { field: 'packageId' });
    return { coins: p.coins, currency: p.currency, amountMinor: p.priceMinor, packageId: p.id };
  }
  if (input.custom === undefined) throw new ValidationFailed('Choose a package or a custom amount.', { field: 'packageId' });
  const currency = input.custom.currency.toUpperCase();
  if (!sells(currency)) throw new ValidationFailed(`Coins are not sold in ${currency}.`, { field: 'currency' });
  const { coins } = input.custom;
  if (coins < CUSTOM_COINS_MIN || coins > CUSTOM_COINS_MAX) {
    throw new ValidationFailed(`A custom amount is ${CUSTOM_COINS_MIN} to ${CUSTOM_COINS_MAX} coins.`, { field: 'coins' });
  }
  return { coins, currency, amountMinor: customPriceMinor(coins, currency), packageId: null };
}
