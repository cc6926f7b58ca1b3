// The whole journey of the product, in real Chromium against ONE listening node on a fresh SQLite
// database, every person going through the pages: a creator signs up (date of birth), turns LIVE
// Gifts on and goes LIVE from the studio; a new adult viewer signs up, opens the LIVE from the home
// page, taps a gift with no coins and gets the recharge sheet over the LIVE, pays at the sandbox
// checkout and is back in the panel with the gift still selected; they send a combo (Send + combo
// taps) and a big gift, which the studio's feed shows at once with the right counts; the creator
// thanks them with a suggested phrase and the viewer sees it highlighted in the chat; a 16-year-old
// signs up, opens the same LIVE and is told by the gift icon why they cannot send (and the server
// refuses them too); the creator ends the LIVE and the summary (and the viewer's goodbye card) shows
// one gifter and the gifts, coins and diamonds the catalog prices and the coin→diamond rule give;
// once the diamonds' hold has passed, the creator logs in on another computer, redeems them on
// /balance and follows the payout to Paid. On the way, the script the viewer's LIVE page loaded is
// held to its budget (200 kB gzipped). Screenshots of the pages the other browser tests do not
// already show at a size go to docs/screenshots/journey-<step>-<size>.png.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { type TestNode } from '../test/support/livegift.js';
import { CHROMIUM_AVAILABLE, SQLITE_AVAILABLE, useBrowserNode, VIEWPORTS } from './browser.js';

/** The bits of the browser's window the checks read (this file is compiled without the DOM types). */
interface BrowserWindow {
  getComputedStyle(element: unknown): { backgroundColor: string; borderLeftStyle: string };
}

interface CatalogGift {
  readonly id: string;
  readonly name: string;
  readonly coins: number;
}

interface Summary {
  readonly durationMs: number;
  readonly uniqueViewers: number;
  readonly gifters: number;
  readonly giftsCount: number;
  readonly coinsSpent: number;
  readonly diamondsEarned: number;
  readonly topGifters: readonly { user: { displayName: string }; coins: number; gifts: number }[];
}

const SHOTS = join(import.meta.dirname, '..', 'docs', 'screenshots');
const BUNDLE = join(import.meta.dirname, '..', 'web', 'dist', 'app');
/** The viewer's LIVE page may load at most this much script, gzipped (UI budget). */
const SCRIPT_BUDGET_BYTES = 200_000;


/** Resolves when every finite animation on the page has finished (looping ones, like the gift icon's, never do). */
const SETTLED = `Promise.race([
  Promise.all(document.getAnimations().filter((a) => a.effect?.getComputedTiming().iterations !== Infinity).map((a) => a.finished.catch(() => undefined))),
  new Promise((resolve) => setTimeout(resolve, 2000)),
]).then(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))))`;

const count = (n: number) => n.toLocaleString('en-US');
const usd = (cents: number) => `$${(cents / 100).toFixed(2)}`;

