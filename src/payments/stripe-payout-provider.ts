// The Stripe Connect PayoutProvider: a creator's payout account is an Express connected account
// they finish setting up on Stripe's onboarding page; a payout is a transfer from the platform's
// balance to that account followed by a payout from it to the creator's bank, both keyed by our
// payout id, so sending again after a timeout or a restart never pays twice:
//
//   send       looks for the transfer of this payout first (transfer_group = payout id) and creates
//              it only if there is none (idempotency key livegift-payout-<id>-transfer besides), then
//              the connected account's payout (metadata.payoutId, idempotency key livegift-payout-<id>)
//   getStatus  null when no transfer exists (never sent: safe to send); otherwise the payout's
//              status — paid, failed/canceled (the bank returned it), or processing
//
// A payout that failed or was canceled is reported failed only after its transfer is reversed, so
// the money is back on the platform's balance when the worker returns the diamonds. Settlement is
// reported by Connect webhooks (payout.paid / payout.failed / payout.canceled) and found by polling
// after a restart.
import Stripe from 'stripe';
import {
  PayoutDeclined,
  PayoutProviderUnavailable,
  type PaymentEvent,
  type PayoutAccountDetails,
  type PayoutAccountKind,
  type PayoutAccountStatus,
  type PayoutProvider,
  type PayoutSendRequest,
  type ProviderPayout,
} from '../app/ports.js';
import { accountReady, isMissing, isTransientStripeError, stripeClient, toPaymentEvent, verifyStripeEvent, type StripeSettings } from './stripe-client.js';

/** Payouts of a connected account looked through for ours (newest first). */
const PAYOUT_SEARCH_MAX = 300;

export class StripePayoutProvider implements PayoutProvider {
  readonly name = 'stripe';
  readonly accountKinds: readonly PayoutAccountKind[] = ['stripe'];
  readonly stripe: Stripe;

  constructor(private readonly settings: StripeSettings) {
    this.stripe = stripeClient(settings);
  }

  async registerAccount(details: PayoutAccountDetails): Promise<{ providerRef: string; status: PayoutAccountStatus }> {
    if (details.kind !== 'stripe') throw new PayoutDeclined('Payouts go to Stripe accounts here; add one with Stripe.');
    const account = await this.call('creating the Stripe account', () =>
      this.stripe.accounts.create({
        type: 'express',
        email: details.email,
        country: details.country,
        capabilities: { transfers: { requested: true } },
        metadata: { userId: details.userId },
      }),
    );
    return { providerRef: account.id, status: accountReady(account) ? 'ready' : 'onboarding' };
  }

  async onboardingLink(providerRef: string, urls: { returnUrl: string; refreshUrl: string }): Promise<string> {
    const link = await this.call('making the onboarding link', () =>
      this.stripe.accountLinks.create({ account: providerRef, type: 'account_onboarding', return_url: urls.returnUrl, refresh_url: urls.refreshUrl }),
    );
    return link.url;
  }

  async accountStatus(providerRef: string): Promise<PayoutAccountStatus> {
    const account = await this.call('reading the Stripe account', () => this.stripe.accounts.retrieve(providerRef));
    return accountReady(account) ? 'ready' : 'onboarding';
  }

  async send(request: PayoutSendRequest): Promise<{ status: 'paid' | 'processing'; providerRef: string }> {
    const amount = Number(request.amountMinor);
    if (!Number.isSafeInteger(amount) || amount <= 0) throw new RangeError(`bad payout amount ${request.amountMinor}`);
    const currency = request.currency.toLowerCase();
    const transfer =
      (await this.findTransfer(request.payoutId)) ??
      (await this.call('transferring to the Stripe account', () =>
        this.stripe.transfers.create(
          { amount, currency, destination: request.providerAccountRef, transfer_group: request.payoutId, metadata: { payoutId: request.payoutId }, description: `Livegift payout ${request.payoutId}` },
          { idempotencyKey: `livegift-payout-${request.payoutId}-transfer` },
        ),
      ));
    if (transfer.amount !== amount || transfer.currency !== currency) {
      throw new PayoutDeclined(`Stripe holds transfer ${transfer.id} of ${transfer.amount} ${transfer.currency} for this payout, not ${amount} ${currency}.`);
    }
    const account = destinationOf(transfer);
    const payout =
      (await this.findPayout(account, request.payoutId)) ??
      (await this.call('paying out to the bank', () =>
        this.stripe.payouts.create(
          { amount, currency, metadata: { payoutId: request.payoutId }, description: `Livegift payout ${request.payoutId}` },
          { stripeAccount: account, idempotencyKey: `livegift-payout-${request.payoutId}` },
        ),
      ));
    return { status: payout.status === 'paid' ? 'paid' : 'processing', providerRef: payout.id };
  }

