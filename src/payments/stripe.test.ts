// Proves the Stripe adapters end to end against a local fake Stripe (test/support/fake-stripe.ts: the
// real `stripe` client pointed at it with host/port/protocol, events signed with the library's own
// test-header helper), on SQLite and PostgreSQL: coins minted once per Checkout Session whatever the
// order and number of deliveries and return-page visits; asynchronous payments; forged, expired and
// re-signed webhooks refused; refunds of an unspent, a partly and a fully spent purchase; a dispute
// lost then one won; Connect onboarding; 1,000 concurrent payout requests never reserving more than
// available and each paid or returned once; a crash between "Stripe paid" and "ledger posted" resumed
// without paying twice; and `reconcile --provider` clean after all of it.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../test/support/databases.js';
import { FakeStripe, type SignedEvent } from '../../test/support/fake-stripe.js';
import { openTestNode, signUpAs, type TestNode } from '../../test/support/livegift.js';
import { balanceOf, coinsOf, creatorOnAir, listedPurchase, sendRoses, type ErrorBody, type PurchaseBody } from '../../test/support/money.js';
import { buildLivegift } from '../server.js';
import { SystemAccounts, userAccounts } from '../domain/accounts.js';
import type { PayoutProvider } from '../app/ports.js';
import { StripePaymentProvider } from './stripe-payment-provider.js';
import { StripePayoutProvider } from './stripe-payout-provider.js';

const WEBHOOK_SECRET = 'whsec_test_payments_0123456789';
const CONNECT_SECRET = 'whsec_test_connect_0123456789';