describe.skipIf(!SQLITE_AVAILABLE || !CHROMIUM_AVAILABLE)('the whole journey in Chromium, on one node', () => {
  let node: TestNode;
  let base: string;
  let browser: Browser;
  // Platform defaults throughout (spend limits, 72 h diamond hold, $10 minimum payout).
  useBrowserNode((suite) => {
    ({ node, base, browser } = suite);
  }, { publicUrl: true });

  async function person(size: keyof typeof VIEWPORTS, path: string): Promise<{ page: Page; context: BrowserContext }> {
    const context = await browser.newContext({ viewport: VIEWPORTS[size] });
    const page = await context.newPage();
    page.on('pageerror', (e) => { console.error(`${path}: ${e.message}`); });
    await page.goto(`${base}${path}`);
    return { page, context };
  }

  /** A screenshot at `size` (the page is resized for it and back), once the entrance animations have ended. */
  async function shoot(page: Page, step: string, size: keyof typeof VIEWPORTS): Promise<void> {
    const was = page.viewportSize();
    if (was?.width !== VIEWPORTS[size].width) await page.setViewportSize(VIEWPORTS[size]);
    await page.evaluate(SETTLED);
    await page.screenshot({ path: join(SHOTS, `journey-${step}-${size}.png`) });
    if (was && was.width !== VIEWPORTS[size].width) await page.setViewportSize(was);
  }

  /** The session cookie of a browser context, to ask the API what the page should show. */
  async function cookieOf(context: BrowserContext): Promise<string> {
    const session = (await context.cookies(base)).find((c) => c.name === 'lg_session');
    if (!session) throw new Error('not signed in');
    return `${session.name}=${session.value}`;
  }

  async function signUp(page: Page, who: { email: string; handle: string; name: string; birthDate: string }): Promise<void> {
    await page.getByRole('heading', { name: 'Create your account' }).waitFor();
    await page.getByLabel('Email').fill(who.email);
    await page.getByLabel('Handle').fill(who.handle);
    await page.getByLabel('Display name').fill(who.name);
    await page.getByLabel('Password').fill(`${who.handle} password`);
    await page.getByLabel('Date of birth').fill(who.birthDate);
  }

  /** Taps the tile of a radio (the radios themselves are visually hidden inside their tiles). */
  const choose = (page: Page, scope: Locator, name: RegExp) => scope.locator('label').filter({ has: page.getByRole('radio', { name }) }).click();

  /** The value of a stat card (<dt>name</dt><dd>value</dd>) inside `scope`. */
  const stat = (page: Page, scope: Locator, name: string) => scope.locator('div').filter({ has: page.locator('dt', { hasText: new RegExp(`^${name}$`) }) }).locator('dd').first();

  it('sign-up → LIVE → recharge → combo and big gift → thanks → under-18 told why → summary → redeem → paid', async () => {
    const started = Date.now();
    // The server's clock starts at the browsers' time (the studio's "on air for" counts from zero) and
    // is then moved by hand: 23 minutes of LIVE, then past the diamonds' 72-hour hold.
    node.clock.ms = Date.now();
    const { gifts } = (await node.call<{ gifts: CatalogGift[] }>({ method: 'GET', url: '/v1/catalog' })).body;
    const diamondsPerCoin = Number(node.config.money.diamondsPerCoin);

    // ── The creator signs up through the page (desktop), turns LIVE Gifts on and goes LIVE ──────
    const { page: studio, context: studioContext } = await person('desktop', '/signup');
    await signUp(studio, { email: 'zoe@example.test', handle: 'zoe_journey', name: 'Zoe Quinn', birthDate: '1995-04-02' });
    await studio.getByLabel('Date of birth').blur();
    await shoot(studio, 'signup', 'desktop');
    await studio.getByRole('button', { name: 'Sign up' }).click();
    await studio.getByRole('heading', { name: 'Hi Zoe Quinn' }).waitFor();
    await studio.getByRole('link', { name: 'Studio', exact: true }).click();
    const toggle = studio.getByRole('switch', { name: 'LIVE Gifts' });
    await toggle.waitFor();
    expect(await toggle.getAttribute('aria-checked')).toBe('false');
    await toggle.click();
    await expect.poll(() => toggle.getAttribute('aria-checked')).toBe('true');
    const title = 'Sunday sketching';
    await studio.getByLabel('Title').fill(title);
    await studio.getByRole('button', { name: 'Go LIVE' }).click();
    await studio.getByRole('button', { name: 'End LIVE' }).waitFor();
    await studio.getByText('No gifts yet.').waitFor();
    const creatorCookie = await cookieOf(studioContext);
    const onAir = await node.call<{ lives: { id: string; title: string; giftsEnabled: boolean }[] }>({ method: 'GET', url: '/v1/lives' });
    expect(onAir.body.lives).toHaveLength(1);
    expect(onAir.body.lives[0]).toMatchObject({ title, giftsEnabled: true });
    const liveId = onAir.body.lives[0]?.id ?? '';

    // ── A new 18+ viewer signs up through the page (phone) and opens the LIVE from the home page ─
    const scripts = new Set<string>();
    const viewerContext = await browser.newContext({ viewport: VIEWPORTS.phone });
    const viewer = await viewerContext.newPage();
    viewer.on('pageerror', (e) => { console.error(`viewer: ${e.message}`); });
    viewer.on('response', (r) => {
      const path = new URL(r.url()).pathname;
      if (path.startsWith('/app/') && path.endsWith('.js')) scripts.add(basename(path));
    });
    await viewer.goto(`${base}/`);
    await viewer.getByRole('link', { name: 'Sign up' }).click();
    await signUp(viewer, { email: 'ana@example.test', handle: 'ana_journey', name: 'Ana Reyes', birthDate: '2001-08-09' });
    await viewer.getByRole('button', { name: 'Sign up' }).click();
    await viewer.getByRole('heading', { name: 'Hi Ana Reyes' }).waitFor();
    await viewer.getByLabel('0 coins', { exact: true }).waitFor();
    await viewer.getByRole('link', { name: new RegExp(`^${title} by Zoe Quinn`) }).click();
    const stage = viewer.getByRole('region', { name: `${title}, LIVE by Zoe Quinn` });
    await stage.waitFor();
    expect(new URL(viewer.url()).pathname).toBe(`/live/${liveId}`);
    const viewerCookie = await cookieOf(viewerContext);
    // Everything the LIVE page ran so far is all the script it loads: gzip -9 of each file, summed.
    expect(scripts.size).toBeGreaterThan(0);
    const gzipped = [...scripts].reduce((sum, file) => sum + gzipSync(readFileSync(join(BUNDLE, file)), { level: 9 }).length, 0);
    console.log(`the LIVE page loads ${[...scripts].join(', ')}: ${(gzipped / 1000).toFixed(1)} kB gzipped`);
    expect(gzipped).toBeLessThanOrEqual(SCRIPT_BUDGET_BYTES);

    // A gift with no coins: the recharge sheet opens over the LIVE, nothing is sent.
    const combo = gifts.find((g) => g.id === 'money-gun');
    const big = gifts.find((g) => g.id === 'galaxy');
    if (!combo || !big) throw new Error('the default catalog has Money Gun and Galaxy');
    expect(combo.coins).toBeLessThan(Number(node.config.money.bigGiftMinCoins));
    expect(big.coins).toBeGreaterThanOrEqual(Number(node.config.money.bigGiftMinCoins));
    await viewer.getByRole('button', { name: 'Send a gift' }).click();
    const panel = viewer.getByRole('dialog', { name: 'Gifts' });
    await panel.waitFor();
    await choose(viewer, panel, /^Money Gun/);
    await panel.getByRole('button', { name: `Send ${combo.name} for ${count(combo.coins)} coins` }).click();
    const recharge = viewer.getByRole('dialog', { name: 'Recharge' });
    await recharge.getByText(`You need ${count(combo.coins)} more coins to send ${combo.name}.`).waitFor();
    expect(await stage.isVisible()).toBe(true);
    expect(await recharge.getByRole('radio', { name: /^700\b/ }).isChecked()).toBe(true); // the smallest package that covers it
    await shoot(viewer, 'recharge', 'desktop');
    const wallet = async () => (await node.call<{ coins: number }>({ method: 'GET', url: '/v1/me/wallet', headers: { cookie: viewerCookie } })).body.coins;
    expect(await wallet()).toBe(0);

    // 3,500 coins through the sandbox checkout, in its own window.
    const bought = 3_500;
    await choose(viewer, recharge, /^3,500\b/);
    await recharge.getByLabel('Where your money goes').waitFor();
    const [checkout] = await Promise.all([viewerContext.waitForEvent('page'), recharge.getByRole('button', { name: 'Pay $49.99' }).click()]);
    await checkout.waitForURL(/\/sandbox\/checkout\//);
    const payButton = checkout.getByRole('button', { name: 'Pay $49.99' });
    await payButton.waitFor();
    await shoot(checkout, 'checkout', 'phone');
    await shoot(checkout, 'checkout', 'desktop');
    await payButton.click();

    // Back in the panel: the same gift, the new balance, still nothing sent.
    await panel.getByText(`${count(bought)} coins added. ${combo.name} is still selected`, { exact: false }).waitFor({ timeout: 15_000 });
    expect(await panel.getByRole('radio', { name: /^Money Gun/ }).isChecked()).toBe(true);
    await panel.getByText(`Your balance: ${count(bought)} coins`).waitFor();
    expect(await wallet()).toBe(bought);

    // A combo: Send, then the combo button three times — one banner at ×4.
    const combos = 4;
    await panel.getByRole('button', { name: `Send ${combo.name} for ${count(combo.coins)} coins` }).click();
    for (let n = 1; n < combos; n++) await panel.getByRole('button', { name: `Send ${combo.name} again, combo ×${n}` }).click();
    await panel.getByRole('button', { name: `Send ${combo.name} again, combo ×${combos}` }).waitFor();
    const banners = viewer.getByRole('list', { name: 'Gifts' });
    await banners.getByRole('listitem').filter({ hasText: `sent ${combo.name}` }).filter({ hasText: `×${combos}` }).waitFor();
    expect(await banners.getByRole('listitem').count()).toBe(1);

    // ── The studio sees the combo at once, as one row with the right count and coins ───────────
    const feed = studio.getByRole('list', { name: 'Gift feed' });
    const comboRow = feed.getByRole('listitem').filter({ hasText: 'Ana Reyes' }).filter({ hasText: `sent ${combo.name} ×${combos}` });
    await comboRow.waitFor({ timeout: 3_000 });
    await comboRow.getByLabel(`${combos * combo.coins} coins`).waitFor();

    // A big gift: full screen on the viewer's stage, and in the studio's feed within two seconds.
    await choose(viewer, panel, /^Galaxy/);
    const bigAt = Date.now();
    await panel.getByRole('button', { name: `Send ${big.name} for ${count(big.coins)} coins` }).click();
    await viewer.getByRole('status', { name: `Ana Reyes sent ${big.name}` }).waitFor({ timeout: 2_000 });
    const bigRow = feed.getByRole('listitem').filter({ hasText: 'Ana Reyes' }).filter({ hasText: `sent ${big.name}` });
    await bigRow.waitFor({ timeout: 2_000 });
    expect(Date.now() - bigAt).toBeLessThan(2_000);
    await bigRow.getByLabel(`${big.coins} coins`).waitFor();
    await panel.waitFor({ state: 'detached' }); // the panel gave way to the big gift

    const spent = combos * combo.coins + big.coins;
    const giftsSent = combos + 1;
    await expect.poll(wallet).toBe(bought - spent);
    await viewer.getByLabel(`${count(bought - spent)} coins`, { exact: true }).waitFor(); // the top bar follows
    expect(await feed.getByRole('listitem').count()).toBe(2);
    const live = studio.locator('dl').filter({ has: studio.locator('dt', { hasText: 'Coins gifted' }) });
    await expect.poll(() => stat(studio, live, 'Gifters').textContent()).toBe('1');
    await expect.poll(() => stat(studio, live, 'Coins gifted').textContent()).toBe(count(spent));

    // ── The creator thanks the viewer with a suggested phrase; the viewer sees it highlighted ───
    const chat = viewer.getByRole('list', { name: 'Chat' });
    await viewer.getByLabel('Add comment').fill('love this!');
    await viewer.getByLabel('Add comment').press('Enter');
    const chatLine = chat.getByRole('listitem').filter({ hasText: 'love this!' });
    await chatLine.waitFor({ timeout: 3_000 });
    await studio.getByRole('radio', { name: 'This helps me so much, thank you!' }).check();
    await bigRow.getByRole('button', { name: 'Thank Ana Reyes' }).click();
    await expect.poll(() => feed.getByLabel('Ana Reyes thanked').count()).toBe(2); // every row of hers says so
    const thanks = chat.getByRole('listitem').filter({ hasText: 'This helps me so much, thank you!' });
    await thanks.waitFor({ timeout: 3_000 });
    expect(await thanks.textContent()).toBe('Zoe Quinn This helps me so much, thank you! — to Ana Reyes');
    expect(await thanks.getAttribute('class')).toContain('thanks');
    const look = (line: Locator) => line.evaluate((el) => {
      const style = (globalThis as unknown as BrowserWindow).getComputedStyle(el);
      return { background: style.backgroundColor, border: style.borderLeftStyle };
    });
    const [plain, highlighted] = [await look(chatLine), await look(thanks)];
    expect(highlighted.background).not.toBe(plain.background);
    expect(highlighted.border).toBe('solid');

    // ── A 16-year-old signs up through the page, opens the LIVE, and the gift icon says why not ──
    const sixteen = new Date();
    sixteen.setFullYear(sixteen.getFullYear() - 16);
    const { page: teen, context: teenContext } = await person('desktop', '/signup');
    await signUp(teen, { email: 'kit@example.test', handle: 'kit_journey', name: 'Kit Lane', birthDate: sixteen.toISOString().slice(0, 10) });
    await teen.getByRole('button', { name: 'Sign up' }).click();
    await teen.getByRole('heading', { name: 'Welcome, Kit Lane' }).waitFor();
    await teen.getByText('Because you are under 18, buying coins, sending gifts, going LIVE and collecting diamonds are not available', { exact: false }).waitFor();
    await shoot(teen, 'under-18', 'desktop');
    await teen.getByRole('link', { name: 'Watch LIVEs' }).click();
    await teen.getByRole('link', { name: new RegExp(`^${title} by Zoe Quinn`) }).click();
    await teen.getByRole('region', { name: `${title}, LIVE by Zoe Quinn` }).waitFor();
    const teenGift = teen.getByRole('button', { name: 'Send a gift' });
    await expect.poll(() => teenGift.getAttribute('title')).toBe('Gifts are for 18+');
    await teenGift.click();
    const adultsOnly = teen.getByRole('dialog', { name: 'Gifts are for 18+' });
    await adultsOnly.getByText('You must be 18 or older to send gifts', { exact: false }).waitFor();
    await shoot(teen, 'gift-why', 'desktop');
    // The server's rule behind it, with the teen's own session.
    const refused = await node.call<{ error: { code: string; message: string } }>({
      method: 'POST', url: '/v1/gifts', headers: { cookie: await cookieOf(teenContext) }, payload: { id: randomUUID(), liveId, giftId: 'rose', count: 1 },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('age_restricted');
    await adultsOnly.getByRole('button', { name: 'OK' }).click();
    await adultsOnly.waitFor({ state: 'detached' });

    // ── The creator ends the LIVE; the summary has the numbers the catalog prices give ──────────
    node.clock.advance(23 * 60_000); // a LIVE of 23 minutes
    await studio.getByRole('button', { name: 'End LIVE' }).click();
    await studio.getByRole('button', { name: 'End LIVE now' }).click();
    await studio.getByText('LIVE summary').waitFor();
    expect(new URL(studio.url()).pathname).toBe(`/studio/lives/${liveId}`);
    await studio.getByRole('heading', { name: title }).waitFor();
    const summary = (await node.call<{ summary: Summary }>({ method: 'GET', url: `/v1/lives/${liveId}` })).body.summary;
    expect(summary).toMatchObject({ gifters: 1, giftsCount: giftsSent, coinsSpent: spent, diamondsEarned: spent * diamondsPerCoin, durationMs: 23 * 60_000 });
    expect(summary.uniqueViewers).toBeGreaterThanOrEqual(2); // Ana and Kit watched; only Ana gave
    expect(summary.topGifters.map((g) => [g.user.displayName, g.coins, g.gifts])).toEqual([['Ana Reyes', spent, giftsSent]]);
    const cards = studio.locator('dl').filter({ has: studio.locator('dt', { hasText: 'Diamonds' }) });
    expect(await stat(studio, cards, 'Gifters').textContent()).toBe('1');
    expect(await stat(studio, cards, 'Gifts').textContent()).toBe(count(giftsSent));
    expect(await cards.getByText(`${count(spent)} coins`).count()).toBe(1);
    expect(await stat(studio, cards, 'Diamonds').textContent()).toBe(`◆ ${count(spent * diamondsPerCoin)}`);
    expect(await stat(studio, cards, 'Viewers').textContent()).toBe(count(summary.uniqueViewers));
    expect(await stat(studio, cards, 'Duration').textContent()).toBe('23 min');
    const ranking = studio.getByRole('listitem').filter({ hasText: 'Ana Reyes' });
    expect(await ranking.count()).toBe(1);
    expect(await ranking.textContent()).toContain(`${count(giftsSent)} gifts`);
    expect(await ranking.textContent()).toContain(count(spent));
    await ranking.getByText('Thanked ✓').waitFor();

    // The viewer's LIVE turns into the goodbye card with the same numbers.
    await viewer.getByRole('heading', { name: 'The LIVE has ended' }).waitFor({ timeout: 5_000 });
    const goodbye = viewer.locator('dl');
    expect(await stat(viewer, goodbye, 'Gifters').textContent()).toBe('1');
    expect(await stat(viewer, goodbye, 'Gifts').textContent()).toBe(count(giftsSent));
    expect(await stat(viewer, goodbye, 'Viewers').textContent()).toBe(count(summary.uniqueViewers));
    await shoot(viewer, 'live-ended', 'desktop');
    await teen.getByRole('heading', { name: 'The LIVE has ended' }).waitFor({ timeout: 5_000 });
    await teenContext.close();

    // ── Three days on, the diamonds are out of their hold; the creator redeems them on /balance ──
    node.clock.advance(node.config.money.diamondHoldMs + 60_000);
    await node.services.matureDiamonds();
    const diamonds = spent * diamondsPerCoin;
    const worthCents = Math.floor((diamonds * Number(node.config.money.diamondValueMicroUsd)) / 10_000);
    expect(worthCents).toBeGreaterThanOrEqual(Number(node.config.money.payoutMinCents));
    const { page: balance, context: balanceContext } = await person('desktop', '/balance');
    await balance.getByText('Log in to see your coins and diamonds').waitFor();
    await balance.getByRole('main').getByRole('link', { name: 'Log in' }).click();
    await balance.getByLabel('Handle or email').fill('zoe_journey');
    await balance.getByLabel('Password').fill('zoe_journey password');
    await shoot(balance, 'login', 'desktop');
    await balance.getByRole('button', { name: 'Log in' }).click();
    await balance.getByRole('heading', { name: 'Balance' }).waitFor();
    expect(new URL(balance.url()).pathname).toBe('/balance');
    await balance.getByLabel(`${count(diamonds)} diamonds available, worth ${usd(worthCents)}`).first().waitFor();
    await balance.getByLabel('0 diamonds on hold, worth $0.00').waitFor();

    await balance.getByRole('button', { name: 'Add account' }).click();
    await balance.getByLabel('Account holder').fill('Zoe Quinn');
    await balance.getByLabel('Account number (IBAN)').fill('NL91 ABNA 0417 1643 00');
    await balance.getByRole('form', { name: 'Add a payout account' }).getByRole('button', { name: 'Add account' }).click();
    await balance.getByRole('list', { name: 'Your payout accounts' }).getByText('Bank •••• 4300').waitFor();
    await balance.getByRole('button', { name: 'Max' }).click();
    expect(await balance.getByLabel('Diamonds to redeem').inputValue()).toBe(String(diamonds));
    await balance.getByRole('button', { name: `Redeem ${usd(worthCents)}` }).click();
    const payouts = balance.getByRole('list', { name: 'Your payouts' });
    await payouts.getByRole('listitem', { name: `${usd(worthCents)} payout, Requested` }).waitFor();
    await balance.getByLabel(`0 diamonds available, worth $0.00`).first().waitFor();
    // Redeeming everything leaves less than the minimum; the confirmation stays all the same.
    await balance.getByText(`${usd(worthCents)} is on its way to Bank •••• 4300.`).waitFor();
    const diamondCards = balance.locator('dl').filter({ has: balance.locator('dt', { hasText: 'Being paid out' }) });
    await expect.poll(() => stat(balance, diamondCards, 'Being paid out').textContent()).toBe(count(diamonds));

    // The payout worker pays it; the page, following it, shows it paid without a reload.
    expect(await node.services.processPayouts()).toMatchObject({ paid: 1 });
    await payouts.getByRole('listitem', { name: `${usd(worthCents)} payout, Paid` }).waitFor({ timeout: 10_000 });
    expect(await payouts.getByRole('listitem').count()).toBe(1);
    const paid = await node.call<{ payouts: { status: string; diamonds: number; amountMinor: number }[] }>({ method: 'GET', url: '/v1/payouts', headers: { cookie: creatorCookie } });
    expect(paid.body.payouts.map((p) => [p.status, p.diamonds, p.amountMinor])).toEqual([['paid', diamonds, worthCents]]);
    await balanceContext.close();

    // And the ledger still balances after the whole journey.
    const report = await node.storage.ledger.reconcile();
    expect(report.problems).toEqual([]);
    console.log(`journey: ${((Date.now() - started) / 1000).toFixed(1)} s in the browsers`);
  });
});
