// What Livegift's two Stripe adapters share: the client, webhook verification (Stripe's own
// `constructEvent`: HMAC over the raw body with a timestamp tolerance, several secrets while one is
// rotated or when payments and Connect have their own endpoints), and the mapping from Stripe's
// events to the port's events. One endpoint, /v1/webhooks/stripe, receives them all.
import Stripe from 'stripe';
import { WebhookRejected, type PaymentEvent } from '../app/ports.js';

export interface StripeSettings {
  /** `sk_live_…` or `sk_test_…` (or a restricted key with the permissions in docs/STRIPE.md). */
  readonly secretKey: string;
  /** Signing secrets (`whsec_…`) of the webhook endpoints: the account's, and Connect's when separate. */
  readonly webhookSecrets: readonly string[];
  /** How old a signature may be, in seconds. Default 300 (Stripe's). */
  readonly toleranceS?: number;
  /** Where the API is; tests point the client at a local fake. Default: Stripe's. */
  readonly api?: { readonly host: string; readonly port: number; readonly protocol: 'http' | 'https' };
  /** A call that takes longer fails (and is retried by the caller's own rules). Default 20 000 ms. */
  readonly timeoutMs?: number;
  /** Stripe's own retries of failed connections (with the same idempotency key). Default 2. */
  readonly maxNetworkRetries?: number;
}

export function stripeClient(settings: StripeSettings): Stripe {
  if (!/^(sk|rk)_/.test(settings.secretKey)) throw new RangeError('STRIPE_SECRET_KEY must be a Stripe secret key (sk_… or rk_…)');
  return new Stripe(settings.secretKey, {
    maxNetworkRetries: settings.maxNetworkRetries ?? 2,
    timeout: settings.timeoutMs ?? 20_000,
    appInfo: { name: 'Livegift', url: 'https://github.com/livegift/livegift' },
    telemetry: false,
    ...(settings.api ?? {}),
  });
}

/** Reads the Stripe-Signature header whatever its case; a repeated header is joined. */
function signatureHeader(headers: Readonly<Record<string, string | string[] | undefined>>): string | undefined {
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === 'stripe-signature' && value !== undefined) return Array.isArray(value) ? value.join(',') : value;
  }
  return undefined;
}

/** Stripe's verification with each secret in turn; WebhookRejected when none signed this body recently. */
export function verifyStripeEvent(stripe: Stripe, settings: StripeSettings, rawBody: Buffer, headers: Readonly<Record<string, string | string[] | undefined>>): Stripe.Event {
  const header = signatureHeader(headers);
  if (header === undefined || header === '') throw new WebhookRejected('missing Stripe-Signature header');
  const secrets = settings.webhookSecrets.filter((s) => s !== '');
  if (secrets.length === 0) throw new RangeError('no Stripe webhook secret configured');
  let reason = 'no signature matches';
  for (const secret of secrets) {
    try {
      return stripe.webhooks.constructEvent(rawBody, header, secret, settings.toleranceS ?? 300);
    } catch (error) {
      reason = error instanceof Error ? error.message : String(error);
    }
  }
  throw new WebhookRejected(`Stripe signature refused: ${reason}`);
}

/** The purchase a charge paid for: its own metadata, or its PaymentIntent's. */
export async function purchaseOfCharge(stripe: Stripe, charge: string | Stripe.Charge): Promise<string | null> {
  const c = typeof charge === 'string' ? await stripe.charges.retrieve(charge) : charge;
  const own = c.metadata.purchaseId;
  if (typeof own === 'string' && own !== '') return own;
  const pi = c.payment_intent;
  if (pi === null) return null;
  const intent = typeof pi === 'string' ? await stripe.paymentIntents.retrieve(pi) : pi;
  const theirs = intent.metadata.purchaseId;
  return typeof theirs === 'string' && theirs !== '' ? theirs : null;
}

const ms = (createdS: number) => createdS * 1000;