for (const dialect of DIALECTS) {
  describe.skipIf(!dialect.available)(`Stripe adapters against a fake Stripe on ${dialect.name}`, () => {
    let stripe: FakeStripe;
    let node: TestNode;
    let liveId: string;

    beforeAll(async () => {
      stripe = await FakeStripe.start({ webhookSecret: WEBHOOK_SECRET, connectWebhookSecret: CONNECT_SECRET });
      node = await openTestNode(dialect, {
        STRIPE_SECRET_KEY: 'sk_test_livegift_fake',
        STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
        STRIPE_CONNECT_WEBHOOK_SECRET: CONNECT_SECRET,
        STRIPE_API_URL: stripe.baseUrl,
        PUBLIC_URL: 'http://livegift.test',
      });
      ({ liveId } = await creatorOnAir(node, 'stripecreator'));
    });
    afterAll(async () => {
      await node.drop();
      await stripe.close();
    });

    const balance = (accountId: string) => balanceOf(node, accountId);
    const coins = (userId: string) => coinsOf(node, userId);

    function deliver(e: Pick<SignedEvent, 'body' | 'signature'>, body = e.body) {
      return node.app.inject({ method: 'POST', url: '/v1/webhooks/stripe', headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': e.signature }, payload: body });
    }

    async function deliverAll(events: readonly SignedEvent[]): Promise<void> {
      for (const e of events) expect((await deliver(e)).statusCode, e.event.type).toBe(200);
    }

    async function checkout(cookie: string, body: Record<string, unknown>): Promise<{ id: string; session: string; url: string }> {
      const res = await node.call<{ purchase: { id: string }; checkoutUrl: string }>({ method: 'POST', url: '/v1/purchases', headers: { cookie }, payload: { id: randomUUID(), ...body } });
      expect(res.status).toBe(201);
      const session = new URL(res.body.checkoutUrl).pathname.split('/').at(-1) ?? '';
      return { id: res.body.purchase.id, session, url: res.body.checkoutUrl };
    }

    async function bought(cookie: string, packageId: string): Promise<{ id: string; session: string }> {
      const p = await checkout(cookie, { packageId });
      await deliverAll(stripe.completeCheckout(p.session));
      return p;
    }

    async function purchase(cookie: string, id: string): Promise<PurchaseBody> {
      return (await node.call<PurchaseBody>({ method: 'GET', url: `/v1/purchases/${id}`, headers: { cookie } })).body;
    }

    const listed = (cookie: string, id: string) => listedPurchase(node, cookie, id);
    const gift = (cookie: string, count: number) => sendRoses(node, cookie, liveId, count);

    it('opens a Checkout Session per purchase, and the same one again for a retried purchase', async () => {
      const v = await signUpAs(node, { handle: 'sessions' });
      const id = randomUUID();
      const first = await node.call<{ purchase: { id: string; amountMinor: number; currency: string }; checkoutUrl: string }>({ method: 'POST', url: '/v1/purchases', headers: { cookie: v.cookie }, payload: { id, coins: 1000, currency: 'GBP' } });
      const again = await node.call<{ checkoutUrl: string }>({ method: 'POST', url: '/v1/purchases', headers: { cookie: v.cookie }, payload: { id, coins: 1000, currency: 'GBP' } });
      expect(first.body.purchase).toMatchObject({ amountMinor: 1272, currency: 'GBP' });
      expect(again.body.checkoutUrl).toBe(first.body.checkoutUrl);
      expect(stripe.countCreated('checkout.session')).toBe(1);
      const sessionId = new URL(first.body.checkoutUrl).pathname.split('/').at(-1) ?? '';
      const session = await new StripePaymentProvider({ secretKey: 'sk_test_livegift_fake', webhookSecrets: [WEBHOOK_SECRET], api: stripe.clientOptions() }).getCheckout(sessionId);
      expect(session).toMatchObject({ purchaseId: first.body.purchase.id, status: 'open', currency: 'GBP', amountMinor: 1272n });
    });

    it('mints once when every event is replayed 10× in random order, concurrently with the return page', async () => {
      const v = await signUpAs(node, { handle: 'replays' });
      const p = await checkout(v.cookie, { packageId: 'eur-700' });
      const events = stripe.completeCheckout(p.session);
      const deliveries = events.flatMap((e) => Array.from({ length: 10 }, () => e)).sort(() => Math.random() - 0.5);
      const answers = await Promise.all([
        ...deliveries.map((e) => deliver(e)),
        ...Array.from({ length: 5 }, () => node.app.inject({ method: 'GET', url: `/v1/purchases/${p.id}/return` })),
      ]);
      expect(answers.slice(0, deliveries.length).map((a) => a.statusCode)).toEqual(Array<number>(deliveries.length).fill(200));
      expect(await coins(v.userId)).toBe(700n);
      expect((await purchase(v.cookie, p.id)).status).toBe('paid');
      const legs = await node.storage.ledger.listByRef(`purchase:${p.id}`, { limit: 10 });
      expect(legs.map((t) => `${t.asset} ${t.amount}`).sort()).toEqual(['COIN 700', 'FIAT:EUR 999']);
    });

    it('credits an asynchronous payment only once the bank confirms it, and never a failed one', async () => {
      const v = await signUpAs(node, { handle: 'asyncpay' });
      const ok = await checkout(v.cookie, { packageId: 'usd-350' });
      await deliverAll(stripe.completeCheckout(ok.session, { async: true }));
      expect((await purchase(v.cookie, ok.id)).status).toBe('pending');
      await node.app.inject({ method: 'GET', url: `/v1/purchases/${ok.id}/return` });
      expect(await coins(v.userId)).toBe(0n);
      await deliverAll(stripe.succeedAsyncPayment(ok.session));
      expect(await coins(v.userId)).toBe(350n);

      const bad = await checkout(v.cookie, { packageId: 'usd-70' });
      await deliverAll(stripe.completeCheckout(bad.session, { async: true }));
      await deliverAll(stripe.failAsyncPayment(bad.session));
      await node.app.inject({ method: 'GET', url: `/v1/purchases/${bad.id}/return` });
      expect((await purchase(v.cookie, bad.id)).status).toBe('declined');
      expect(await coins(v.userId)).toBe(350n);
    });

    it('refuses forged, expired and re-signed-with-another-body webhooks, changing nothing', async () => {
      const v = await signUpAs(node, { handle: 'forgery' });
      const p = await checkout(v.cookie, { packageId: 'usd-350' });
      const [completed] = stripe.completeCheckout(p.session);
      if (!completed) throw new Error('no event');
      const nowS = Math.floor(Date.now() / 1000);
      const other = await checkout(v.cookie, { packageId: 'usd-70' });
      const attempts = [
        { signature: stripe.sign(completed.body, { secret: 'whsec_someone_else' }), body: completed.body },
        { signature: stripe.sign(completed.body, { timestampS: nowS - 600 }), body: completed.body },
        { signature: completed.signature, body: completed.body.replace(p.session, other.session) },
        { signature: completed.signature, body: completed.body.replace('"amount_total": 499', '"amount_total": 49900') },
        { signature: '', body: completed.body },
      ];
      for (const a of attempts) {
        const res = await deliver(a, a.body);
        expect(res.statusCode).toBe(400);
        expect((JSON.parse(res.body) as ErrorBody).error.code).toBe('webhook_rejected');
      }
      expect(await coins(v.userId)).toBe(0n);
      expect((await deliver(completed)).statusCode).toBe(200);
      expect(await coins(v.userId)).toBe(350n);
    });

    it('refunds an unspent, a partly spent and a fully spent purchase from the ledger’s own figures', async () => {
      const v = await signUpAs(node, { handle: 'stripe_refunds' });
      const unspent = await bought(v.cookie, 'usd-350');
      await deliverAll(stripe.refund(unspent.session));
      expect(await coins(v.userId)).toBe(0n);
      expect(await listed(v.cookie, unspent.id)).toMatchObject({ status: 'refunded', moneyBack: { refundedMinor: 499, coinsReversed: 350, coinsAlreadyGifted: 0 } });

      const partly = await bought(v.cookie, 'usd-700');
      expect((await gift(v.cookie, 600)).status).toBe(201);
      const halfway = stripe.refund(partly.session, 500); // $5.00 of $9.99
      const rest = stripe.refund(partly.session); // then the rest
      // Delivered late and the other way round: the cumulative figures keep it right.
      await deliverAll([...rest, ...halfway, ...rest]);
      expect(await listed(v.cookie, partly.id)).toMatchObject({ moneyBack: { refundedMinor: 999, coinsReversed: 100, coinsAlreadyGifted: 600 } });

      const spent = await bought(v.cookie, 'usd-70');
      expect((await gift(v.cookie, 70)).status).toBe(201);
      await deliverAll(stripe.refund(spent.session));
      expect(await listed(v.cookie, spent.id)).toMatchObject({ moneyBack: { refundedMinor: 99, coinsReversed: 0, coinsAlreadyGifted: 70 } });
      expect(await coins(v.userId)).toBe(0n);
    });

    it('charges back a lost dispute and freezes gifting; reinstates a won one', async () => {
      const v = await signUpAs(node, { handle: 'stripe_disputes' });
      const lost = await bought(v.cookie, 'usd-350');
      const won = await bought(v.cookie, 'usd-700');
      expect((await gift(v.cookie, 900)).status).toBe(201); // 150 left
      await deliverAll(stripe.openDispute(lost.session));
      expect(await listed(v.cookie, lost.id)).toMatchObject({ status: 'disputed', moneyBack: { chargedBackMinor: 499, coinsReversed: 150, coinsAlreadyGifted: 200 } });
      await deliverAll(stripe.closeDispute(lost.session, 'lost'));
      expect((await listed(v.cookie, lost.id)).status).toBe('dispute_lost');
      expect((await gift(v.cookie, 1)).body.error.code).toBe('gifting_frozen');

      await deliverAll(stripe.openDispute(won.session));
      expect(await listed(v.cookie, won.id)).toMatchObject({ moneyBack: { chargedBackMinor: 999, coinsReversed: 0, coinsAlreadyGifted: 700 } });
      await deliverAll(stripe.closeDispute(won.session, 'won'));
      expect(await listed(v.cookie, won.id)).toMatchObject({ status: 'dispute_won', moneyBack: { chargedBackMinor: 0, coinsReversed: 0, coinsAlreadyGifted: 0 } });
      const reversals = (await node.storage.ledger.listByRef(`purchase:${won.id}`, { limit: 50 })).filter((t) => t.code === 'REVERSAL');
      expect(reversals.map((t) => t.amount).sort()).toEqual([700n, 999n]);
    });

    describe('Connect payouts', () => {
      let c: { cookie: string; userId: string };
      let accountId: string;
      let acct: string;

      beforeAll(async () => {
        c = await signUpAs(node, { handle: 'connected' });
        await node.storage.ledger.openAccounts([userAccounts(c.userId).diamondsAvailable]);
        // 150,000 diamonds ($750) available: fewer than the daily maximum, so the balance decides.
        const funded = await node.storage.ledger.submit([{ id: `stripe-diamonds:${c.userId}`, code: 'ADJUSTMENT', kind: 'single', debitAccountId: SystemAccounts.diamondIssuance.id, creditAccountId: userAccounts(c.userId).diamondsAvailable.id, amount: 150_000n }]);
        expect(funded.status).toBe('applied');
        stripe.fundPlatform('usd', 1_000_000);
      });

      it('adds a Stripe account that must finish onboarding before anything is redeemed to it', async () => {
        const kinds = await node.call<{ kinds: string[] }>({ method: 'GET', url: '/v1/me/payout-accounts', headers: { cookie: c.cookie } });
        expect(kinds.body.kinds).toEqual(['stripe']);
        const bank = await node.call<ErrorBody>({ method: 'POST', url: '/v1/me/payout-accounts', headers: { cookie: c.cookie }, payload: { kind: 'bank', holderName: 'X', accountNumber: 'DE89370400440532013000' } });
        expect(bank.body.error.code).toBe('validation_failed');
        const added = await node.call<{ id: string; status: string; kind: string }>({ method: 'POST', url: '/v1/me/payout-accounts', headers: { cookie: c.cookie }, payload: { kind: 'stripe', country: 'us' } });
        expect(added.body).toMatchObject({ kind: 'stripe', status: 'onboarding' });
        accountId = added.body.id;
        acct = (await node.storage.db.selectFrom('payout_accounts').select('provider_ref').where('id', '=', accountId).executeTakeFirstOrThrow()).provider_ref;
        const link = await node.call<{ url: string }>({ method: 'POST', url: `/v1/me/payout-accounts/${accountId}/onboarding-link`, headers: { cookie: c.cookie } });
        expect(link.body.url).toBe(`${stripe.baseUrl}/connect/onboard/${acct}`);
        const early = await node.call<ErrorBody>({ method: 'POST', url: '/v1/payouts', headers: { cookie: c.cookie }, payload: { id: randomUUID(), payoutAccountId: accountId, diamonds: 2000 } });
        expect(early.body.error.code).toBe('payout_account_not_ready');
        await deliverAll(stripe.completeOnboarding(acct));
        const ready = await node.call<{ accounts: { status: string }[] }>({ method: 'GET', url: '/v1/me/payout-accounts', headers: { cookie: c.cookie } });
        expect(ready.body.accounts.map((a) => a.status)).toEqual(['ready']);
      });

      it('takes 1,000 concurrent payout requests without reserving more than available, and resolves each once', async () => {
        const answers = await Promise.all(
          Array.from({ length: 1000 }, () => node.call<ErrorBody>({ method: 'POST', url: '/v1/payouts', headers: { cookie: c.cookie }, payload: { id: randomUUID(), payoutAccountId: accountId, diamonds: 2000 } })),
        );
        const accepted = answers.filter((a) => a.status === 201);
        expect(accepted).toHaveLength(75); // 150,000 / 2,000
        expect(new Set(answers.filter((a) => a.status !== 201).map((a) => a.body.error.code))).toEqual(new Set(['insufficient_diamonds']));
        expect(await balance(userAccounts(c.userId).diamondsAvailable.id)).toBe(0n);

        expect(await node.services.processPayouts({ limit: 1000 })).toMatchObject({ inFlight: 75, errors: [] });
        expect(stripe.countCreated('transfer')).toBe(75);
        expect(stripe.countCreated('payout')).toBe(75);
        // The bank pays 70 and returns 5; Connect tells us by webhook.
        const payouts = (await node.storage.db.selectFrom('payouts').select(['id', 'provider_ref']).where('user_id', '=', c.userId).execute()).map((p) => p.provider_ref ?? '');
        const events = payouts.flatMap((po, i) => stripe.settlePayout(acct, po, i < 5 ? 'failed' : 'paid'));
        await Promise.all(events.map((e) => deliver(e)));
        await Promise.all(events.map((e) => deliver(e))); // and again: nothing moves twice
        const statuses = await node.storage.db.selectFrom('payouts').select('status').where('user_id', '=', c.userId).execute();
        expect(statuses.filter((s) => s.status === 'paid')).toHaveLength(70);
        expect(statuses.filter((s) => s.status === 'failed')).toHaveLength(5);
        expect(await balance(userAccounts(c.userId).diamondsAvailable.id)).toBe(10_000n); // the 5 returned
        expect(stripe.countCreated('transfer_reversal')).toBe(5);
        expect(stripe.countCreated('transfer')).toBe(75);
      });

      it('resumes a payout whose process died between "Stripe paid" and "ledger posted", without paying twice', async () => {
        const id = randomUUID();
        expect((await node.call({ method: 'POST', url: '/v1/payouts', headers: { cookie: c.cookie }, payload: { id, payoutAccountId: accountId, diamonds: 2000 } })).status).toBe(201);
        const real = new StripePayoutProvider({ secretKey: 'sk_test_livegift_fake', webhookSecrets: [WEBHOOK_SECRET], api: stripe.clientOptions() });
        const dying: PayoutProvider = {
          name: real.name,
          accountKinds: real.accountKinds,
          registerAccount: (d) => real.registerAccount(d),
          getStatus: (p) => real.getStatus(p),
          send: async (request) => {
            await real.send(request);
            throw new Error('the process died before the ledger was written');
          },
        };
        const doomed = await buildLivegift(node.config, { storage: node.storage, clock: node.clock, payoutProvider: dying });
        try {
          expect((await doomed.services.processPayouts()).errors).toHaveLength(0);
        } finally {
          await doomed.app.close();
        }
        expect(stripe.countCreated('transfer')).toBe(76);
        const [po] = (await node.storage.db.selectFrom('payouts').select(['provider_ref', 'status']).where('id', '=', id).execute());
        expect(po?.status).toBe('processing');
        // The bank pays it; we never heard (no webhook). The restarted worker asks Stripe after the retry delay.
        const paidAtStripe = (await real.stripe.payouts.list({ limit: 100 }, { stripeAccount: acct })).data.find((p) => p.metadata?.payoutId === id);
        if (!paidAtStripe) throw new Error('Stripe has no payout for it');
        stripe.settlePayout(acct, paidAtStripe.id, 'paid');
        node.clock.advance(10 * 60_000);
        expect(await node.services.processPayouts()).toMatchObject({ paid: 1, errors: [] });
        expect(stripe.countCreated('transfer')).toBe(76);
        expect(stripe.countCreated('payout')).toBe(76);
        expect((await node.storage.db.selectFrom('payouts').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('paid');
      });

      it('resumes a payout Stripe reported paid whose ledger posting died, without paying twice', async () => {
        const id = randomUUID();
        expect((await node.call({ method: 'POST', url: '/v1/payouts', headers: { cookie: c.cookie }, payload: { id, payoutAccountId: accountId, diamonds: 2000 } })).status).toBe(201);
        expect(await node.services.processPayouts()).toMatchObject({ inFlight: 1 });
        const po = (await node.storage.db.selectFrom('payouts').select('provider_ref').where('id', '=', id).executeTakeFirstOrThrow()).provider_ref ?? '';
        const [paid] = stripe.settlePayout(acct, po, 'paid');
        if (!paid) throw new Error('no payout.paid event');
        // A node whose ledger dies as it posts the payout: Stripe has paid, our books do not say so yet.
        const ledger = node.storage.ledger;
        const dying = new Proxy(ledger, {
          get: (target, key, receiver) =>
            key === 'submit'
              ? (group: Parameters<typeof ledger.submit>[0]) => (group.some((t) => t.id.endsWith(':post')) ? Promise.reject(new Error('crashed before the ledger was written')) : target.submit(group))
              : (Reflect.get(target, key, receiver) as unknown),
        });
        const doomed = await buildLivegift(node.config, { storage: { ...node.storage, ledger: dying }, clock: node.clock });
        try {
          const answer = await doomed.app.inject({ method: 'POST', url: '/v1/webhooks/stripe', headers: { 'content-type': 'application/json', 'stripe-signature': paid.signature }, payload: paid.body });
          expect(answer.statusCode).toBe(500); // Stripe will deliver it again
        } finally {
          await doomed.app.close();
        }
        expect((await node.storage.db.selectFrom('payouts').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('processing');
        // The retried delivery reaches a healthy node: posted once, nothing sent again.
        expect((await deliver(paid)).statusCode).toBe(200);
        expect((await node.storage.db.selectFrom('payouts').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('paid');
        expect(stripe.countCreated('transfer')).toBe(77);
        expect(stripe.countCreated('payout')).toBe(77);
        expect(await node.storage.ledger.getTransfer(`payout:${id}:post`)).not.toBeNull();
      });
    });

    it('reconciles clean against Stripe after all of it, and reports a charge we never booked', async () => {
      expect(await node.storage.ledger.reconcile()).toMatchObject({ ok: true, problems: [] });
      const report = await node.services.reconcileWithProvider();
      expect(report.differences).toEqual([]);
      expect(report).toMatchObject({ ok: true, provider: 'stripe' });
      expect(report.theirMovements).toBeGreaterThan(90); // charges, refunds, disputes, transfers and their reversals

      // A payment Stripe took whose events never reached us, and no one came back to the return page.
      const v = await signUpAs(node, { handle: 'unbooked' });
      const p = await checkout(v.cookie, { packageId: 'usd-70' });
      stripe.completeCheckout(p.session);
      const drift = await node.services.reconcileWithProvider();
      expect(drift.differences).toEqual([expect.objectContaining({ kind: 'charge', subject: p.id, ours: '0', theirs: '99', problem: 'missing_in_ledger' })]);
    });
  });
}
