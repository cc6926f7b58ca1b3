// Proves the whole loop of PRODUCT.md through the typed SDK over a real listening server, on each
// database: sign up, buy coins at the sandbox checkout, go LIVE, watch, send gifts (and retry one),
// end the LIVE and read its summary, let diamonds mature, redeem them and see the payout paid —
// and the ledger reconciles clean at the end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LivegiftClient, LivegiftError } from '../src/sdk/livegift-client.js';
import { DIALECTS } from './support/databases.js';
import { openTestNode, type TestNode } from './support/livegift.js';

for (const dialect of DIALECTS) {
  describe.skipIf(!dialect.available)(`the whole loop through the SDK on ${dialect.name}`, () => {
    let node: TestNode;
    let baseUrl: string;
    beforeAll(async () => {
      node = await openTestNode(dialect, { DIAMOND_HOLD_HOURS: '0' });
      const address = await node.app.listen({ port: 0, host: '127.0.0.1' });
      baseUrl = address;
    });
    afterAll(async () => {
      await node.drop();
    });

    /** Pays at the sandbox checkout as a browser would, then follows the provider's redirect back. */
    async function payAtCheckout(checkoutUrl: string): Promise<void> {
      const path = new URL(checkoutUrl).pathname;
      const paid = await fetch(`${baseUrl}${path}/pay`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '', redirect: 'manual' });
      expect(paid.status).toBe(303);
      const back = new URL(paid.headers.get('location') ?? '');
      const page = await fetch(`${baseUrl}${back.pathname}${back.search}`);
      expect(await page.text()).toContain('Payment complete');
    }

    it('walks sign-up → coins → LIVE → gifts → summary → diamonds → payout, and reconciles', async () => {
      const creator = new LivegiftClient({ baseUrl });
      const viewer = new LivegiftClient({ baseUrl });
      const admin = new LivegiftClient({ baseUrl });

      // Accounts.
      const mira = await creator.signUp({ email: 'mira@example.test', password: 'mira password 1', handle: 'mira', displayName: 'Mira', birthDate: '1996-04-02' });
      expect(mira.adult).toBe(true);
      await creator.setGiftsEnabled(true);
      const ana = await viewer.signUp({ email: 'ana@example.test', password: 'ana password 1', handle: 'ana', displayName: 'Ana', birthDate: '2000-08-09' });
      const root = await admin.signUp({ email: 'root@example.test', password: 'root password 1', handle: 'root', displayName: 'Root', birthDate: '1980-01-01' });
      await node.storage.db.updateTable('users').set({ role: 'admin' }).where('id', '=', root.id).execute();

      // Coins at the sandbox checkout.
      const prices = await viewer.coinPrices('USD');
      expect(prices.packages.find((p) => p.id === 'usd-3500')?.priceMinor).toBe(4999);
      const { purchase, checkoutUrl } = await viewer.buyCoins({ packageId: 'usd-3500' });
      expect(purchase.status).toBe('created');
      await payAtCheckout(checkoutUrl);
      expect((await viewer.purchase(purchase.id)).status).toBe('paid');
      expect((await viewer.wallet()).coins).toBe(3500);

      // The LIVE.
      const live = await creator.startLive({ title: 'Sunday sketching' });
      expect((await viewer.lives()).lives.map((l) => l.id)).toContain(live.id);
      expect((await viewer.joinLive(live.id)).viewers).toBe(1);

      // Gifts: a combo of roses, a retry that must not charge twice, a full-screen Galaxy ×3.
      const first = await viewer.sendGift({ liveId: live.id, giftId: 'rose', count: 5 });
      expect(first).toMatchObject({ status: 'applied', coins: 5, balanceCoins: 3495 });
      const retry = await viewer.sendGift({ liveId: live.id, giftId: 'rose', count: 5, id: first.transferId });
      expect(retry).toMatchObject({ status: 'duplicate', balanceCoins: 3495 });
      const more = await viewer.sendGift({ liveId: live.id, giftId: 'rose', count: 1 });
      expect(more.comboId).toBe(first.comboId);
      expect(more.comboCount).toBe(6);
      const galaxy = await viewer.sendGift({ liveId: live.id, giftId: 'galaxy', count: 3 });
      expect(galaxy.balanceCoins).toBe(494);
      const tooMuch = await viewer.sendGift({ liveId: live.id, giftId: 'lion' }).catch((e: unknown) => e);
      expect(tooMuch).toBeInstanceOf(LivegiftError);
      expect(tooMuch).toMatchObject({ status: 402, code: 'insufficient_coins', details: { shortfallCoins: String(29_999 - 494) } });
      const self = await creator.sendGift({ liveId: live.id, giftId: 'rose' }).catch((e: unknown) => e);
      expect(self).toMatchObject({ code: 'cannot_gift_self' });

      // End the LIVE: the summary counts gifters, gifts, coins and diamonds.
      const ended = await creator.endLive(live.id);
      expect(ended.status).toBe('ended');
      const summary = await viewer.liveSummary(live.id);
      expect(summary).toMatchObject({ gifters: 1, giftsCount: 9, coinsSpent: 3006, diamondsEarned: 3006, uniqueViewers: 1 });
      expect(summary.topGifters[0]).toMatchObject({ user: { handle: 'ana' }, coins: 3006 });
      expect((await creator.creatorLives('mira')).lives.map((l) => l.id)).toEqual([live.id]);
      const late = await viewer.sendGift({ liveId: live.id, giftId: 'rose' }).catch((e: unknown) => e);
      expect(late).toMatchObject({ code: 'live_not_on_air' });

      // Diamonds mature (hold 0 here), and the creator redeems them.
      await node.services.matureDiamonds();
      const diamonds = await creator.diamonds();
      expect(diamonds).toMatchObject({ available: 3006, onHold: 0, value: { availableMinor: 1503 } });
      const bank = await creator.addPayoutAccount({ kind: 'bank', holderName: 'Mira Sol', accountNumber: 'DE89 3704 0044 0532 0130 00' });
      const payout = await creator.redeem({ payoutAccountId: bank.id, diamonds: 2000 });
      expect(payout.status).toBe('requested');
      expect((await creator.diamonds()).available).toBe(1006);
      await node.services.processPayouts();
      const [paid] = await creator.payouts();
      expect(paid).toMatchObject({ id: payout.id, status: 'paid' });

      // A viewer's statement, and the ledger proves it all.
      const history = await viewer.walletHistory();
      expect(history.entries.map((e) => e.code)).toEqual(['GIFT', 'GIFT', 'GIFT', 'PURCHASE']);
      const report = await admin.reconcile();
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);
      expect(ana.handle).toBe('ana');
    });
  });
}
