// Proves gifting on the viewer's LIVE page in a real Chromium against a real node on a fresh SQLite
// database: a new adult with no coins taps Send and gets the recharge sheet over the LIVE; they pay
// through the sandbox checkout and come back to the panel with the same gift selected and nothing
// sent; Send and the combo button send one gift per tap (a double tap is two gifts, no more), which
// a second browser sees as one growing combo banner while the coins go down by exactly the taps; a
// big gift plays full screen for both, once; the panel is a keyboard-usable dialog; logged-out,
// under-18 and creator viewers are told why they cannot gift. Screenshots at phone and desktop size.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { signUpAs, type TestNode } from '../test/support/livegift.js';
import { CHROMIUM_AVAILABLE, openPage, SQLITE_AVAILABLE, useBrowserNode, VIEWPORTS } from './browser.js';

const SHOTS = join(import.meta.dirname, '..', 'docs', 'screenshots');

interface WalletEntry {
  readonly code: string;
  readonly coins: number;
  readonly giftId: string | null;
}


describe.skipIf(!SQLITE_AVAILABLE || !CHROMIUM_AVAILABLE)('gifting on the LIVE page in Chromium', () => {
  let node: TestNode;
  let base: string;
  let browser: Browser;
  useBrowserNode((suite) => {
    ({ node, base, browser } = suite);
  }, { publicUrl: true });

  function open(size: keyof typeof VIEWPORTS, path: string, cookie?: string): Promise<{ page: Page; context: BrowserContext }> {
    return openPage(browser, base, size, path, { cookie });
  }

  async function walletOf(cookie: string): Promise<{ coins: number; entries: WalletEntry[] }> {
    const wallet = await node.call<{ coins: number }>({ method: 'GET', url: '/v1/me/wallet', headers: { cookie } });
    const history = await node.call<{ entries: WalletEntry[] }>({ method: 'GET', url: '/v1/me/wallet/history?limit=200', headers: { cookie } });
    return { coins: wallet.body.coins, entries: history.body.entries };
  }

  async function startLive(handle: string, displayName: string, title: string): Promise<{ cookie: string; liveId: string }> {
    const creator = await signUpAs(node, { handle, displayName });
    await node.call({ method: 'PUT', url: '/v1/me/gifts', headers: { cookie: creator.cookie }, payload: { enabled: true } });
    const live = await node.call<{ id: string }>({ method: 'POST', url: '/v1/lives', headers: { cookie: creator.cookie }, payload: { title } });
    expect(live.status).toBe(201);
    return { cookie: creator.cookie, liveId: live.body.id };
  }

  /** Taps the tile of a radio (the radios themselves are visually hidden inside their tiles). */
  const choose = (page: Page, scope: Locator, name: RegExp) => scope.locator('label').filter({ has: page.getByRole('radio', { name }) }).click();

  const focusedLabel = (page: Page) => page.locator(':focus').getAttribute('aria-label');

  it('recharges over the LIVE, keeps the gift selected, then counts combos and big gifts exactly', async () => {
    const { liveId } = await startLive('luz_gifts', 'Luz Marin', 'Golden hour piano');
    const fan = await signUpAs(node, { handle: 'theo_fan', displayName: 'Theo Park' });
    const { page, context } = await open('phone', `/live/${liveId}`, fan.cookie);
    const stage = page.getByRole('region', { name: 'Golden hour piano, LIVE by Luz Marin' });
    await stage.waitFor();
    const giftButton = page.getByRole('button', { name: 'Send a gift' });

    // A gift with no coins: the recharge sheet opens over the LIVE, and nothing is sent.
    await giftButton.click();
    const panel = page.getByRole('dialog', { name: 'Gifts' });
    await panel.waitFor();
    await choose(page, panel, /^Finger Heart/);
    await panel.getByRole('button', { name: 'Send Finger Heart for 5 coins' }).click();
    const recharge = page.getByRole('dialog', { name: 'Recharge' });
    await recharge.waitFor();
    expect(await stage.isVisible()).toBe(true);
    await recharge.getByText('You need 5 more coins to send Finger Heart.').waitFor();
    const pack = recharge.getByRole('radio', { name: /^70\b/ });
    await pack.waitFor();
    expect(await pack.isChecked()).toBe(true); // the smallest package that covers what is missing
    await page.screenshot({ path: join(SHOTS, 'recharge-phone.png') });
    expect((await walletOf(fan.cookie)).entries).toEqual([]);

    // Pay 1,400 coins through the sandbox checkout, in its own window.
    await choose(page, recharge, /^1,400\b/);
    const [checkout] = await Promise.all([context.waitForEvent('page'), recharge.getByRole('button', { name: 'Pay $19.99' }).click()]);
    await checkout.waitForURL(/\/sandbox\/checkout\//);
    await checkout.getByRole('button', { name: 'Pay $19.99' }).click();

    // Back in the panel: the same gift, the new balance, and still nothing sent.
    await panel.getByText(/1,400 coins added\. Finger Heart is still selected/).waitFor({ timeout: 15_000 });
    expect(await panel.getByRole('radio', { name: /^Finger Heart/ }).isChecked()).toBe(true);
    await panel.locator('.coins .num').filter({ hasText: /^1,400$/ }).waitFor();
    let wallet = await walletOf(fan.cookie);
    expect(wallet.coins).toBe(1_400);
    expect(wallet.entries.map((e) => e.code)).toEqual(['PURCHASE']);
    await page.screenshot({ path: join(SHOTS, 'gift-panel-phone.png') });

    // Someone else watching, logged out, in a desktop browser.
    const { page: watcher } = await open('desktop', `/live/${liveId}`);
    await watcher.getByLabel(/^[1-9]\d* watching$/).waitFor();

    // Send, then the combo button four times: five gifts, one banner at ×5 everywhere.
    await panel.getByRole('button', { name: 'Send Finger Heart for 5 coins' }).click();
    const ownBanner = page.locator('.banner').filter({ hasText: 'sent Finger Heart' });
    await ownBanner.filter({ hasText: '×1' }).waitFor({ timeout: 1_000 }); // at once, before any answer matters
    for (let n = 2; n <= 5; n++) await panel.getByRole('button', { name: `Send Finger Heart again, combo ×${n - 1}` }).click();
    await panel.getByRole('button', { name: 'Send Finger Heart again, combo ×5' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'combo-phone.png') });
    const seen = watcher.locator('.banner').filter({ hasText: 'Theo Park' }).filter({ hasText: 'sent Finger Heart' });
    await seen.filter({ hasText: '×5' }).waitFor({ timeout: 5_000 });
    expect(await watcher.locator('.banner').count()).toBe(1);
    await ownBanner.filter({ hasText: '×5' }).waitFor();
    await page.waitForTimeout(500); // the room's own combo.updated for these sends has arrived by now
    expect(await page.locator('.banner').count()).toBe(1);
    expect(await ownBanner.textContent()).toContain('×5');
    wallet = await walletOf(fan.cookie);
    expect(wallet.coins).toBe(1_400 - 5 * 5);
    expect(wallet.entries.filter((e) => e.code === 'GIFT')).toHaveLength(5);
    expect(wallet.entries.filter((e) => e.code === 'GIFT').every((e) => e.coins === -5 && e.giftId === 'finger-heart')).toBe(true);
    await panel.locator('.coins .num').filter({ hasText: /^1,375$/ }).waitFor();

    // A double tap on Send is two gifts: one per tap, never more.
    await panel.getByRole('button', { name: 'Send Finger Heart for 5 coins' }).waitFor({ timeout: 5_000 }); // the streak ran out
    await panel.getByRole('button', { name: 'Send Finger Heart for 5 coins' }).dblclick();
    await panel.locator('.coins .num').filter({ hasText: /^1,365$/ }).waitFor();
    await page.waitForTimeout(500);
    wallet = await walletOf(fan.cookie);
    expect(wallet.coins).toBe(1_375 - 2 * 5);
    expect(wallet.entries.filter((e) => e.code === 'GIFT')).toHaveLength(7);

    // A big gift: full screen for both, once; the panel gives way and focus returns to the gift icon.
    await choose(page, panel, /^Galaxy/);
    await panel.getByRole('button', { name: 'Send Galaxy for 1,000 coins' }).click();
    const bigHere = page.getByRole('status', { name: 'Theo Park sent Galaxy' });
    await bigHere.waitFor({ timeout: 1_000 });
    await watcher.getByRole('status', { name: 'Theo Park sent Galaxy' }).waitFor({ timeout: 5_000 });
    await panel.waitFor({ state: 'detached' });
    expect(await focusedLabel(page)).toBe('Send a gift');
    await bigHere.waitFor({ state: 'detached', timeout: 6_000 });
    await page.waitForTimeout(1_000);
    expect(await page.locator('.big-gift').count()).toBe(0); // the room's echo of our own send did not play it again
    wallet = await walletOf(fan.cookie);
    expect(wallet.coins).toBe(1_365 - 1_000);
    expect(wallet.entries.filter((e) => e.code === 'GIFT')).toHaveLength(8);

    // The keyboard: Enter opens the dialog on the selected gift, arrows choose, Escape closes it.
    await giftButton.focus();
    await page.keyboard.press('Enter');
    await panel.waitFor();
    expect(await page.locator(':focus').getAttribute('value')).toBe('galaxy');
    await page.keyboard.press('ArrowLeft');
    expect(await panel.getByRole('radio', { name: /^Money Gun/ }).isChecked()).toBe(true);
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
    expect(await focusedLabel(page)).toBe('Send a gift');

    // Coins spent on another device meanwhile: this page still counts 365, so the tap goes out and
    // shows at once; the server refuses it, the display is withdrawn and the reason said.
    await giftButton.click();
    await choose(page, panel, /^Finger Heart/);
    await panel.locator('.coins .num').filter({ hasText: /^365$/ }).waitFor();
    const elsewhere = await node.call({ method: 'POST', url: '/v1/gifts', headers: { cookie: fan.cookie }, payload: { id: randomUUID(), liveId, giftId: 'rose', count: 363 } });
    expect(elsewhere.status).toBe(201);
    await panel.getByRole('button', { name: 'Send Finger Heart for 5 coins' }).click();
    await recharge.getByText('You need 3 more coins to send Finger Heart.').waitFor();
    await page.locator('.banner').filter({ hasText: 'sent Finger Heart' }).waitFor({ state: 'detached' });
    wallet = await walletOf(fan.cookie);
    expect(wallet.coins).toBe(2);
    expect(wallet.entries.filter((e) => e.code === 'GIFT')).toHaveLength(9);
    await page.keyboard.press('Escape'); // back to the gifts
    await panel.waitFor();
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });

    // The panel at desktop size.
    const { page: desk } = await open('desktop', `/live/${liveId}`, fan.cookie);
    await desk.getByRole('button', { name: 'Send a gift' }).click();
    const deskPanel = desk.getByRole('dialog', { name: 'Gifts' });
    await deskPanel.getByRole('radio', { name: /^Rose/ }).waitFor();
    await deskPanel.locator('.coins .num').filter({ hasText: /^2$/ }).waitFor();
    await desk.screenshot({ path: join(SHOTS, 'gift-panel-desktop.png') });
  });

  it('tells logged-out, under-18 and creator viewers why they cannot send gifts', async () => {
    const { liveId, cookie: creatorCookie } = await startLive('ines_why', 'Ines Roy', 'Why not gifts');
    const why = async (page: Page, title: string) => {
      await page.getByRole('button', { name: 'Send a gift' }).click();
      const dialog = page.getByRole('dialog', { name: title });
      await dialog.waitFor();
      return dialog;
    };

    const { page: anonymous } = await open('phone', `/live/${liveId}`);
    const logIn = await why(anonymous, 'Log in to send gifts');
    await anonymous.screenshot({ path: join(SHOTS, 'gift-why-phone.png') });
    expect(await logIn.getByRole('link', { name: 'Log in' }).getAttribute('href')).toBe(`/login?next=${encodeURIComponent(`/live/${liveId}`)}`);
    await anonymous.keyboard.press('Escape');
    await logIn.waitFor({ state: 'detached' });
    expect(await focusedLabel(anonymous)).toBe('Send a gift');

    // With reduced motion, the sheet fades in instead of sliding, and the gift icon stays still.
    const calm = await browser.newContext({ viewport: VIEWPORTS.phone, reducedMotion: 'reduce' });
    const still = await calm.newPage();
    await still.goto(`${base}/live/${liveId}`);
    await why(still, 'Log in to send gifts');
    expect(await still.evaluate<string>('getComputedStyle(document.querySelector(".sheet")).animationName')).toBe('gifting-fade');
    expect(await still.evaluate<string>('getComputedStyle(document.querySelector(".gift-button svg")).animationName')).toBe('none');
    await calm.close();

    const teen = await signUpAs(node, { handle: 'sam_teen', birthDate: '2011-03-02' });
    const { page: young } = await open('phone', `/live/${liveId}`, teen.cookie);
    const adultsOnly = await why(young, 'Gifts are for 18+');
    expect(await adultsOnly.textContent()).toContain('You must be 18 or older to send gifts');

    const { page: own } = await open('phone', `/live/${liveId}`, creatorCookie);
    const self = await why(own, 'This is your LIVE');
    expect(await self.textContent()).toContain('You cannot send gifts to yourself');
    // The server's rule behind it.
    const refused = await node.call<{ error: { code: string } }>({ method: 'POST', url: '/v1/gifts', headers: { cookie: creatorCookie }, payload: { id: randomUUID(), liveId, giftId: 'rose', count: 1 } });
    expect(refused.body.error.code).toBe('cannot_gift_self');
  });
});
