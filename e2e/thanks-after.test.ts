// Proves thanking gifters in and after a LIVE, in a real Chromium against a real node on a fresh
// database: three viewers gift; the creator thanks one of them in the room from the studio, then ends
// the LIVE and lands on the summary, where that gifter is marked Thanked ✓ in the LIVE (the server
// kept it) and their goodbye card shows it as the LIVE ends; one Thank with own words that bait for
// gifts goes out and is coached in amber; Thank all with a suggested phrase thanks the gifter left,
// whose goodbye card — open since the LIVE ended — shows "Mira thanked you: …" by itself; after a
// reload the summary still marks all three (from the server, not from the browser's memory), and a
// viewer opening the ended LIVE later sees their thank-you at once. The phone screenshot goes to
// docs/screenshots/summary-thanked-phone.png.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SystemAccounts, userAccounts } from '../src/domain/accounts.js';
import { signUpAs, type TestNode } from '../test/support/livegift.js';
import { CHROMIUM_AVAILABLE, openPage, SQLITE_AVAILABLE, useBrowserNode, VIEWPORTS } from './browser.js';

/** The bits of the browser's window the checks read (this file is compiled without the DOM types). */
interface BrowserWindow {
  getComputedStyle(element: unknown): { borderLeftColor: string };
}

const SHOTS = join(import.meta.dirname, '..', 'docs', 'screenshots');

