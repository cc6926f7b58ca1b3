// The fake Stripe server, driven by the real `stripe` client: what code written against Stripe
// relies on (shapes, errors, idempotency, Connect, pagination, signed events) must hold here.
import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_STRIPE_API_VERSION, FakeStripe, parseForm, type SignedEvent } from './fake-stripe.js';

const WEBHOOK_SECRET = 'whsec_test_platform';
const CONNECT_WEBHOOK_SECRET = 'whsec_test_connect';
const PRICE_MINOR = 499;
const QUANTITY = 2;
const TOTAL_MINOR = PRICE_MINOR * QUANTITY;
const CARD_FEE = Math.round(TOTAL_MINOR * 0.029) + 30;
const DISPUTE_FEE = 1500;

let fake: FakeStripe;
let stripe: Stripe;

beforeEach(async () => {
  fake = await FakeStripe.start({ webhookSecret: WEBHOOK_SECRET, connectWebhookSecret: CONNECT_WEBHOOK_SECRET });
  stripe = new Stripe('sk_test_fake', { ...fake.clientOptions(), maxNetworkRetries: 0 });
});

afterEach(async () => {
  await fake.close();
});

function checkoutParams(purchaseId: string): Stripe.Checkout.SessionCreateParams {
  return {
    mode: 'payment',
    line_items: [{ price_data: { currency: 'usd', unit_amount: PRICE_MINOR, product_data: { name: '500 coins' } }, quantity: QUANTITY }],
    success_url: 'https://livegift.test/coins/success?session={CHECKOUT_SESSION_ID}',
    cancel_url: 'https://livegift.test/coins/cancel',
    client_reference_id: 'user-1',
    metadata: { purchaseId },
    payment_intent_data: { metadata: { purchaseId } },
  };
}

/** A paid checkout session (card): its id and charge id. */
async function paidSession(purchaseId: string): Promise<{ sessionId: string; chargeId: string }> {
  const session = await stripe.checkout.sessions.create(checkoutParams(purchaseId));
  fake.completeCheckout(session.id);
  const read = await stripe.checkout.sessions.retrieve(session.id, { expand: ['payment_intent'] });
  const intent = read.payment_intent as Stripe.PaymentIntent;
  return { sessionId: session.id, chargeId: intent.latest_charge as string };
}

function verified(signed: SignedEvent, secret = WEBHOOK_SECRET): Stripe.Event {
  return stripe.webhooks.constructEvent(signed.body, signed.signature, secret);
}

/** The index-th event, or a failure. */
function nth(events: readonly SignedEvent[], index: number): SignedEvent {
  const event = events[index];
  if (!event) throw new Error(`expected an event at ${index}, got ${events.length}`);
  return event;
}

function types(events: readonly SignedEvent[]): string[] {
  return events.map((e) => e.event.type);
}

/** An onboarded express account holding `fundedMinor` usd from a transfer. */
async function onboardedCreator(fundedMinor = 0): Promise<string> {
  const account = await stripe.accounts.create({ type: 'express', email: 'creator@livegift.test', capabilities: { transfers: { requested: true } }, metadata: { userId: 'creator-1' } });
  fake.completeOnboarding(account.id);
  if (fundedMinor > 0) {
    fake.fundPlatform('usd', fundedMinor);
    await stripe.transfers.create({ amount: fundedMinor, currency: 'usd', destination: account.id });
  }
  return account.id;
}

describe('parseForm', () => {
  it('reads bracket notation, indexed and pushed arrays, encoded brackets', () => {
    const form = parseForm('line_items[0][price_data][currency]=usd&line_items[0][quantity]=2&metadata[purchaseId]=p%201&expand[]=a&expand[]=b&x%5By%5D=1+2&empty=');
    expect(form).toEqual({
      line_items: { '0': { price_data: { currency: 'usd' }, quantity: '2' } },
      metadata: { purchaseId: 'p 1' },
      expand: { '0': 'a', '1': 'b' },
      x: { y: '1 2' },
      empty: '',
    });
  });

  it('refuses a key that is both a value and a hash, and does not touch prototypes', () => {
    expect(() => parseForm('a=1&a[b]=2')).toThrow(/both a value and a hash/);
    expect(() => parseForm('a[b]=2&a=1')).toThrow(/both a value and a hash/);
    const form = parseForm('__proto__[polluted]=yes');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.keys(form)).toEqual(['__proto__']);
  });
});

