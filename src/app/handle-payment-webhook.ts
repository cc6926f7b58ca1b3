// A webhook from the payment provider: verified (signature over the raw body, with timestamp), then
// applied. Replays, duplicates and out-of-order events change nothing they should not: settling is
// idempotent, statuses only move forward, and every event id is recorded.
import type { AuditLog, Clock, LedgerStore, PaymentProvider, PurchaseStore } from './ports.js';
import { settlePurchase } from './settle-purchase.js';

export interface HandlePaymentWebhookInput {
  /** The exact bytes received: the signature covers them. */
  readonly rawBody: Buffer;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export async function handlePaymentWebhook(
  input: HandlePaymentWebhookInput,
  deps: { payments: PaymentProvider; purchases: PurchaseStore; ledger: LedgerStore; clock: Clock; audit: AuditLog },
): Promise<{ eventId: string; handled: boolean }> {
  const event = deps.payments.parseWebhook(input.rawBody, input.headers); // throws WebhookRejected
  const nowMs = deps.clock.nowMs();
  const purchase = await deps.purchases.get(event.purchaseId);
  if (!purchase || purchase.providerRef !== event.providerRef) {
    await deps.audit.append({ atMs: nowMs, actorId: null, action: 'webhook.unknown_purchase', subject: `purchase:${event.purchaseId}`, details: { eventId: event.id, type: event.type } });
    return { eventId: event.id, handled: false };
  }
  const verified = { currency: event.currency, amountMinor: event.amountMinor };
  switch (event.type) {
    case 'checkout.paid':
      await settlePurchase(purchase, { status: 'paid', ...verified }, deps);
      break;
    case 'checkout.pending':
      await settlePurchase(purchase, { status: 'pending', ...verified }, deps);
      break;
    case 'checkout.declined':
      await settlePurchase(purchase, { status: 'declined', ...verified }, deps);
      break;
    // Money coming back after payment: recorded here; reversing unspent coins and booking losses on
    // what was already gifted is the refunds-and-chargebacks work (see the issue tracker).
    case 'charge.refunded':
      await deps.purchases.transition(purchase.id, ['paid'], 'refunded', nowMs);
      break;
    case 'dispute.opened':
      await deps.purchases.transition(purchase.id, ['paid', 'refunded'], 'disputed', nowMs);
      break;
    case 'dispute.lost':
      await deps.purchases.transition(purchase.id, ['disputed'], 'dispute_lost', nowMs);
      break;
    case 'dispute.won':
      await deps.purchases.transition(purchase.id, ['disputed'], 'dispute_won', nowMs);
      break;
  }
  const first = await deps.purchases.recordEvent(`${deps.payments.name}:${event.id}`, event.type, nowMs);
  if (first && event.type !== 'checkout.paid') {
    await deps.audit.append({ atMs: nowMs, actorId: null, action: `payment.${event.type}`, subject: `purchase:${purchase.id}`, details: { eventId: event.id, amountMinor: event.amountMinor.toString() } });
  }
  return { eventId: event.id, handled: true };
}
