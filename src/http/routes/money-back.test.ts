// Proves money coming back after coins were bought, through the sandbox provider's own buttons and
// signed webhooks over real HTTP on real databases: refunds of an unspent, a partly spent and a fully
// spent purchase (the unspent coins reversed, the gifted part booked as a loss, creators keeping their
// diamonds), partial refunds adding up, replays and out-of-order events booking nothing twice, a lost
// dispute freezing the viewer's gifting until an admin reviews them, a won dispute reinstated by its
// own transfers, an admin's hold on a creator's diamonds — and every ledger and the provider's own
// records still agreeing at the end.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../test/support/databases.js';
import { openTestNode, signUpAs, type TestNode } from '../../../test/support/livegift.js';
import { balanceOf, coinsOf, creatorOnAir, listedPurchase, sendRoses, type ErrorBody, type PurchaseBody } from '../../../test/support/money.js';
import { fiatAccounts, SystemAccounts, userAccounts } from '../../domain/accounts.js';
import { sign } from '../../payments/webhook-signature.js';

const SECRET = 'test-webhook-secret-0123456789';

for (const dialect of DIALECTS) {
  describe.skipIf(!dialect.available)(`money back after purchases on ${dialect.name}`, () => {
    let node: TestNode;
    let admin: { cookie: string; userId: string };
    let creator: { cookie: string; userId: string };
    let liveId: string;

    beforeAll(async () => {
      node = await openTestNode(dialect, { SANDBOX_WEBHOOK_SECRET: SECRET, PUBLIC_URL: 'http://livegift.test' });
      admin = await signUpAs(node, { handle: 'moneyadmin' });
      await node.storage.db.updateTable('users').set({ role: 'admin' }).where('id', '=', admin.userId).execute();
      ({ creator, liveId } = await creatorOnAir(node, 'moneycreator'));
    });
    afterAll(async () => {
      await node.drop();
    });

    const balance = (accountId: string) => balanceOf(node, accountId);
    const coins = (userId: string) => coinsOf(node, userId);

    /** Buys a package through the sandbox checkout page's Pay button. */
    async function bought(cookie: string, packageId: string): Promise<{ id: string; ref: string }> {
      const res = await node.call<{ purchase: { id: string }; checkoutUrl: string }>({ method: 'POST', url: '/v1/purchases', headers: { cookie }, payload: { id: randomUUID(), packageId } });
      expect(res.status).toBe(201);
      const ref = new URL(res.body.checkoutUrl).pathname.split('/').at(-1) ?? '';
      expect((await press(ref, 'pay')).statusCode).toBe(303);
      return { id: res.body.purchase.id, ref };
    }

    /** A press on the sandbox checkout page, as the buyer's browser posts it. */
    function press(ref: string, action: string, form = '') {
      return node.app.inject({ method: 'POST', url: `/sandbox/checkout/${ref}/${action}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form });
    }

    const gift = (cookie: string, count: number) => sendRoses(node, cookie, liveId, count);
    const purchase = (cookie: string, id: string) => listedPurchase(node, cookie, id);

    /** Changes the sandbox's own record of a checkout, as the provider itself would have. */
    async function provider(ref: string, set: Record<string, unknown>) {
      await node.storage.db.updateTable('sandbox_checkouts' as never).set(set as never).where('ref' as never, '=', ref as never).execute();
    }

    /** A sandbox webhook as the provider would send it, signed now. */
    function webhook(body: Record<string, unknown>) {
      const raw = JSON.stringify(body);
      return node.app.inject({ method: 'POST', url: '/v1/webhooks/sandbox', headers: { 'content-type': 'application/json', 'livegift-signature': sign(SECRET, raw, Math.floor(node.clock.nowMs() / 1000)) }, payload: raw });
    }

    it('reverses every coin of a refunded purchase that was never spent', async () => {
      const v = await signUpAs(node, { handle: 'unspent' });
      const p = await bought(v.cookie, 'usd-350');
      expect(await coins(v.userId)).toBe(350n);
      const lossesBefore = await balance(fiatAccounts('USD').losses.id);
      expect((await press(p.ref, 'refund')).statusCode).toBe(303);
      expect(await coins(v.userId)).toBe(0n);
      expect(await purchase(v.cookie, p.id)).toMatchObject({ status: 'refunded', moneyBack: { refundedMinor: 499, chargedBackMinor: 0, coinsReversed: 350, coinsAlreadyGifted: 0 } });
      expect(await balance(fiatAccounts('USD').losses.id)).toBe(lossesBefore); // nothing was lost: no coin had been gifted
    });

    it('books the gifted part of a refunded purchase as a loss and leaves the creator their diamonds', async () => {
      const v = await signUpAs(node, { handle: 'partlyspent' });
      const p = await bought(v.cookie, 'usd-350');
      expect((await gift(v.cookie, 100)).status).toBe(201);
      const diamonds = await balance(userAccounts(creator.userId).diamondsOnHold.id);
      const [lossesBefore, coinLossesBefore] = [await balance(fiatAccounts('USD').losses.id), await balance(SystemAccounts.coinLosses.id)];
      expect((await press(p.ref, 'refund')).statusCode).toBe(303);
      expect(await coins(v.userId)).toBe(0n);
      // 100 of 350 coins were gifted: their share of $4.99 (⌊499·100/350⌋ = 142) is the platform's loss.
      expect(await purchase(v.cookie, p.id)).toMatchObject({ status: 'refunded', moneyBack: { refundedMinor: 499, coinsReversed: 250, coinsAlreadyGifted: 100 } });
      expect(await balance(fiatAccounts('USD').losses.id)).toBe(lossesBefore - 142n); // a debit balance: money lost
      expect(await balance(SystemAccounts.coinLosses.id)).toBe(coinLossesBefore + 100n);
      expect(await balance(userAccounts(creator.userId).diamondsOnHold.id)).toBe(diamonds);
    });

    it('adds partial refunds up to the whole price, coins owed rounded in the platform’s favour', async () => {
      const v = await signUpAs(node, { handle: 'partial' });
      const p = await bought(v.cookie, 'usd-700'); // 700 coins for 999
      expect((await gift(v.cookie, 600)).status).toBe(201);
      expect((await press(p.ref, 'refund', 'amount=5.00')).statusCode).toBe(303);
      // $5.00 owes ⌈700·500/999⌉ = 351 coins: the 100 in the wallet, and 251 already gifted.
      expect(await coins(v.userId)).toBe(0n);
      expect(await purchase(v.cookie, p.id)).toMatchObject({ moneyBack: { refundedMinor: 500, coinsReversed: 100, coinsAlreadyGifted: 251 } });
      expect((await press(p.ref, 'refund')).statusCode).toBe(303); // the rest: $4.99
      expect(await purchase(v.cookie, p.id)).toMatchObject({ status: 'refunded', moneyBack: { refundedMinor: 999, coinsReversed: 100, coinsAlreadyGifted: 600 } });
    });

    it('books a refund of a fully spent purchase entirely as a loss', async () => {
      const v = await signUpAs(node, { handle: 'allspent' });
      const p = await bought(v.cookie, 'usd-70');
      expect((await gift(v.cookie, 70)).status).toBe(201);
      const lossesBefore = await balance(fiatAccounts('USD').losses.id);
      expect((await press(p.ref, 'refund')).statusCode).toBe(303);
      expect(await purchase(v.cookie, p.id)).toMatchObject({ moneyBack: { refundedMinor: 99, coinsReversed: 0, coinsAlreadyGifted: 70 } });
      expect(await balance(fiatAccounts('USD').losses.id)).toBe(lossesBefore - 99n);
    });

    it('books nothing twice when refund events are replayed, arrive out of order, or race each other', async () => {
      const v = await signUpAs(node, { handle: 'replayedrefund' });
      const p = await bought(v.cookie, 'usd-700');
      // What the provider did (its own records); the events below tell us about it.
      await provider(p.ref, { refunded_minor: 500 });
      const event = (id: string, total: number) => ({ id, type: 'charge.refunded', created: node.clock.nowMs(), data: { providerRef: p.ref, purchaseId: p.id, currency: 'USD', amountMinor: total, refundedTotalMinor: total } });
      // Two refunds ($3.00, then $2.00 more: $5.00 in all), each delivered 10× in random order, all at once.
      const deliveries = [...Array.from({ length: 10 }, () => event('evt_r1', 300)), ...Array.from({ length: 10 }, () => event('evt_r2', 500))].sort(() => Math.random() - 0.5);
      const answers = await Promise.all(deliveries.map((d) => webhook(d)));
      expect(answers.map((a) => a.statusCode)).toEqual(Array<number>(20).fill(200));
      expect(await purchase(v.cookie, p.id)).toMatchObject({ status: 'refunded', moneyBack: { refundedMinor: 500, coinsReversed: 351 } });
      expect(await coins(v.userId)).toBe(349n);
      // A stale figure later changes nothing.
      expect((await webhook(event('evt_r0', 200))).statusCode).toBe(200);
      expect(await purchase(v.cookie, p.id)).toMatchObject({ moneyBack: { refundedMinor: 500 } });
    });

    it('charges back a dispute, freezes gifting when it is lost, and lets an admin resume it', async () => {
      const v = await signUpAs(node, { handle: 'chargeback' });
      const p = await bought(v.cookie, 'usd-350');
      await bought(v.cookie, 'usd-70'); // another purchase, untouched by the dispute
      expect((await gift(v.cookie, 50)).status).toBe(201);
      expect((await press(p.ref, 'dispute')).statusCode).toBe(303);
      // The dispute took $4.99 back: 350 coins owed, all still in the wallet (370 there).
      expect(await coins(v.userId)).toBe(20n);
      expect(await purchase(v.cookie, p.id)).toMatchObject({ status: 'disputed', moneyBack: { chargedBackMinor: 499, coinsReversed: 350, coinsAlreadyGifted: 0 } });
      expect((await gift(v.cookie, 1)).status).toBe(201); // gifting goes on while the dispute is open

      expect((await press(p.ref, 'dispute-lost')).statusCode).toBe(303);
      expect(await purchase(v.cookie, p.id)).toMatchObject({ status: 'dispute_lost', moneyBack: { chargedBackMinor: 499 } });
      const frozen = await gift(v.cookie, 1);
      expect(frozen.status).toBe(403);
      expect(frozen.body.error.code).toBe('gifting_frozen');
      const me = await node.call<{ giftingFrozen: { reason: string } | null }>({ method: 'GET', url: '/v1/me', headers: { cookie: v.cookie } });
      expect(me.body.giftingFrozen?.reason).toMatch(/charged back/);
      const one = await node.call<PurchaseBody>({ method: 'GET', url: `/v1/purchases/${p.id}`, headers: { cookie: v.cookie } });
      expect(one.body).toMatchObject({ status: 'dispute_lost', moneyBack: { chargedBackMinor: 499, coinsReversed: 350 } });

      // Only an admin lifts it, and it is in the audit log.
      const byViewer = await node.call<ErrorBody>({ method: 'PATCH', url: `/v1/admin/users/${v.userId}`, headers: { cookie: v.cookie }, payload: { giftingFrozen: false } });
      expect(byViewer.status).toBe(403);
      const lifted = await node.call<{ giftingFrozen: unknown }>({ method: 'PATCH', url: `/v1/admin/users/${v.userId}`, headers: { cookie: admin.cookie }, payload: { giftingFrozen: false } });
      expect(lifted.status).toBe(200);
      expect(lifted.body.giftingFrozen).toBeNull();
      expect((await gift(v.cookie, 1)).status).toBe(201);
      const audit = await node.call<{ entries: { action: string }[] }>({ method: 'GET', url: `/v1/admin/audit?subject=user:${v.userId}`, headers: { cookie: admin.cookie } });
      expect(audit.body.entries.map((e) => e.action)).toEqual(expect.arrayContaining(['user.gifting_frozen', 'user.gifting_unfrozen']));
    });

    it('reinstates a won dispute by its own transfers, also when "won" arrives before "opened"', async () => {
      const v = await signUpAs(node, { handle: 'disputewon' });
      const p = await bought(v.cookie, 'usd-350');
      expect((await gift(v.cookie, 300)).status).toBe(201);
      const lossesBefore = await balance(fiatAccounts('USD').losses.id);
      expect((await press(p.ref, 'dispute')).statusCode).toBe(303);
      expect(await coins(v.userId)).toBe(0n);
      expect((await press(p.ref, 'dispute-won')).statusCode).toBe(303);
      expect(await coins(v.userId)).toBe(50n);
      expect(await purchase(v.cookie, p.id)).toMatchObject({ status: 'dispute_won', moneyBack: { chargedBackMinor: 0, coinsReversed: 0, coinsAlreadyGifted: 0 } });
      expect(await balance(fiatAccounts('USD').losses.id)).toBe(lossesBefore);
      const legs = await node.storage.ledger.listByRef(`purchase:${p.id}`, { limit: 50 });
      expect(legs.filter((t) => t.code === 'REVERSAL').map((t) => t.id.split(':').slice(-2).join(':')).sort()).toEqual(['reinstate:coins', 'reinstate:coins-lost', 'reinstate:money', 'reinstate:money-lost']);

      // Out of order: the provider's "won" reaches us first; "opened" afterwards books nothing.
      const w = await signUpAs(node, { handle: 'wonfirst' });
      const q = await bought(w.cookie, 'usd-70');
      await provider(q.ref, { dispute_status: 'won', disputed_minor: 99 });
      const dispute = (id: string, type: string) => ({ id, type, created: node.clock.nowMs(), data: { providerRef: q.ref, purchaseId: q.id, currency: 'USD', amountMinor: 99 } });
      expect((await webhook(dispute('evt_won', 'dispute.won'))).statusCode).toBe(200);
      expect((await webhook(dispute('evt_opened', 'dispute.opened'))).statusCode).toBe(200);
      expect(await coins(w.userId)).toBe(70n);
      expect(await purchase(w.cookie, q.id)).toMatchObject({ status: 'dispute_won', moneyBack: { chargedBackMinor: 0 } });
    });

    it('holds a creator’s diamonds for review: no redemption, no payout sent, until released', async () => {
      const c = await signUpAs(node, { handle: 'heldcreator' });
      await node.storage.ledger.openAccounts([userAccounts(c.userId).diamondsAvailable]);
      expect((await node.storage.ledger.submit([{ id: `held:${c.userId}`, code: 'ADJUSTMENT', kind: 'single', debitAccountId: SystemAccounts.diamondIssuance.id, creditAccountId: userAccounts(c.userId).diamondsAvailable.id, amount: 10_000n }])).status).toBe('applied');
      const account = await node.call<{ id: string }>({ method: 'POST', url: '/v1/me/payout-accounts', headers: { cookie: c.cookie }, payload: { kind: 'bank', holderName: 'Held Creator', accountNumber: 'DE89370400440532013000' } });
      expect(account.status).toBe(201);
      const before = await node.call<{ status: string }>({ method: 'POST', url: '/v1/payouts', headers: { cookie: c.cookie }, payload: { id: randomUUID(), payoutAccountId: account.body.id, diamonds: 2000 } });
      expect(before.status).toBe(201);

      const missingReason = await node.call<ErrorBody>({ method: 'PATCH', url: `/v1/admin/users/${c.userId}`, headers: { cookie: admin.cookie }, payload: { payoutsHeld: true } });
      expect(missingReason.body.error.code).toBe('validation_failed');
      const held = await node.call<{ payoutsHeld: { reason: string } | null }>({ method: 'PATCH', url: `/v1/admin/users/${c.userId}`, headers: { cookie: admin.cookie }, payload: { payoutsHeld: true, reason: 'Unusual gifts from new accounts' } });
      expect(held.body.payoutsHeld?.reason).toBe('Unusual gifts from new accounts');

      const refused = await node.call<ErrorBody>({ method: 'POST', url: '/v1/payouts', headers: { cookie: c.cookie }, payload: { id: randomUUID(), payoutAccountId: account.body.id, diamonds: 2000 } });
      expect(refused.status).toBe(403);
      expect(refused.body.error).toMatchObject({ code: 'payouts_on_hold' });
      expect(refused.body.error.message).toContain('Unusual gifts from new accounts');
      // The payout requested before the hold waits, its diamonds reserved.
      expect(await node.services.processPayouts()).toMatchObject({ held: 1, paid: 0 });
      expect(await balance(userAccounts(c.userId).diamondsAvailable.id)).toBe(8_000n);

      await node.call({ method: 'PATCH', url: `/v1/admin/users/${c.userId}`, headers: { cookie: admin.cookie }, payload: { payoutsHeld: false } });
      node.clock.advance(60_000);
      expect(await node.services.processPayouts()).toMatchObject({ paid: 1 });
    });

    it('leaves every ledger consistent and in agreement with the provider’s records', async () => {
      expect(await node.storage.ledger.reconcile()).toMatchObject({ ok: true, problems: [] });
      const report = await node.services.reconcileWithProvider();
      expect(report.differences).toEqual([]);
      expect(report).toMatchObject({ ok: true, provider: 'sandbox' });
      expect(report.subjects).toBeGreaterThan(8);
      const viaAdmin = await node.call<{ ok: boolean; provider: string }>({ method: 'POST', url: '/v1/admin/reconcile/provider', headers: { cookie: admin.cookie } });
      expect(viaAdmin.body).toMatchObject({ ok: true, provider: 'sandbox' });
      const viaCreator = await node.call<ErrorBody>({ method: 'POST', url: '/v1/admin/reconcile/provider', headers: { cookie: creator.cookie } });
      expect(viaCreator.status).toBe(403);

      // A refund the provider made that never reached us is a difference.
      const v = await signUpAs(node, { handle: 'lostwebhook' });
      const p = await bought(v.cookie, 'usd-70');
      await provider(p.ref, { refunded_minor: 99 });
      const drift = await node.services.reconcileWithProvider();
      expect(drift.ok).toBe(false);
      expect(drift.differences).toEqual([expect.objectContaining({ kind: 'refund', subject: p.id, ours: '0', theirs: '99', problem: 'missing_in_ledger' })]);
    });
  });
}