describe('checkout sessions', () => {
  it('creates a session in Stripe shape and reads it back, with expand', async () => {
    const session = await stripe.checkout.sessions.create(checkoutParams('p-1'));
    expect(session.id).toMatch(/^cs_test_/);
    expect(session).toMatchObject({
      object: 'checkout.session',
      url: `http://127.0.0.1:${fake.port}/pay/${session.id}`,
      status: 'open',
      payment_status: 'unpaid',
      amount_total: TOTAL_MINOR,
      amount_subtotal: TOTAL_MINOR,
      currency: 'usd',
      client_reference_id: 'user-1',
      metadata: { purchaseId: 'p-1' },
      mode: 'payment',
      payment_intent: null,
      livemode: false,
    });
    expect(session.expires_at - session.created).toBe(24 * 3600);
    expect(fake.count('POST', '/v1/checkout/sessions')).toBe(1);

    const read = await stripe.checkout.sessions.retrieve(session.id, { expand: ['payment_intent'] });
    expect(read).toEqual(session);
    fake.completeCheckout(session.id);
    const paid = await stripe.checkout.sessions.retrieve(session.id, { expand: ['payment_intent', 'payment_intent.latest_charge'] });
    expect(paid).toMatchObject({ status: 'complete', payment_status: 'paid', url: null });
    const intent = paid.payment_intent as Stripe.PaymentIntent;
    expect(intent).toMatchObject({ object: 'payment_intent', amount: TOTAL_MINOR, currency: 'usd', status: 'succeeded', metadata: { purchaseId: 'p-1' } });
    const charge = intent.latest_charge as Stripe.Charge;
    expect(charge).toMatchObject({ object: 'charge', amount: TOTAL_MINOR, amount_refunded: 0, refunded: false, disputed: false, payment_intent: intent.id, metadata: { purchaseId: 'p-1' }, status: 'succeeded' });
    expect(charge.id).toMatch(/^ch_/);

    const txn = await stripe.balanceTransactions.retrieve(charge.balance_transaction as string);
    expect(txn).toMatchObject({ type: 'charge', reporting_category: 'charge', amount: TOTAL_MINOR, fee: CARD_FEE, net: TOTAL_MINOR - CARD_FEE, source: charge.id, status: 'available' });
    const balance = await stripe.balance.retrieve();
    expect(balance.available).toEqual([expect.objectContaining({ amount: TOTAL_MINOR - CARD_FEE, currency: 'usd' })]);
  });

  it('answers Stripe errors: missing and unknown params, unknown ids, bad keys', async () => {
    const params = checkoutParams('p-1');
    const noQuantity = { ...params, line_items: [{ price_data: { currency: 'usd', unit_amount: PRICE_MINOR, product_data: { name: 'x' } } }] };
    await expect(stripe.checkout.sessions.create(noQuantity)).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      code: 'parameter_missing',
      param: 'line_items[0][quantity]',
      statusCode: 400,
    });
    await expect(stripe.checkout.sessions.create({ ...params, ...({ custmer: 'typo' } as object) })).rejects.toMatchObject({ code: 'parameter_unknown', param: 'custmer' });
    await expect(stripe.checkout.sessions.retrieve('cs_test_nope')).rejects.toMatchObject({ type: 'StripeInvalidRequestError', code: 'resource_missing', statusCode: 404 });
    const stranger = new Stripe('pk_test_public', { ...fake.clientOptions(), maxNetworkRetries: 0 });
    await expect(stranger.balance.retrieve()).rejects.toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    await expect(stripe.balance.retrieve({}, { stripeAccount: 'acct_unknown' })).rejects.toBeInstanceOf(Stripe.errors.StripePermissionError);
    expect(fake.countCreated('checkout.session')).toBe(0);
  });

  it('signs checkout.session.completed so that constructEvent accepts it, and only as sent', async () => {
    const session = await stripe.checkout.sessions.create(checkoutParams('p-2'));
    const [completed] = fake.completeCheckout(session.id);
    if (!completed) throw new Error('no event');
    const event = verified(completed);
    expect(event).toMatchObject({ type: 'checkout.session.completed', object: 'event', api_version: FAKE_STRIPE_API_VERSION, livemode: false, pending_webhooks: 1 });
    expect(event.id).toMatch(/^evt_/);
    expect(event.account).toBeUndefined();
    expect(FAKE_STRIPE_API_VERSION).toBe(Stripe.API_VERSION);
    const object = event.data.object as Stripe.Checkout.Session;
    expect(object).toMatchObject({ id: session.id, status: 'complete', payment_status: 'paid', metadata: { purchaseId: 'p-2' } });
    expect(object.payment_intent).toMatch(/^pi_/);
    expect(completed.body).toBe(JSON.stringify(completed.event, null, 2));

    expect(() => stripe.webhooks.constructEvent(completed.body.replace('"paid"', '"unpaid"'), completed.signature, WEBHOOK_SECRET)).toThrow(Stripe.errors.StripeSignatureVerificationError);
    expect(() => stripe.webhooks.constructEvent(completed.body, completed.signature, 'whsec_other')).toThrow(Stripe.errors.StripeSignatureVerificationError);
    const old = fake.sign(completed.body, { timestampS: Math.floor(Date.now() / 1000) - 3600 });
    expect(() => stripe.webhooks.constructEvent(completed.body, old, WEBHOOK_SECRET)).toThrow(/timestamp/i);
    expect(fake.events().map((e) => e.event.id)).toEqual([event.id]);
    expect(verified(fake.events()[0] ?? completed).id).toBe(event.id);
  });

  it('snapshots objects in events and refuses invalid transitions', async () => {
    const session = await stripe.checkout.sessions.create(checkoutParams('p-3'));
    const [completed] = fake.completeCheckout(session.id, { async: true });
    expect((completed?.event.data.object as { payment_status?: string }).payment_status).toBe('unpaid');
    const pending = await stripe.checkout.sessions.retrieve(session.id, { expand: ['payment_intent'] });
    expect(pending).toMatchObject({ status: 'complete', payment_status: 'unpaid', payment_intent: { status: 'processing', latest_charge: null } });
    expect(() => fake.completeCheckout(session.id)).toThrow(/not open/);
    expect(() => fake.expireCheckout(session.id)).toThrow(/not open/);
    expect(() => fake.refund(session.id)).toThrow(/no charge/);

    const succeeded = fake.succeedAsyncPayment(session.id);
    expect(types(succeeded)).toEqual(['checkout.session.async_payment_succeeded']);
    expect(verified(nth(succeeded, 0)).data.object).toMatchObject({ payment_status: 'paid' });
    expect((completed?.event.data.object as { payment_status?: string }).payment_status).toBe('unpaid');
    expect(() => fake.succeedAsyncPayment(session.id)).toThrow(/no pending async payment/);

    const failing = await stripe.checkout.sessions.create(checkoutParams('p-4'));
    fake.completeCheckout(failing.id, { async: true });
    expect(types(fake.failAsyncPayment(failing.id))).toEqual(['checkout.session.async_payment_failed']);
    const failed = await stripe.checkout.sessions.retrieve(failing.id, { expand: ['payment_intent'] });
    expect(failed).toMatchObject({ payment_status: 'unpaid', payment_intent: { status: 'requires_payment_method' } });

    const abandoned = await stripe.checkout.sessions.create(checkoutParams('p-5'));
    expect(types(fake.expireCheckout(abandoned.id))).toEqual(['checkout.session.expired']);
    expect(await stripe.checkout.sessions.retrieve(abandoned.id)).toMatchObject({ status: 'expired', url: null });
    expect(fake.countCreated('charge')).toBe(1);
  });

  it('replays an idempotent request and refuses the key with other parameters', async () => {
    const first = await stripe.checkout.sessions.create(checkoutParams('p-6'), { idempotencyKey: 'purchase-p-6' });
    const again = await stripe.checkout.sessions.create(checkoutParams('p-6'), { idempotencyKey: 'purchase-p-6' });
    expect(again.id).toBe(first.id);
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(fake.countCreated('checkout.session')).toBe(1);
    expect(fake.count('POST', '/v1/checkout/sessions')).toBe(2);
    await expect(stripe.checkout.sessions.create(checkoutParams('p-7'), { idempotencyKey: 'purchase-p-6' })).rejects.toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(fake.countCreated('checkout.session')).toBe(1);
  });
});

