// Proves that money coming back after a purchase reaches the people it concerns, in a real Chromium
// against a real node on a fresh SQLite database with the sandbox providers: a viewer buys coins
// through the sandbox checkout and gifts some; the sandbox refunds part of the purchase and the
// balance page says what came back and which coins were taken back or already gifted; a dispute
// lost on another purchase pauses gifting, which the LIVE gift panel explains (a send refused with
// its reason, then the gift button); an admin resumes gifting from the users tab (and holds, then
// releases, the creator's diamonds, which the creator's Redeem shows) and the viewer sends again. The
// in-LIVE recharge prices coins in the browser locale's currency and switches currency. axe-core
// finds nothing serious or critical in the new states; screenshots at phone and desktop size go to
// docs/screenshots/.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { signUpAs, type TestNode } from '../test/support/livegift.js';
import { accessibilityProblems, CHROMIUM_AVAILABLE, openPage, SQLITE_AVAILABLE, useBrowserNode, VIEWPORTS } from './browser.js';

const SHOTS = join(import.meta.dirname, '..', 'docs', 'screenshots');
const CHARGEBACK_REASON = 'A card payment for your coins was charged back.';

interface PurchaseView {
  readonly status: string;
  readonly moneyBack?: { refundedMinor: number; chargedBackMinor: number; coinsReversed: number; coinsAlreadyGifted: number } | null;
}