/** Maps a verified Stripe event to the port's terms, asking Stripe when the event does not name our purchase. */
export async function toPaymentEvent(stripe: Stripe, event: Stripe.Event): Promise<PaymentEvent> {
  const base = { id: event.id, createdAtMs: ms(event.created) };
  const type = event.type;
  if (type === 'checkout.session.completed' || type === 'checkout.session.async_payment_succeeded' || type === 'checkout.session.async_payment_failed' || type === 'checkout.session.expired') {
    const s = event.data.object;
    const purchaseId = s.metadata?.purchaseId ?? s.client_reference_id;
    if (typeof purchaseId !== 'string' || s.amount_total === null || s.currency === null) return { ...base, kind: 'ignored', providerType: type };
    const status =
      type === 'checkout.session.expired' ? 'expired'
      : type === 'checkout.session.async_payment_failed' ? 'declined'
      : s.payment_status === 'paid' || s.payment_status === 'no_payment_required' ? 'paid'
      : 'pending';
    return { ...base, kind: 'checkout', status, providerRef: s.id, purchaseId, currency: s.currency.toUpperCase(), amountMinor: BigInt(s.amount_total) };
  }
  if (type === 'charge.refunded') {
    const c = event.data.object;
    return { ...base, kind: 'refund', purchaseId: await purchaseOfCharge(stripe, c), currency: c.currency.toUpperCase(), refundedTotalMinor: BigInt(c.amount_refunded) };
  }
  if (type === 'charge.dispute.created' || type === 'charge.dispute.funds_withdrawn' || type === 'charge.dispute.funds_reinstated' || type === 'charge.dispute.closed') {
    const d = event.data.object;
    const status =
      type === 'charge.dispute.funds_reinstated' || (type === 'charge.dispute.closed' && d.status === 'won') ? 'won'
      : type === 'charge.dispute.closed' && d.status === 'lost' ? 'lost'
      : type === 'charge.dispute.closed' ? null // warning_closed and the like: no money moved
      : 'opened';
    if (status === null) return { ...base, kind: 'ignored', providerType: `${type}:${d.status}` };
    return { ...base, kind: 'dispute', purchaseId: await purchaseOfCharge(stripe, d.charge), disputeId: d.id, status, currency: d.currency.toUpperCase(), amountMinor: BigInt(d.amount) };
  }
  if (type === 'payout.paid' || type === 'payout.failed' || type === 'payout.canceled') {
    const p = event.data.object;
    const payoutId = p.metadata?.payoutId;
    return {
      ...base,
      kind: 'payout',
      payoutId: typeof payoutId === 'string' && payoutId !== '' ? payoutId : null,
      status: type === 'payout.paid' ? 'paid' : type === 'payout.failed' ? 'failed' : 'canceled',
      failureReason: p.failure_message ?? null,
    };
  }
  if (type === 'account.updated') return { ...base, kind: 'payout_account', providerAccountRef: event.data.object.id, ready: accountReady(event.data.object) };
  // Every other event type: acknowledged and recorded, nothing to do.
  return { ...base, kind: 'ignored', providerType: type };
}

/** A connected account can be paid once it may receive transfers and pay out to its bank. */
export function accountReady(a: Stripe.Account): boolean {
  return a.payouts_enabled && a.capabilities?.transfers === 'active';
}

/** Errors worth trying again later: the network, Stripe's side, rate limits, a lock on an object. */
export function isTransientStripeError(error: unknown): boolean {
  return (
    error instanceof Stripe.errors.StripeConnectionError ||
    error instanceof Stripe.errors.StripeAPIError ||
    error instanceof Stripe.errors.StripeRateLimitError ||
    (error instanceof Stripe.errors.StripeError && (error.statusCode === undefined || error.statusCode >= 500 || error.code === 'lock_timeout'))
  );
}

/** Whether Stripe answered "no such object" (a 404). */
export function isMissing(error: unknown): boolean {
  return error instanceof Stripe.errors.StripeInvalidRequestError && (error.statusCode === 404 || error.code === 'resource_missing');
}