describe('refunds and disputes', () => {
  it('refunds partially then fully, with cumulative amount_refunded in charge.refunded', async () => {
    const { sessionId, chargeId } = await paidSession('p-10');
    const partial = fake.refund(sessionId, 300);
    expect(types(partial)).toEqual(['charge.refunded', 'refund.created']);
    expect(verified(nth(partial, 0)).data.object).toMatchObject({ id: chargeId, amount_refunded: 300, refunded: false });
    const refundObject = verified(nth(partial, 1)).data.object as Stripe.Refund;
    expect(refundObject).toMatchObject({ object: 'refund', amount: 300, charge: chargeId, currency: 'usd', status: 'succeeded', metadata: {} });
    expect(refundObject.id).toMatch(/^re_/);

    const refund = await stripe.refunds.create({ charge: chargeId, metadata: { reason: 'support' } });
    expect(refund).toMatchObject({ amount: TOTAL_MINOR - 300, charge: chargeId, metadata: { reason: 'support' } });
    const rest = fake.events().slice(-2);
    expect(types(rest)).toEqual(['charge.refunded', 'refund.created']);
    expect(rest[0]?.event.data.object).toMatchObject({ amount_refunded: TOTAL_MINOR, refunded: true });
    expect(rest[0]?.event.request.id).toMatch(/^req_/);
    expect(await stripe.charges.retrieve(chargeId)).toMatchObject({ amount_refunded: TOTAL_MINOR, refunded: true });

    await expect(stripe.refunds.create({ charge: chargeId, amount: 1 })).rejects.toMatchObject({ code: 'charge_already_refunded' });
    expect(() => fake.refund(sessionId, 1)).toThrow(/already been refunded/);
    const txn = await stripe.balanceTransactions.retrieve(refund.balance_transaction as string);
    expect(txn).toMatchObject({ type: 'refund', reporting_category: 'refund', amount: -(TOTAL_MINOR - 300), fee: 0, net: -(TOTAL_MINOR - 300), source: refund.id });
  });

  it('refuses over-refunds and refunds by payment intent', async () => {
    const { sessionId, chargeId } = await paidSession('p-11');
    const charge = await stripe.charges.retrieve(chargeId);
    expect(() => fake.refund(sessionId, TOTAL_MINOR + 1)).toThrow(/greater than unrefunded/);
    const refund = await stripe.refunds.create({ payment_intent: charge.payment_intent as string, amount: 100 });
    expect(refund).toMatchObject({ amount: 100, charge: chargeId });
    expect(fake.countCreated('refund')).toBe(1);
  });

  it('opens and closes disputes (won and lost) with their balance transactions', async () => {
    const won = await paidSession('p-12');
    fake.refund(won.sessionId, 100);
    const opened = fake.openDispute(won.sessionId);
    expect(types(opened)).toEqual(['charge.dispute.created', 'charge.dispute.funds_withdrawn']);
    const dispute = verified(nth(opened, 0)).data.object as Stripe.Dispute;
    const amount = TOTAL_MINOR - 100;
    expect(dispute).toMatchObject({ object: 'dispute', amount, currency: 'usd', charge: won.chargeId, status: 'needs_response', reason: 'fraudulent' });
    expect(dispute.balance_transactions).toEqual([expect.objectContaining({ type: 'adjustment', reporting_category: 'dispute', amount: -amount, fee: DISPUTE_FEE, net: -amount - DISPUTE_FEE, source: dispute.id })]);
    expect(await stripe.charges.retrieve(won.chargeId)).toMatchObject({ disputed: true });
    expect(() => fake.refund(won.sessionId)).toThrow(/charged back/);
    await expect(stripe.refunds.create({ charge: won.chargeId })).rejects.toMatchObject({ code: 'charge_disputed' });

    const closed = fake.closeDispute(won.sessionId, 'won');
    expect(types(closed)).toEqual(['charge.dispute.funds_reinstated', 'charge.dispute.closed']);
    const read = await stripe.disputes.retrieve(dispute.id);
    expect(read.status).toBe('won');
    expect(read.balance_transactions[1]).toMatchObject({ type: 'adjustment', reporting_category: 'dispute_reversal', amount, fee: -DISPUTE_FEE, net: amount + DISPUTE_FEE });
    expect(() => fake.closeDispute(won.sessionId, 'lost')).toThrow(/already won/);

    const lost = await paidSession('p-13');
    fake.openDispute(lost.sessionId);
    const lostEvents = fake.closeDispute(lost.sessionId, 'lost');
    expect(types(lostEvents)).toEqual(['charge.dispute.closed']);
    expect(lostEvents[0]?.event.data.object).toMatchObject({ status: 'lost' });

    const disputeTxns = await stripe.balanceTransactions.list({ type: 'adjustment' });
    expect(disputeTxns.data.map((t) => t.reporting_category)).toEqual(['dispute', 'dispute_reversal', 'dispute']);
    const net = TOTAL_MINOR - CARD_FEE + (TOTAL_MINOR - CARD_FEE - 100) - (TOTAL_MINOR + DISPUTE_FEE);
    expect((await stripe.balance.retrieve()).available[0]?.amount).toBe(net);
  });

  it('pages balance transactions newest first, filters and expands their sources', async () => {
    const sessions: string[] = [];
    for (let i = 0; i < 6; i++) sessions.push((await paidSession(`p-page-${i}`)).sessionId);
    for (const id of sessions) fake.refund(id, 100);
    const all: Stripe.BalanceTransaction[] = [];
    let startingAfter: string | undefined;
    for (;;) {
      const page = await stripe.balanceTransactions.list({ limit: 5, ...(startingAfter === undefined ? {} : { starting_after: startingAfter }), expand: ['data.source'] });
      expect(page).toMatchObject({ object: 'list', url: '/v1/balance_transactions' });
      all.push(...page.data);
      if (!page.has_more) break;
      startingAfter = page.data.at(-1)?.id;
    }
    expect(all).toHaveLength(12);
    expect(new Set(all.map((t) => t.id)).size).toBe(12);
    expect(all.slice(0, 6).every((t) => t.type === 'refund')).toBe(true);
    expect(all.map((t) => t.created)).toEqual([...all.map((t) => t.created)].sort((a, b) => b - a));
    for (const txn of all) {
      const source = txn.source as Stripe.Refund | Stripe.Charge;
      expect(source.object).toBe(txn.type === 'refund' ? 'refund' : 'charge');
    }
    const firstPage = await stripe.balanceTransactions.list();
    expect(firstPage.data).toHaveLength(10);
    expect(firstPage.has_more).toBe(true);
    expect(typeof firstPage.data[0]?.source).toBe('string');
    const charges = await stripe.balanceTransactions.list({ type: 'charge', limit: 100, created: { gte: 0 } });
    expect(charges.data).toHaveLength(6);
    expect(charges.has_more).toBe(false);
    const auto = await stripe.balanceTransactions.list({ limit: 4 }).autoPagingToArray({ limit: 50 });
    expect(auto.map((t) => t.id)).toEqual(all.map((t) => t.id));
    await expect(stripe.balanceTransactions.list({ limit: 101 })).rejects.toMatchObject({ param: 'limit' });
    await expect(stripe.balanceTransactions.list({ starting_after: 'txn_nope' })).rejects.toMatchObject({ code: 'resource_missing' });
  });
});