describe.skipIf(!SQLITE_AVAILABLE || !CHROMIUM_AVAILABLE)('money coming back, in Chromium', () => {
  let node: TestNode;
  let base: string;
  let browser: Browser;
  useBrowserNode((suite) => {
    ({ node, base, browser } = suite);
  }, { publicUrl: true });

  async function open(size: keyof typeof VIEWPORTS, path: string, cookie?: string): Promise<Page> {
    return (await openPage(browser, base, size, path, { cookie })).page;
  }
  async function shoot(page: Page, name: string): Promise<void> {
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  }

  const coinsOf = async (cookie: string) => (await node.call<{ coins: number }>({ method: 'GET', url: '/v1/me/wallet', headers: { cookie } })).body.coins;
  /** A purchase as the balance page reads it: from the list, which carries the money that came back. */
  const purchaseOf = async (cookie: string, id: string) => {
    const list = await node.call<{ purchases: (PurchaseView & { id: string })[] }>({ method: 'GET', url: '/v1/purchases?limit=100', headers: { cookie } });
    const found = list.body.purchases.find((p) => p.id === id);
    if (!found) throw new Error(`no purchase ${id}`);
    return found;
  };
  /** Taps the tile of a radio (the radios themselves are visually hidden inside their tiles). */
  const choose = (page: Page, scope: Locator, name: RegExp) => scope.locator('label').filter({ has: page.getByRole('radio', { name }) }).click();

  /** Buys the 350-coin package on the balance page through the sandbox checkout: the purchase id and its checkout page. */
  async function buy350(page: Page): Promise<{ purchaseId: string; checkoutUrl: string }> {
    await page.goto(`${base}/balance`);
    await page.getByRole('button', { name: '350 coins for $4.99' }).click();
    await page.getByRole('button', { name: 'Pay $4.99 for 350 coins' }).click();
    await page.waitForURL(/\/sandbox\/checkout\//);
    const checkoutUrl = page.url();
    await page.getByRole('button', { name: 'Pay $4.99' }).click();
    await page.waitForURL(/\/v1\/purchases\/[^/]+\/return/);
    await page.getByText('Payment complete').waitFor();
    const purchaseId = /\/v1\/purchases\/([^/]+)\/return/.exec(page.url())?.[1] ?? '';
    expect(purchaseId).not.toBe('');
    // The return page moves on to the balance by itself; wait for it, so the next goto does not race it.
    await page.waitForURL(/\/balance\?purchase=/);
    return { purchaseId, checkoutUrl };
  }

  it('shows a refund and a lost dispute on the balance page, pauses gifting on the LIVE, and lets an admin resume it', async () => {
    const creator = await signUpAs(node, { handle: 'mira_back', displayName: 'Mira Sol' });
    await node.call({ method: 'PUT', url: '/v1/me/gifts', headers: { cookie: creator.cookie }, payload: { enabled: true } });
    const live = await node.call<{ id: string }>({ method: 'POST', url: '/v1/lives', headers: { cookie: creator.cookie }, payload: { title: 'Night market' } });
    expect(live.status).toBe(201);
    const viewer = await signUpAs(node, { handle: 'theo_back', displayName: 'Theo Park' });
    const admin = await signUpAs(node, { handle: 'rae_back', displayName: 'Rae Admin' });
    await node.storage.db.updateTable('users').set({ role: 'admin' }).where('id', '=', admin.userId).execute();

    // 350 coins bought through the sandbox checkout; 200 of them gifted to Mira.
    const page = await open('desktop', '/balance', viewer.cookie);
    await page.getByRole('heading', { name: 'Balance' }).waitFor();
    const first = await buy350(page);
    for (let i = 0; i < 2; i++) {
      const sent = await node.call({ method: 'POST', url: '/v1/gifts', headers: { cookie: viewer.cookie }, payload: { id: randomUUID(), liveId: live.body.id, giftId: 'hand-hearts', count: 1 } });
      expect(sent.status).toBe(201);
    }
    expect(await coinsOf(viewer.cookie)).toBe(150);

    // $2.50 of the $4.99 refunded on the sandbox page: ⌈350 × 250 / 499⌉ = 176 coins owed back; the
    // 150 still in the wallet are taken back, the other 26 were already gifted.
    await page.goto(first.checkoutUrl);
    await page.getByLabel(/Amount to refund/).fill('2.50');
    await page.getByRole('button', { name: 'Refund' }).click();
    await expect.poll(async () => (await purchaseOf(viewer.cookie, first.purchaseId)).status, { timeout: 10_000 }).toBe('refunded');
    expect((await purchaseOf(viewer.cookie, first.purchaseId)).moneyBack).toEqual({ refundedMinor: 250, chargedBackMinor: 0, coinsReversed: 150, coinsAlreadyGifted: 26 });
    await page.goto(`${base}/balance`);
    const history = page.getByRole('list', { name: 'Your purchases' });
    const refunded = history.getByRole('listitem').filter({ hasText: 'Refunded $2.50 · 150 coins taken back · 26 coins were already gifted' });
    await refunded.waitFor();
    await refunded.getByText('Partly refunded').waitFor();
    await page.getByLabel('0 coins', { exact: true }).first().waitFor();

    // Two more purchases; the viewer has the LIVE open with the gift panel while a dispute on the
    // second one is opened and lost.
    const second = await buy350(page);
    await buy350(page);
    expect(await coinsOf(viewer.cookie)).toBe(700);
    const phone = await open('phone', `/live/${live.body.id}`, viewer.cookie);
    await phone.getByRole('region', { name: 'Night market, LIVE by Mira Sol' }).waitFor();
    await phone.getByRole('button', { name: 'Send a gift' }).click();
    const panel = phone.getByRole('dialog', { name: 'Gifts' });
    await choose(phone, panel, /^Finger Heart/);

    await page.goto(second.checkoutUrl);
    await page.getByRole('button', { name: 'Open dispute' }).click();
    await page.getByRole('button', { name: 'Lose dispute' }).click();
    await expect.poll(async () => (await purchaseOf(viewer.cookie, second.purchaseId)).status, { timeout: 10_000 }).toBe('dispute_lost');
    await expect.poll(async () => (await node.call<{ giftingFrozen: unknown }>({ method: 'GET', url: '/v1/me', headers: { cookie: viewer.cookie } })).body.giftingFrozen).not.toBeNull();
    expect(await coinsOf(viewer.cookie)).toBe(350);

    // A send now is refused with the reason; from then on the gift button explains instead.
    await panel.getByRole('button', { name: 'Send Finger Heart for 5 coins' }).click();
    await panel.getByRole('alert').filter({ hasText: `Finger Heart was not sent. ${CHARGEBACK_REASON}` }).waitFor();
    await panel.getByRole('button', { name: 'Close gifts' }).click();
    await phone.getByRole('button', { name: 'Send a gift' }).click();
    const paused = phone.getByRole('dialog', { name: 'Gifting is paused' });
    await paused.getByText(CHARGEBACK_REASON).waitFor();
    await phone.waitForTimeout(400); // the sheet's slide-up has ended
    await phone.screenshot({ path: join(SHOTS, 'money-back-gift-paused-phone.png') });
    expect(await accessibilityProblems(phone)).toEqual([]);
    await paused.getByRole('button', { name: 'OK' }).click();
    expect(await coinsOf(viewer.cookie)).toBe(350);

    // The balance page: why gifting is paused, and each purchase's money in words.
    await page.goto(`${base}/balance`);
    await page.getByRole('note').filter({ hasText: 'Gifting is paused on your account' }).getByText(CHARGEBACK_REASON).waitFor();
    await history.getByRole('listitem').filter({ hasText: 'Charged back $4.99 · 350 coins taken back' }).getByText('Dispute lost').waitFor();
    await history.getByRole('listitem').filter({ hasText: 'Partly refunded' }).waitFor();
    expect(await history.getByRole('listitem').filter({ hasText: 'Paid' }).count()).toBe(1);
    await shoot(page, 'money-back-balance-desktop');
    expect(await accessibilityProblems(page)).toEqual([]);
    const balancePhone = await open('phone', '/balance', viewer.cookie);
    await balancePhone.getByRole('list', { name: 'Your purchases' }).getByText('Charged back $4.99 · 350 coins taken back').waitFor();
    await shoot(balancePhone, 'money-back-balance-phone');
    await balancePhone.context().close();

    // The admin sees why, resumes gifting, and holds Mira's diamonds for a while.
    const adminPage = await open('desktop', '/admin?tab=users', admin.cookie);
    await expect.poll(() => adminPage.getByRole('list', { name: 'Users' }).getByRole('listitem').count()).toBe(3);
    const theo = adminPage.getByRole('listitem', { name: 'Theo Park @theo_back' });
    await theo.getByText(new RegExp(`^Gifting paused since Nov 26, .*: ${CHARGEBACK_REASON}$`)).waitFor();
    const mira = adminPage.getByRole('listitem', { name: 'Mira Sol @mira_back' });
    await mira.getByRole('button', { name: 'Hold diamonds' }).click();
    const holdForm = mira.getByRole('form', { name: 'Hold the diamonds of @mira_back' });
    await holdForm.getByRole('button', { name: 'Hold diamonds' }).click();
    // No reason, no hold: the form stays, asking for one.
    expect(await holdForm.isVisible()).toBe(true);
    expect(await mira.getByText(/Diamonds on hold/).count()).toBe(0);
    expect(await accessibilityProblems(adminPage)).toEqual([]);
    await holdForm.getByLabel(/Why hold them/).fill('Checking gifts from a charged-back card');
    await holdForm.getByRole('button', { name: 'Hold diamonds' }).click();
    await mira.getByText('Diamonds of @mira_back are on hold.').waitFor();
    await mira.getByText(/Diamonds on hold since .*: Checking gifts from a charged-back card/).waitFor();
    await shoot(adminPage, 'money-back-admin-users-desktop');
    await theo.getByRole('button', { name: 'Resume gifting' }).click();
    await theo.getByText('Gifting resumed for @theo_back.').waitFor();
    expect(await theo.getByText('Gifting paused').count()).toBe(0);
    expect((await node.call<{ giftingFrozen: unknown }>({ method: 'GET', url: '/v1/me', headers: { cookie: viewer.cookie } })).body.giftingFrozen).toBeNull();
    const adminPhone = await open('phone', '/admin?tab=users', admin.cookie);
    await adminPhone.getByLabel('Search users').fill('mira_back');
    await expect.poll(() => adminPhone.getByRole('list', { name: 'Users' }).getByRole('listitem').count()).toBe(1);
    await adminPhone.getByRole('listitem', { name: 'Mira Sol @mira_back' }).getByText(/Diamonds on hold since/).waitFor();
    await shoot(adminPhone, 'money-back-admin-users-phone');
    await adminPhone.context().close();

    // Mira's balance page says her diamonds are held, and Redeem is off with the reason.
    const creatorPage = await open('phone', '/balance', creator.cookie);
    await creatorPage.getByRole('note').filter({ hasText: 'Your diamonds are held for review' }).getByText(/Checking gifts from a charged-back card/).waitFor();
    const redeem = creatorPage.getByRole('form', { name: 'Redeem' });
    await redeem.getByText('Redeeming is paused while your diamonds are held for review: Checking gifts from a charged-back card').waitFor();
    expect(await redeem.getByRole('button', { name: 'Redeem' }).isDisabled()).toBe(true);
    await shoot(creatorPage, 'money-back-diamonds-held-phone');
    await mira.getByRole('button', { name: 'Release diamonds' }).click();
    await mira.getByText('Diamonds of @mira_back released.').waitFor();
    await creatorPage.reload();
    await creatorPage.getByRole('heading', { name: 'Diamonds' }).waitFor();
    await creatorPage.getByLabel(/diamonds on hold, worth/).first().waitFor();
    expect(await creatorPage.getByText('Your diamonds are held for review').count()).toBe(0);
    await creatorPage.context().close();
    await adminPage.context().close();

    // The viewer, back on the LIVE, sends again.
    await phone.reload();
    await phone.getByRole('button', { name: 'Send a gift' }).click();
    await choose(phone, panel, /^Finger Heart/);
    await panel.getByRole('button', { name: 'Send Finger Heart for 5 coins' }).click();
    await phone.locator('.banner').filter({ hasText: 'sent Finger Heart' }).waitFor();
    await expect.poll(() => coinsOf(viewer.cookie)).toBe(345);
    expect(await panel.getByRole('alert').count()).toBe(0);
    await phone.context().close();
    await page.context().close();
  });

  it('prices the in-LIVE recharge in the browser locale’s currency and switches currency', async () => {
    const creator = await signUpAs(node, { handle: 'luz_cur', displayName: 'Luz Marin' });
    await node.call({ method: 'PUT', url: '/v1/me/gifts', headers: { cookie: creator.cookie }, payload: { enabled: true } });
    const live = await node.call<{ id: string }>({ method: 'POST', url: '/v1/lives', headers: { cookie: creator.cookie }, payload: { title: 'Tea time' } });
    const fan = await signUpAs(node, { handle: 'ada_cur', displayName: 'Ada Lund' });
    const context = await browser.newContext({ viewport: VIEWPORTS.phone, locale: 'en-GB' });
    const [name, value] = fan.cookie.split('=');
    await context.addCookies([{ name: name ?? '', value: value ?? '', url: base }]);
    const page = await context.newPage();
    await page.goto(`${base}/live/${live.body.id}`);
    await page.getByRole('button', { name: 'Send a gift' }).click();
    await page.getByRole('dialog', { name: 'Gifts' }).getByRole('button', { name: 'Recharge' }).click();
    const recharge = page.getByRole('dialog', { name: 'Recharge' });
    const currency = recharge.getByRole('group', { name: 'Pay in' });
    await recharge.getByText('£4.49').first().waitFor();
    expect(await currency.getByRole('radio', { name: 'GBP' }).isChecked()).toBe(true);
    await choose(page, recharge, /^350\b/);
    await recharge.getByRole('button', { name: 'Pay £4.49' }).waitFor();
    await page.waitForTimeout(300); // the tiles' colour transitions have ended
    await page.screenshot({ path: join(SHOTS, 'money-back-recharge-currency-phone.png') });

    // Euros: the same package stays chosen, in the new currency.
    await currency.locator('label').filter({ hasText: 'EUR' }).click();
    await recharge.getByRole('button', { name: 'Pay €4.99' }).waitFor();
    expect(await recharge.getByRole('radio', { name: /^350\b/ }).isChecked()).toBe(true);
    expect(await recharge.getByText('£').count()).toBe(0);
    await context.close();
  });
});