describe.skipIf(!SQLITE_AVAILABLE || !CHROMIUM_AVAILABLE)('thanking gifters after the LIVE, in Chromium', () => {
  let node: TestNode;
  let base: string;
  let browser: Browser;
  useBrowserNode((suite) => {
    ({ node, base, browser } = suite);
  });

  async function open(size: keyof typeof VIEWPORTS, path: string, cookie: string): Promise<Page> {
    return (await openPage(browser, base, size, path, { cookie })).page;
  }
  async function fund(userId: string, coins: bigint): Promise<void> {
    const funded = await node.storage.ledger.submit([
      { id: `fund:${userId}`, code: 'ADJUSTMENT', kind: 'single', debitAccountId: SystemAccounts.coinIssuance.id, creditAccountId: userAccounts(userId).coins.id, amount: coins },
    ]);
    expect(funded.status).toBe('applied');
  }

  it('thanks a gifter in the LIVE and the others from the summary; the open goodbye cards show it; Thanked ✓ survives a reload', async () => {
    node.clock.ms = Date.now();
    const mira = await signUpAs(node, { handle: 'mira_thanks', displayName: 'Mira' });
    const ana = await signUpAs(node, { handle: 'ana_thanks', displayName: 'Ana Reyes' });
    const ben = await signUpAs(node, { handle: 'ben_thanks', displayName: 'Ben Okafor' });
    const cleo = await signUpAs(node, { handle: 'cleo_thanks', displayName: 'Cleo Park' });
    await fund(ana.userId, 10_000n);
    await fund(ben.userId, 10_000n);
    await fund(cleo.userId, 10_000n);
    expect((await node.call({ method: 'PUT', url: '/v1/me/gifts', headers: { cookie: mira.cookie }, payload: { enabled: true } })).status).toBe(200);
    const started = await node.call<{ id: string }>({ method: 'POST', url: '/v1/lives', headers: { cookie: mira.cookie }, payload: { title: 'Late-night sketching' } });
    expect(started.status).toBe(201);
    const liveId = started.body.id;

    // Ana and Cleo watch on their phones; all three viewers gift.
    const viewer = await open('phone', `/live/${liveId}`, ana.cookie);
    await viewer.getByRole('region', { name: 'Late-night sketching, LIVE by Mira' }).waitFor();
    const cleoPage = await open('phone', `/live/${liveId}`, cleo.cookie);
    await cleoPage.getByRole('region', { name: 'Late-night sketching, LIVE by Mira' }).waitFor();
    const gift = (who: { cookie: string }, giftId: string, count: number) =>
      node.call({ method: 'POST', url: '/v1/gifts', headers: { cookie: who.cookie }, payload: { id: randomUUID(), liveId, giftId, count } });
    expect((await gift(ana, 'doughnut', 1)).status).toBe(201);
    expect((await gift(ben, 'rose', 5)).status).toBe(201);
    expect((await gift(cleo, 'rose', 1)).status).toBe(201);

    // In the LIVE, the creator thanks Cleo from the studio with one tap (a line in the room's chat).
    node.clock.advance(30 * 60_000);
    const studio = await open('phone', '/studio', mira.cookie);
    await studio.getByRole('radio', { name: 'Great job' }).check();
    await studio.getByRole('button', { name: 'Thank Cleo Park' }).click();
    await studio.getByLabel('Cleo Park thanked').first().waitFor();
    await cleoPage.locator('.chat-line.thanks').filter({ hasText: 'Great job' }).waitFor({ timeout: 3_000 });

    // The creator ends the LIVE from the studio and lands on the summary; the viewers' pages say goodbye.
    node.clock.advance(8 * 60_000); // a LIVE of about forty minutes
    await studio.getByRole('button', { name: 'End LIVE' }).click();
    await studio.getByRole('button', { name: 'End LIVE now' }).click();
    await studio.waitForURL(`${base}/studio/lives/${liveId}`, { timeout: 5_000 });
    await studio.getByText('LIVE summary').waitFor();
    await viewer.getByRole('heading', { name: 'The LIVE has ended' }).waitFor({ timeout: 5_000 });
    expect(await viewer.locator('.goodbye-thanks').count()).toBe(0);
    // Cleo's goodbye card shows her in-LIVE thank-you as it opens, not a poll (5 s) later.
    await cleoPage.getByRole('heading', { name: 'The LIVE has ended' }).waitFor({ timeout: 5_000 });
    await cleoPage.locator('.goodbye-thanks').filter({ hasText: 'Mira thanked you: “Great job”' }).waitFor({ timeout: 3_000 });

    // The summary marks Cleo from the server's record; the two others are left to thank.
    const row = (name: string) => studio.locator('.ranking li').filter({ hasText: name });
    await studio.getByRole('button', { name: 'Thank all (2)' }).waitFor();
    await row('Cleo Park').getByLabel('Cleo Park thanked in the LIVE').waitFor();
    expect(await row('Ana Reyes').getByText('Thanked ✓').count()).toBe(0);

    // One Thank with own words that promise a reward for gifts: it goes out, and the creator is coached in amber.
    await studio.getByRole('radio', { name: 'Own words…' }).check();
    await studio.getByLabel('Your own thank-you').fill("Send more gifts and I'll follow you back!");
    await studio.getByRole('button', { name: 'Thank Ben Okafor' }).click();
    await row('Ben Okafor').getByText('Thanked ✓').waitFor();
    const coach = studio.locator('.coach').filter({ hasText: 'Your thank-you' });
    await coach.waitFor();
    expect(await coach.textContent()).toContain('Only you can see this');
    expect(await coach.evaluate((el) => (globalThis as unknown as BrowserWindow).getComputedStyle(el).borderLeftColor)).toBe('rgb(255, 200, 61)');

    // Thank all with a suggested phrase: the gifter not thanked yet gets it; Ben and Cleo keep theirs.
    await studio.getByRole('radio', { name: 'This helps me so much, thank you!' }).check();
    await studio.getByRole('button', { name: 'Thank all (1)' }).click();
    await row('Ana Reyes').getByText('Thanked ✓').waitFor();
    await studio.getByText('All thanked ✓').waitFor();
    expect(await studio.getByText('3 of 3 gifters thanked.', { exact: false }).count()).toBe(1);
    await row('Cleo Park').getByLabel('Cleo Park thanked in the LIVE').waitFor();

    // Ana's goodbye card, open all along, shows it within one poll (every 5 s).
    const note = viewer.locator('.goodbye-thanks');
    await note.waitFor({ timeout: 8_000 });
    expect(await note.textContent()).toBe('Mira thanked you: “This helps me so much, thank you!”');

    // From the server: a reload (this browser keeps no thank-yous) still shows all three thanked.
    await studio.reload();
    await row('Ana Reyes').getByLabel('Ana Reyes thanked', { exact: true }).waitFor();
    await row('Ben Okafor').getByLabel('Ben Okafor thanked', { exact: true }).waitFor();
    await row('Cleo Park').getByLabel('Cleo Park thanked in the LIVE').waitFor();
    await studio.getByText('All thanked ✓').waitFor();
    expect(await studio.evaluate<number>('Object.keys(localStorage).filter((k) => k.startsWith("livegift.studio.thanked.")).length')).toBe(0);
    await studio.screenshot({ path: join(SHOTS, 'summary-thanked-phone.png'), fullPage: true });

    // Ben opens the ended LIVE later: his thank-you is there at once.
    const later = await open('phone', `/live/${liveId}`, ben.cookie);
    await later.getByRole('heading', { name: 'The LIVE has ended' }).waitFor();
    await later.locator('.goodbye-thanks').filter({ hasText: "Mira thanked you: “Send more gifts and I'll follow you back!”" }).waitFor({ timeout: 3_000 });
  });
});