  async getStatus(payoutId: string): Promise<ProviderPayout | null> {
    const transfer = await this.findTransfer(payoutId);
    if (transfer === null) return null;
    const account = destinationOf(transfer);
    const payout = await this.findPayout(account, payoutId);
    const common = { payoutId, currency: transfer.currency.toUpperCase(), amountMinor: BigInt(transfer.amount) };
    // Transferred, but the bank payout was never made (the process stopped between the two calls):
    // not sent yet as far as the worker is concerned; send() finds the transfer and goes on from it.
    if (payout === null) return null;
    if (payout.status === 'paid') return { ...common, providerRef: payout.id, status: 'paid', failureReason: null };
    if (payout.status === 'failed' || payout.status === 'canceled') {
      await this.reverse(transfer);
      const reason = payout.failure_message ?? (payout.status === 'canceled' ? 'The payout was canceled.' : 'The bank returned the payout.');
      return { ...common, providerRef: payout.id, status: 'failed', failureReason: reason };
    }
    return { ...common, providerRef: payout.id, status: 'processing', failureReason: null };
  }

  async parseWebhook(rawBody: Buffer, headers: Readonly<Record<string, string | string[] | undefined>>): Promise<PaymentEvent> {
    return toPaymentEvent(this.stripe, verifyStripeEvent(this.stripe, this.settings, rawBody, headers));
  }

  /** The transfer of a payout, if one was made (Stripe keeps the group we gave it). */
  private async findTransfer(payoutId: string): Promise<Stripe.Transfer | null> {
    const list = await this.call('looking up the transfer', () => this.stripe.transfers.list({ transfer_group: payoutId, limit: 10 }));
    const ours = list.data.filter((t) => t.metadata.payoutId === payoutId);
    if (ours.length > 1) throw new Error(`Stripe holds ${ours.length} transfers for payout ${payoutId}; an operator must look at it`);
    return ours[0] ?? null;
  }

  /** The connected account's payout for our payout id, if made. */
  private async findPayout(account: string, payoutId: string): Promise<Stripe.Payout | null> {
    let seen = 0;
    for await (const p of this.stripe.payouts.list({ limit: 100 }, { stripeAccount: account })) {
      if (p.metadata?.payoutId === payoutId) return p;
      if (++seen >= PAYOUT_SEARCH_MAX) break;
    }
    return null;
  }

  /** Takes back what is left of a transfer whose bank payout failed; once, whatever the retries. */
  private async reverse(transfer: Stripe.Transfer): Promise<void> {
    const left = transfer.amount - transfer.amount_reversed;
    if (left <= 0) return;
    await this.call('reversing the transfer', () =>
      this.stripe.transfers.createReversal(transfer.id, { amount: left, metadata: { payoutId: transfer.metadata.payoutId ?? '' } }, { idempotencyKey: `livegift-payout-${transfer.metadata.payoutId ?? transfer.id}-reversal-${transfer.amount_reversed}` }),
    );
  }

  /** Runs a Stripe call, turning its failures into the port's: transient → unavailable, refused → declined. */
  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (isTransientStripeError(error)) throw new PayoutProviderUnavailable(`Stripe, ${what}: ${(error as Error).message}`, error instanceof Stripe.errors.StripeConnectionError);
      if (error instanceof Stripe.errors.StripeInvalidRequestError && error.code === 'balance_insufficient') {
        // The platform's balance is short for now (it fills as charges settle): try again later.
        throw new PayoutProviderUnavailable(`Stripe, ${what}: the platform balance is insufficient for now`, false);
      }
      if (error instanceof Stripe.errors.StripeError && !isMissing(error)) throw new PayoutDeclined(`Stripe refused ${what}: ${error.message}`);
      throw error;
    }
  }
}

function destinationOf(transfer: Stripe.Transfer): string {
  const d = transfer.destination;
  if (d === null) throw new Error(`Stripe transfer ${transfer.id} has no destination`);
  return typeof d === 'string' ? d : d.id;
}
