// A webhook from a payment provider: verified (signature over the raw body, with timestamp), then
// applied. Replays, duplicates and out-of-order events change nothing they should not: every
// booking is idempotent and computed from the ledger (settle-purchase.ts, return-purchase-money.ts),
// statuses only move forward, and each event id is recorded once it has been applied — so an event
// seen before is acknowledged at once, and one that failed half-way is applied again on its retry.
import type {
  AuditLog,
  CheckoutEvent,
  Clock,
  DisputeEvent,
  LedgerStore,
  PaymentEvent,
  PaymentProvider,
  Purchase,
  PurchaseStore,
  RefundEvent,
  UserStore,
} from './ports.js';
import { confirmPurchase } from './confirm-purchase.js';
import { chargeBackPurchase, refundPurchase, reinstatePurchase } from './return-purchase-money.js';
import { settlePurchase } from './settle-purchase.js';

export interface HandlePaymentWebhookInput {
  /** The exact bytes received: the signature covers them. */
  readonly rawBody: Buffer;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface WebhookDeps {
  /** Verifies and parses (the payment provider's, or the payout provider's for its own endpoint). */
  readonly parser: Pick<PaymentProvider, 'name' | 'parseWebhook'>;
  /** Asked to confirm a purchase whose "paid" has not been heard of yet. */
  readonly payments: PaymentProvider;
  readonly purchases: PurchaseStore;
  readonly ledger: LedgerStore;
  readonly users: UserStore;
  readonly clock: Clock;
  readonly audit: AuditLog;
  /** Payout and payout-account events (providers that carry both on one endpoint, e.g. Stripe). */
  readonly onPayoutEvent?: (event: Extract<PaymentEvent, { kind: 'payout' | 'payout_account' }>) => Promise<void>;
}

export interface WebhookResult {
  readonly eventId: string;
  /** False when the event was seen before, is of a kind we ignore, or names nothing of ours. */
  readonly handled: boolean;
}

export async function handlePaymentWebhook(input: HandlePaymentWebhookInput, deps: WebhookDeps): Promise<WebhookResult> {
  const event = await deps.parser.parseWebhook(input.rawBody, input.headers); // throws WebhookRejected
  const key = `${deps.parser.name}:${event.id}`;
  if (await deps.purchases.hasEvent(key)) return { eventId: event.id, handled: false };
  const handled = await apply(event, deps);
  await deps.purchases.recordEvent(key, event.kind === 'ignored' ? event.providerType : event.kind, deps.clock.nowMs());
  return { eventId: event.id, handled };
}

async function apply(event: PaymentEvent, deps: WebhookDeps): Promise<boolean> {
  switch (event.kind) {
    case 'checkout':
      return applyCheckout(event, deps);
    case 'refund':
    case 'dispute':
      return applyMoneyBack(event, deps);
    case 'payout':
    case 'payout_account':
      if (!deps.onPayoutEvent) return false;
      await deps.onPayoutEvent(event);
      return true;
    case 'ignored':
      return false;
  }
}

async function applyCheckout(event: CheckoutEvent, deps: WebhookDeps): Promise<boolean> {
  const purchase = await deps.purchases.get(event.purchaseId);
  if (!purchase || purchase.providerRef !== event.providerRef) return unknownPurchase(event, event.purchaseId, deps);
  await settlePurchase(purchase, { status: event.status, currency: event.currency, amountMinor: event.amountMinor }, deps);
  if (event.status !== 'paid') {
    await deps.audit.append({ atMs: deps.clock.nowMs(), actorId: null, action: `payment.checkout_${event.status}`, subject: `purchase:${purchase.id}`, details: { eventId: event.id } });
  }
  return true;
}

async function applyMoneyBack(event: RefundEvent | DisputeEvent, deps: WebhookDeps): Promise<boolean> {
  const found = event.purchaseId === null ? null : await deps.purchases.get(event.purchaseId);
  if (!found || found.provider !== deps.payments.name) return unknownPurchase(event, event.purchaseId, deps);
  if (event.currency !== found.currency) throw new Error(`event ${event.id} is in ${event.currency}; purchase ${found.id} was paid in ${found.currency}`);
  // Money can come back only from a paid purchase. If its own "paid" event has not been applied yet
  // (events arrive in any order), ask the provider now: the coins are credited first, then reversed.
  const purchase = await ensureCredited(found, deps);
  if (event.kind === 'refund') {
    await refundPurchase(purchase, { refundedTotalMinor: event.refundedTotalMinor, eventId: event.id }, deps);
    return true;
  }
  const dispute = { disputeId: event.disputeId, amountMinor: event.amountMinor, eventId: event.id };
  if (event.status === 'won') await reinstatePurchase(purchase, dispute, deps);
  else await chargeBackPurchase(purchase, { ...dispute, lost: event.status === 'lost' }, deps);
  return true;
}

async function ensureCredited(purchase: Purchase, deps: WebhookDeps): Promise<Purchase> {
  if (purchase.status !== 'created' && purchase.status !== 'pending' && purchase.status !== 'declined') return purchase;
  const confirmed = await confirmPurchase({ purchaseId: purchase.id }, deps);
  // Still not paid by the provider's own account: the provider retries the event later.
  if (confirmed.status !== 'paid') throw new Error(`purchase ${purchase.id} is ${confirmed.status} at the provider; money back waits for it to be paid`);
  return confirmed;
}

async function unknownPurchase(event: PaymentEvent, purchaseId: string | null, deps: WebhookDeps): Promise<boolean> {
  await deps.audit.append({
    atMs: deps.clock.nowMs(),
    actorId: null,
    action: 'webhook.unknown_purchase',
    subject: `purchase:${purchaseId ?? 'unknown'}`,
    details: { eventId: event.id, kind: event.kind },
  });
  return false;
}