describe('Connect: accounts, transfers, reversals, payouts', () => {
  it('creates an account and a link; refuses transfers before onboarding, allows them after', async () => {
    const account = await stripe.accounts.create({ type: 'express', email: 'creator@livegift.test', capabilities: { transfers: { requested: true } }, metadata: { userId: 'creator-1' } });
    expect(account.id).toMatch(/^acct_/);
    expect(account).toMatchObject({
      object: 'account',
      type: 'express',
      email: 'creator@livegift.test',
      country: 'US',
      default_currency: 'usd',
      details_submitted: false,
      charges_enabled: false,
      payouts_enabled: false,
      capabilities: { transfers: 'inactive' },
      requirements: { currently_due: ['external_account'], disabled_reason: 'requirements.past_due' },
      metadata: { userId: 'creator-1' },
    });
    const link = await stripe.accountLinks.create({ account: account.id, refresh_url: 'https://livegift.test/refresh', return_url: 'https://livegift.test/return', type: 'account_onboarding' });
    expect(link).toMatchObject({ object: 'account_link', url: `http://127.0.0.1:${fake.port}/connect/onboard/${account.id}`, expires_at: link.created + 300 });

    fake.fundPlatform('usd', 10_000);
    await expect(stripe.transfers.create({ amount: 1000, currency: 'usd', destination: account.id })).rejects.toMatchObject({ type: 'StripeInvalidRequestError', code: 'insufficient_capabilities_for_transfer' });

    const [updated] = fake.completeOnboarding(account.id);
    if (!updated) throw new Error('no event');
    expect(updated.event).toMatchObject({ type: 'account.updated', account: account.id });
    expect(verified(updated, CONNECT_WEBHOOK_SECRET).data.object).toMatchObject({ details_submitted: true, charges_enabled: true, payouts_enabled: true, capabilities: { transfers: 'active' }, requirements: { currently_due: [] } });
    expect(() => verified(updated, WEBHOOK_SECRET)).toThrow(Stripe.errors.StripeSignatureVerificationError);

    await expect(stripe.transfers.create({ amount: 20_000, currency: 'usd', destination: account.id })).rejects.toMatchObject({ code: 'balance_insufficient' });
    const transfer = await stripe.transfers.create({ amount: 1000, currency: 'usd', destination: account.id, transfer_group: 'payout-1', metadata: { payoutId: 'payout-1' } });
    expect(transfer.id).toMatch(/^tr_/);
    expect(transfer).toMatchObject({ object: 'transfer', amount: 1000, amount_reversed: 0, currency: 'usd', destination: account.id, transfer_group: 'payout-1', metadata: { payoutId: 'payout-1' }, reversed: false });
    expect(await stripe.balanceTransactions.retrieve(transfer.balance_transaction as string)).toMatchObject({ type: 'transfer', reporting_category: 'transfer', amount: -1000, fee: 0, net: -1000, source: transfer.id });
    expect((await stripe.balance.retrieve()).available).toEqual([expect.objectContaining({ amount: 9000, currency: 'usd' })]);
    expect((await stripe.balance.retrieve({}, { stripeAccount: account.id })).available).toEqual([expect.objectContaining({ amount: 1000, currency: 'usd' })]);
    const created = fake.events().at(-1);
    expect(created?.event).toMatchObject({ type: 'transfer.created', data: { object: { id: transfer.id } } });
    expect(created?.event.account).toBeUndefined();
  });

  it('makes transfers idempotent and lists them by transfer_group', async () => {
    const creator = await onboardedCreator();
    fake.fundPlatform('usd', 5000);
    const params = { amount: 700, currency: 'usd', destination: creator, transfer_group: 'payout-7' };
    const first = await stripe.transfers.create(params, { idempotencyKey: 'payout-7' });
    const replay = await stripe.transfers.create(params, { idempotencyKey: 'payout-7' });
    expect(replay.id).toBe(first.id);
    expect(fake.countCreated('transfer')).toBe(1);
    await expect(stripe.transfers.create({ ...params, amount: 701 }, { idempotencyKey: 'payout-7' })).rejects.toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    await stripe.transfers.create({ ...params, transfer_group: 'payout-8' });
    const listed = await stripe.transfers.list({ transfer_group: 'payout-7' });
    expect(listed.data.map((t) => t.id)).toEqual([first.id]);
    expect((await stripe.transfers.list({ destination: creator })).data).toHaveLength(2);
    expect(await stripe.transfers.retrieve(first.id)).toMatchObject({ id: first.id, amount: 700 });
    expect(fake.balanceOf('usd')).toBe(5000 - 1400);

    // A refusal after the endpoint ran is saved like a success: the same key replays it, as on Stripe.
    await expect(stripe.transfers.create({ ...params, amount: 9000 }, { idempotencyKey: 'payout-9' })).rejects.toMatchObject({ code: 'balance_insufficient' });
    fake.fundPlatform('usd', 9000);
    await expect(stripe.transfers.create({ ...params, amount: 9000 }, { idempotencyKey: 'payout-9' })).rejects.toMatchObject({ code: 'balance_insufficient' });
    expect((await stripe.transfers.create({ ...params, amount: 9000 }, { idempotencyKey: 'payout-9-retry' })).amount).toBe(9000);
    // A parameter error is not saved: the corrected request may reuse the key.
    await expect(stripe.transfers.create({ ...params, currency: 'us' }, { idempotencyKey: 'payout-10' })).rejects.toMatchObject({ param: 'currency' });
    expect((await stripe.transfers.create({ ...params, amount: 1 }, { idempotencyKey: 'payout-10' })).amount).toBe(1);
  });

  it('creates payouts on the connected account and settles them paid, failed or canceled', async () => {
    const creator = await onboardedCreator(3000);
    const onAccount = { stripeAccount: creator };
    await expect(stripe.payouts.create({ amount: 1000, currency: 'usd' })).rejects.toMatchObject({ code: 'balance_insufficient' });
    const payout = await stripe.payouts.create({ amount: 1000, currency: 'usd', metadata: { payoutId: 'payout-1' } }, onAccount);
    expect(payout.id).toMatch(/^po_/);
    expect(payout).toMatchObject({ object: 'payout', amount: 1000, currency: 'usd', status: 'pending', metadata: { payoutId: 'payout-1' }, failure_code: null, failure_message: null });
    expect(payout.arrival_date).toBeGreaterThan(payout.created);
    await expect(stripe.payouts.retrieve(payout.id)).rejects.toMatchObject({ statusCode: 404 });
    expect(await stripe.payouts.retrieve(payout.id, {}, onAccount)).toMatchObject({ id: payout.id, status: 'pending' });
    await expect(stripe.payouts.create({ amount: 2001, currency: 'usd' }, onAccount)).rejects.toMatchObject({ code: 'balance_insufficient' });

    const [paid] = fake.settlePayout(creator, payout.id, 'paid');
    if (!paid) throw new Error('no event');
    expect(verified(paid, CONNECT_WEBHOOK_SECRET)).toMatchObject({ type: 'payout.paid', account: creator, data: { object: { id: payout.id, status: 'paid' } } });
    expect(() => fake.settlePayout(creator, payout.id, 'failed')).toThrow(/already paid/);

    const failing = await stripe.payouts.create({ amount: 1500, currency: 'usd' }, onAccount);
    const [failed] = fake.settlePayout(creator, failing.id, 'failed');
    expect(failed?.event).toMatchObject({ type: 'payout.failed', account: creator, data: { object: { status: 'failed', failure_code: 'account_closed', failure_message: 'The bank account has been closed.' } } });
    const canceling = await stripe.payouts.create({ amount: 500, currency: 'usd' }, onAccount);
    expect(types(fake.settlePayout(creator, canceling.id, 'canceled'))).toEqual(['payout.canceled']);
    expect((await stripe.balance.retrieve({}, onAccount)).available[0]?.amount).toBe(2000);
    const listed = await stripe.payouts.list({ limit: 2 }, onAccount);
    expect(listed.data.map((p) => p.id)).toEqual([canceling.id, failing.id]);
    expect(listed.has_more).toBe(true);
    expect(fake.countCreated('payout')).toBe(3);
  });

  it('reverses transfers partially then fully, and refuses what is left nothing of', async () => {
    const creator = await onboardedCreator(2000);
    const [transfer] = (await stripe.transfers.list()).data;
    if (!transfer) throw new Error('no transfer');
    const partial = await stripe.transfers.createReversal(transfer.id, { amount: 500, metadata: { reason: 'refund' } });
    expect(partial.id).toMatch(/^trr_/);
    expect(partial).toMatchObject({ object: 'transfer_reversal', amount: 500, currency: 'usd', transfer: transfer.id, metadata: { reason: 'refund' } });
    expect(await stripe.balanceTransactions.retrieve(partial.balance_transaction as string)).toMatchObject({ type: 'transfer_refund', reporting_category: 'transfer_reversal', amount: 500, source: partial.id });
    expect(await stripe.transfers.retrieve(transfer.id)).toMatchObject({ amount_reversed: 500, reversed: false, reversals: { total_count: 1 } });
    const rest = await stripe.transfers.createReversal(transfer.id);
    expect(rest.amount).toBe(1500);
    expect(await stripe.transfers.retrieve(transfer.id)).toMatchObject({ amount_reversed: 2000, reversed: true });
    await expect(stripe.transfers.createReversal(transfer.id)).rejects.toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 400 });
    expect(fake.balanceOf('usd')).toBe(2000);
    expect(fake.balanceOf('usd', creator)).toBe(0);
    expect(fake.countCreated('transfer_reversal')).toBe(2);

    const paidOut = await onboardedCreator(1000);
    const [second] = (await stripe.transfers.list({ destination: paidOut })).data;
    await stripe.payouts.create({ amount: 1000, currency: 'usd' }, { stripeAccount: paidOut });
    await expect(stripe.transfers.createReversal(second?.id ?? '')).rejects.toMatchObject({ code: 'balance_insufficient' });
  });
});

