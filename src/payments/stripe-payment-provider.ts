// The Stripe PaymentProvider: one Checkout Session per coin purchase (a package or a custom amount, in
// the purchase's currency), coins credited only from a verified event or a verified lookup of the
// session — `payment_status: paid`, so a bank debit or another asynchronous method counts once it
// has really succeeded — and refunds and disputes reported through the same webhook endpoint.
//
// Idempotent towards Stripe as well: the session is created with the idempotency key
// `livegift-checkout-<purchaseId>`, so a retried purchase gets the same session back, never a second
// one that could be paid again.
import type Stripe from 'stripe';
import type { Checkout, CheckoutRequest, PaymentEvent, PaymentProvider, ProviderCheckout, ProviderCheckoutStatus } from '../app/ports.js';
import { isMissing, stripeClient, toPaymentEvent, verifyStripeEvent, type StripeSettings } from './stripe-client.js';

export class StripePaymentProvider implements PaymentProvider {
  readonly name = 'stripe';
  readonly stripe: Stripe;

  constructor(private readonly settings: StripeSettings) {
    this.stripe = stripeClient(settings);
  }

  async createCheckout(request: CheckoutRequest): Promise<Checkout> {
    const amount = Number(request.amountMinor);
    if (!Number.isSafeInteger(amount) || amount <= 0) throw new RangeError(`bad checkout amount ${request.amountMinor}`);
    const returnUrl = new URL(request.returnUrl);
    const success = `${returnUrl.toString()}${returnUrl.search === '' ? '?' : '&'}session_id={CHECKOUT_SESSION_ID}`;
    const session = await this.stripe.checkout.sessions.create(
      {
        mode: 'payment',
        line_items: [{ quantity: 1, price_data: { currency: request.currency.toLowerCase(), unit_amount: amount, product_data: { name: request.description } } }],
        success_url: success,
        cancel_url: returnUrl.toString(),
        client_reference_id: request.purchaseId,
        metadata: { purchaseId: request.purchaseId, coins: request.coins.toString() },
        // On the PaymentIntent too, so its charge, refunds and disputes lead back to the purchase.
        payment_intent_data: { metadata: { purchaseId: request.purchaseId } },
      },
      { idempotencyKey: `livegift-checkout-${request.purchaseId}` },
    );
    if (session.url === null) throw new Error(`Stripe answered checkout session ${session.id} without a URL`);
    return { providerRef: session.id, url: session.url };
  }

  async getCheckout(providerRef: string): Promise<ProviderCheckout | null> {
    let session: Stripe.Checkout.Session;
    try {
      session = await this.stripe.checkout.sessions.retrieve(providerRef, { expand: ['payment_intent'] });
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
    const purchaseId = session.metadata?.purchaseId ?? session.client_reference_id;
    if (typeof purchaseId !== 'string' || session.amount_total === null || session.currency === null) return null;
    return {
      providerRef: session.id,
      purchaseId,
      status: statusOf(session),
      currency: session.currency.toUpperCase(),
      amountMinor: BigInt(session.amount_total),
      url: session.status === 'open' ? session.url : null,
    };
  }

  async parseWebhook(rawBody: Buffer, headers: Readonly<Record<string, string | string[] | undefined>>): Promise<PaymentEvent> {
    return toPaymentEvent(this.stripe, verifyStripeEvent(this.stripe, this.settings, rawBody, headers));
  }
}

function statusOf(s: Stripe.Checkout.Session): ProviderCheckoutStatus {
  if (s.status === 'expired') return 'expired';
  if (s.status === 'open' || s.status === null) return 'open';
  if (s.payment_status === 'paid' || s.payment_status === 'no_payment_required') return 'paid';
  // Complete but not paid yet: an asynchronous method (a bank debit) is on its way, or it failed.
  const pi = s.payment_intent;
  if (pi !== null && typeof pi !== 'string' && (pi.status === 'requires_payment_method' || pi.status === 'canceled')) return 'declined';
  return 'pending';
}
