// Proves the balance and admin pages in a real Chromium against a real node on a fresh SQLite
// database: a viewer recharges through the sandbox checkout (a package, and a custom amount paid
// with 3-D Secure) and, back on /balance, sees the purchase settle, the coins and the history; a
// creator paid in real gifts sees diamonds on hold vs available, adds a payout account, redeems (a
// click retried after a network failure reuses its idempotency id: one payout) and watches the payout
// reach paid; an admin edits a gift's price and availability, changes a user's role, runs a clean
// reconciliation, reads the audit log and every payout; everyone else is told why they cannot.
// Screenshots at phone and desktop size go to docs/screenshots/.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SystemAccounts, userAccounts } from '../src/domain/accounts.js';
import { signUpAs, type TestNode } from '../test/support/livegift.js';
import { CHROMIUM_AVAILABLE, openPage, SQLITE_AVAILABLE, useBrowserNode, VIEWPORTS } from './browser.js';

const SHOTS = join(import.meta.dirname, '..', 'docs', 'screenshots');


describe.skipIf(!SQLITE_AVAILABLE || !CHROMIUM_AVAILABLE)('balance and admin pages in Chromium', () => {
  let node: TestNode;
  let base: string;
  let browser: Browser;
  let admin: { cookie: string; userId: string };
  let creator: { cookie: string; userId: string };

  useBrowserNode((suite) => {
    ({ node, base, browser } = suite);
  }, { env: { SPEND_DAILY_MAX_CENTS: '100000000', SPEND_WEEKLY_MAX_CENTS: '100000000' }, publicUrl: true });
  beforeAll(async () => {
    admin = await signUpAs(node, { handle: 'root_admin', displayName: 'Rae Admin' });
    await node.storage.db.updateTable('users').set({ role: 'admin' }).where('id', '=', admin.userId).execute();
  });

  async function open(size: keyof typeof VIEWPORTS, path: string, cookie?: string): Promise<Page> {
    return (await openPage(browser, base, size, path, { cookie })).page;
  }
  async function shoot(page: Page, name: string): Promise<void> {
    // From the top, so the sticky top bar sits where a person sees it.
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  }

  it('recharges through the sandbox checkout and comes back to the purchase settling, the coins and the history', async () => {
    const viewer = await signUpAs(node, { handle: 'ana_buys', displayName: 'Ana Buyer' });
    const page = await open('phone', '/balance', viewer.cookie);
    await page.getByRole('heading', { name: 'Balance' }).waitFor();
    await page.getByLabel('0 coins', { exact: true }).first().waitFor();
    await page.getByText('No purchases yet.').waitFor();

    await page.getByRole('button', { name: '350 coins for $4.99' }).click();
    await page.getByLabel('Where your money goes').waitFor();
    await page.getByRole('button', { name: 'Pay $4.99 for 350 coins' }).click();
    await page.waitForURL(/\/sandbox\/checkout\//);
    await page.getByRole('button', { name: 'Pay $4.99' }).click();
    await page.waitForURL(/\/v1\/purchases\/[^/]+\/return/);
    await page.getByText('Payment complete').waitFor();

    // Back on the balance page, the purchase it left for is followed there.
    await page.goto(`${base}/balance`);
    await page.getByRole('status').filter({ hasText: 'Payment complete: 350 coins for $4.99 are in your wallet.' }).waitFor();
    await page.getByLabel('350 coins', { exact: true }).first().waitFor();
    const history = page.getByRole('list', { name: 'Your purchases' });
    await history.getByRole('listitem').filter({ hasText: '350 coins' }).filter({ hasText: 'Paid' }).waitFor();

    // A custom amount paid with 3-D Secure: pending at first, then it succeeds; the balance page
    // asks until it settles.
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await page.getByRole('button', { name: 'Custom' }).click();
    await page.getByLabel('Coins to buy').fill('10');
    await page.getByText('Choose 30 to 2,500,000 coins.').waitFor();
    await page.getByLabel('Coins to buy').fill('1000');
    await page.getByRole('button', { name: 'Pay $14.15 for 1,000 coins' }).click();
    await page.waitForURL(/\/sandbox\/checkout\//);
    await page.getByRole('button', { name: /3-D Secure/ }).click();
    await page.waitForURL(/\/v1\/purchases\/[^/]+\/return/);
    const purchaseId = /\/v1\/purchases\/([^/]+)\/return/.exec(page.url())?.[1] ?? '';
    await page.goto(`${base}/balance?purchase=${purchaseId}`);
    await page.getByRole('status').filter({ hasText: 'Payment complete: 1,000 coins for $14.15 are in your wallet.' }).waitFor({ timeout: 15_000 });
    await page.getByLabel('1,350 coins', { exact: true }).first().waitFor();
    await history.getByRole('listitem').filter({ hasText: '1,000 coins' }).filter({ hasText: 'Paid' }).waitFor();
    expect(await history.getByRole('listitem').count()).toBe(2);
    expect((await node.call<{ coins: number }>({ method: 'GET', url: '/v1/me/wallet', headers: { cookie: viewer.cookie } })).body.coins).toBe(1350);
    await page.context().close();
  });

  it('shows a creator diamonds on hold vs available, adds a payout account, redeems once, and follows the payout to paid', async () => {
    creator = await signUpAs(node, { handle: 'mira_gets', displayName: 'Mira Sol' });
    await node.call({ method: 'PUT', url: '/v1/me/gifts', headers: { cookie: creator.cookie }, payload: { enabled: true } });
    const live = await node.call<{ id: string }>({ method: 'POST', url: '/v1/lives', headers: { cookie: creator.cookie }, payload: { title: 'Payday' } });
    const fan = await signUpAs(node, { handle: 'fan_gives' });
    await node.storage.ledger.submit([
      { id: `fund:${fan.userId}`, code: 'ADJUSTMENT', kind: 'single', debitAccountId: SystemAccounts.coinIssuance.id, creditAccountId: userAccounts(fan.userId).coins.id, amount: 100_000n },
    ]);
    const gift = async (giftId: string) => {
      const res = await node.call({ method: 'POST', url: '/v1/gifts', headers: { cookie: fan.cookie }, payload: { id: randomUUID(), liveId: live.body.id, giftId, count: 1 } });
      expect(res.status).toBe(201);
    };
    // A Lion's diamonds pass their 72-hour hold; a Galaxy's are still on hold.
    await gift('lion');
    node.clock.advance(73 * 3_600_000);
    await node.services.matureDiamonds();
    await gift('galaxy');

    const page = await open('desktop', '/balance', creator.cookie);
    await page.getByLabel('1,000 diamonds on hold, worth $5.00').waitFor();
    await page.getByLabel('29,999 diamonds available, worth $149.99').first().waitFor();
    await page.getByText('stay on hold for 72 hours').waitFor();
    await page.getByText('No payout account yet.').waitFor();
    await page.getByText('No payouts yet.').waitFor();

    await page.getByRole('button', { name: 'Add account' }).click();
    await page.getByLabel('Account holder').fill('Mira Sol');
    await page.getByLabel('Account number (IBAN)').fill('NL91 ABNA 0417 1643 00');
    await page.getByRole('form', { name: 'Add a payout account' }).getByRole('button', { name: 'Add account' }).click();
    const accounts = page.getByRole('list', { name: 'Your payout accounts' });
    await accounts.getByText('Bank •••• 4300').waitFor();

    // The first click never reaches the server (every attempt is cut); clicking again retries the
    // same redeem with the same idempotency id, so exactly one payout is made.
    const sentIds: string[] = [];
    let cut = true;
    await page.route('**/v1/payouts', async (route) => {
      const request = route.request();
      if (request.method() !== 'POST') return route.continue();
      sentIds.push((request.postDataJSON() as { id: string }).id);
      return cut ? route.abort('connectionreset') : route.continue();
    });
    await page.getByLabel('Diamonds to redeem').fill('1999');
    await page.getByText('The smallest payout is 2,000 diamonds ($10.00).').waitFor();
    await page.getByLabel('Diamonds to redeem').fill('4000');
    await page.getByRole('button', { name: 'Redeem $20.00' }).click();
    await page.getByRole('alert').filter({ hasText: 'We could not reach Livegift' }).waitFor();
    cut = false;
    await page.getByRole('button', { name: 'Redeem $20.00' }).click();
    await page.getByText('$20.00 is on its way to Bank •••• 4300.').waitFor();
    expect(sentIds.length).toBeGreaterThan(1);
    expect(new Set(sentIds).size).toBe(1);
    const payouts = page.getByRole('list', { name: 'Your payouts' });
    await payouts.getByRole('listitem', { name: '$20.00 payout, Requested' }).waitFor();
    expect(await payouts.getByRole('listitem').count()).toBe(1);
    await page.getByLabel('25,999 diamonds available, worth $129.99').first().waitFor();

    // The payout worker pays it; the page, polling, shows it paid without a reload.
    expect(await node.services.processPayouts()).toMatchObject({ paid: 1 });
    await payouts.getByRole('listitem', { name: '$20.00 payout, Paid' }).waitFor({ timeout: 10_000 });
    await shoot(page, 'balance-desktop');
    const phone = await open('phone', '/balance', creator.cookie);
    await phone.getByRole('list', { name: 'Your payouts' }).getByRole('listitem', { name: '$20.00 payout, Paid' }).waitFor();
    await phone.getByLabel('1,000 diamonds on hold, worth $5.00').waitFor();
    await shoot(phone, 'balance-phone');

    // Removing the account keeps the payout history readable.
    await phone.getByRole('button', { name: 'Remove Bank •••• 4300' }).click();
    await phone.getByRole('button', { name: 'Remove Bank •••• 4300' }).click();
    await phone.getByText('No payout account yet.').waitFor();
    await page.context().close();
    await phone.context().close();
  });

  it('lets an admin edit a gift, change a role, reconcile, read the audit log and every payout', async () => {
    const promoted = await signUpAs(node, { handle: 'promo_me', displayName: 'Pro Moted' });
    const page = await open('desktop', '/admin', admin.cookie);
    await page.getByRole('heading', { name: 'Admin', exact: true }).waitFor();

    // Catalog: Rose costs 3 coins and is retired; then it comes back, still at 3.
    const rose = page.getByRole('listitem', { name: 'Rose', exact: true });
    await rose.getByRole('button', { name: 'Edit Rose' }).click();
    const form = page.getByRole('form', { name: 'Edit Rose' });
    await form.getByLabel('Price in coins').fill('3');
    await form.getByLabel(/Available to send/).uncheck();
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Rose was saved.').waitFor();
    await rose.getByText('Retired').waitFor();
    expect(await rose.getByLabel('3 coins').count()).toBe(1);
    const publicCatalog = async () => (await node.call<{ gifts: { id: string; coins: number }[] }>({ method: 'GET', url: '/v1/catalog' })).body.gifts;
    expect((await publicCatalog()).map((g) => g.id)).not.toContain('rose');
    await rose.getByRole('button', { name: 'Edit Rose' }).click();
    await form.getByLabel(/Available to send/).check();
    await form.getByRole('button', { name: 'Save' }).click();
    await rose.getByText('Available', { exact: true }).waitFor();
    expect((await publicCatalog()).find((g) => g.id === 'rose')).toMatchObject({ coins: 3 });
    await rose.getByRole('button', { name: 'Edit Rose' }).click();
    await shoot(page, 'admin-desktop');
    await form.getByRole('button', { name: 'Cancel' }).click();

    // Users: find one, make them a moderator.
    await page.getByRole('tab', { name: 'Users' }).click();
    await page.getByLabel('Search users').fill('promo');
    const row = page.getByRole('listitem', { name: 'Pro Moted @promo_me' });
    await row.waitFor();
    await expect.poll(() => page.getByRole('list', { name: 'Users' }).getByRole('listitem').count()).toBe(1);
    await row.getByLabel('Role of @promo_me').selectOption('moderator');
    await row.getByText('Now moderator.').waitFor();
    expect((await node.call<{ role: string }>({ method: 'GET', url: '/v1/me', headers: { cookie: promoted.cookie } })).body.role).toBe('moderator');
    await page.getByLabel('Search users').fill('');
    const me = page.getByRole('listitem', { name: 'Rae Admin @root_admin' });
    await me.waitFor();
    expect(await me.getByLabel('Role of @root_admin').isDisabled()).toBe(true);

    // Payouts: the creator's payout, paid.
    await page.getByRole('tab', { name: 'Payouts' }).click();
    await page.getByRole('list', { name: 'All payouts' }).getByRole('listitem', { name: 'Mira Sol: $20.00, Paid' }).waitFor();

    // Ledger: clean.
    await page.getByRole('tab', { name: 'Ledger' }).click();
    await page.getByRole('button', { name: 'Run reconciliation' }).click();
    await page.getByRole('status').filter({ hasText: 'Clean.' }).waitFor();

    // Audit log: what was just done, newest first.
    await page.getByRole('tab', { name: 'Audit log' }).click();
    const entries = page.getByRole('list', { name: 'Audit entries' });
    await entries.getByText('ledger.reconciled').waitFor();
    const actions = await entries.locator('.action').allTextContents();
    expect(actions.slice(0, 4)).toEqual(['ledger.reconciled', 'user.role_changed', 'gift.updated', 'gift.retired']);
    await entries.getByRole('listitem').filter({ hasText: 'user.role_changed' }).getByText('"to":"moderator"').waitFor();

    const phone = await open('phone', '/admin?tab=users', admin.cookie);
    await phone.getByRole('listitem', { name: 'Pro Moted @promo_me' }).waitFor();
    await shoot(phone, 'admin-phone');
    await page.context().close();
    await phone.context().close();
  });

  it('tells a non-admin the admin page is for admins, a minor why coins and diamonds are closed, and a visitor to log in', async () => {
    const plain = await signUpAs(node, { handle: 'just_user' });
    const page = await open('phone', '/admin', plain.cookie);
    await page.getByRole('heading', { name: 'Admins only' }).waitFor();
    expect(await page.getByRole('tab').count()).toBe(0);
    const refused = await node.call({ method: 'GET', url: '/v1/admin/users', headers: { cookie: plain.cookie } });
    expect(refused.status).toBe(403);
    await page.context().close();

    const teen = await signUpAs(node, { handle: 'teen_bal', birthDate: '2012-03-04' });
    const minor = await open('phone', '/balance', teen.cookie);
    await minor.getByText('Because you are under 18, buying coins and collecting diamonds are not available').waitFor();
    expect(await minor.getByRole('button', { name: /coins for/ }).count()).toBe(0);
    await minor.context().close();

    const visitor = await open('phone', '/balance');
    await visitor.getByRole('link', { name: 'Log in' }).first().waitFor();
    await visitor.getByText('Log in to see your coins and diamonds').waitFor();
    await visitor.context().close();
  });
});