describe('fault injection', () => {
  it('drop: the transfer exists but the client sees a connection error; the same key then replays it', async () => {
    const creator = await onboardedCreator();
    fake.fundPlatform('usd', 5000);
    const params = { amount: 900, currency: 'usd', destination: creator, transfer_group: 'payout-9' };
    // stripe-node retries a closed connection once on its own (same key): drop both attempts.
    fake.failNext('POST', '/v1/transfers', 'drop', 2);
    await expect(stripe.transfers.create(params, { idempotencyKey: 'payout-9' })).rejects.toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect(fake.count('POST', '/v1/transfers')).toBe(2);
    expect(fake.countCreated('transfer')).toBe(1);
    const [existing] = (await stripe.transfers.list({ transfer_group: 'payout-9' })).data;
    const retried = await stripe.transfers.create(params, { idempotencyKey: 'payout-9' });
    expect(retried.id).toBe(existing?.id);
    expect(fake.countCreated('transfer')).toBe(1);
  });

  it('error500 and drop-before do nothing', async () => {
    fake.failNext('POST', '/v1/checkout/sessions', 'error500');
    await expect(stripe.checkout.sessions.create(checkoutParams('p-20'))).rejects.toBeInstanceOf(Stripe.errors.StripeAPIError);
    fake.failNext('POST', '/v1/checkout/sessions', 'drop-before', 2);
    await expect(stripe.checkout.sessions.create(checkoutParams('p-20'))).rejects.toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect(fake.countCreated('checkout.session')).toBe(0);
    expect(fake.count('POST', '/v1/checkout/sessions')).toBe(3);
    const session = await stripe.checkout.sessions.create(checkoutParams('p-20'));
    expect(session.status).toBe('open');
  });
});

describe('hosted pages', () => {
  it('pays from the checkout url and onboards from the account link', async () => {
    const session = await stripe.checkout.sessions.create(checkoutParams('p-30'));
    const page = await fetch(session.url ?? '');
    expect(page.status).toBe(200);
    const paid = await fetch(session.url ?? '', { method: 'POST', body: new URLSearchParams({ action: 'pay' }), redirect: 'manual' });
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toBe(`https://livegift.test/coins/success?session=${session.id}`);
    expect(fake.events().map((e) => e.event.type)).toEqual(['checkout.session.completed']);

    const account = await stripe.accounts.create({ type: 'express', capabilities: { transfers: { requested: true } } });
    const link = await stripe.accountLinks.create({ account: account.id, refresh_url: 'https://livegift.test/refresh', return_url: 'https://livegift.test/return', type: 'account_onboarding' });
    const done = await fetch(link.url, { method: 'POST', redirect: 'manual' });
    expect(done.headers.get('location')).toBe('https://livegift.test/return');
    expect(await stripe.accounts.retrieve(account.id)).toMatchObject({ payouts_enabled: true, capabilities: { transfers: 'active' } });
  });
});
