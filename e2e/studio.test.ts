// Proves the creator's pages in a real Chromium against a real node on a fresh database: a creator
// turns LIVE Gifts on and goes LIVE with a gift-baiting title, and is coached privately in amber at
// once; gifts sent over HTTP show in the studio's feed at once; one tap thanks a gifter and a viewer
// sees the thank-you highlighted in the chat; a baiting chat line is coached too; the OBS overlay
// plays a big gift on a transparent page with a valid token (fading instead of flying for reduced
// motion) and explains a bad or revoked one; ending the LIVE
// opens its summary with the right number of gifters and the gifter thanked in the LIVE marked so
// (from the server's record, not the browser's memory), and the past LIVEs list it. Under-18 users,
// visitors and a suspended creator are told why they cannot go LIVE. Screenshots at phone and
// desktop size go to docs/screenshots/.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SystemAccounts, userAccounts } from '../src/domain/accounts.js';
import { signUpAs, type TestNode } from '../test/support/livegift.js';
import { CHROMIUM_AVAILABLE, openPage, SQLITE_AVAILABLE, useBrowserNode, VIEWPORTS } from './browser.js';

/** The bits of the browser's window the checks read (this file is compiled without the DOM types). */
interface BrowserWindow {
  getComputedStyle(element: unknown): { borderLeftColor: string; backgroundColor: string; animationName: string };
}

const SHOTS = join(import.meta.dirname, '..', 'docs', 'screenshots');

describe.skipIf(!SQLITE_AVAILABLE || !CHROMIUM_AVAILABLE)('the creator studio, LIVE summary and OBS overlay in Chromium', () => {
  let node: TestNode;
  let base: string;
  let browser: Browser;
  useBrowserNode((suite) => {
    ({ node, base, browser } = suite);
  }, { env: { SPEND_DAILY_MAX_CENTS: '100000000', SPEND_WEEKLY_MAX_CENTS: '100000000' } });

  async function open(size: keyof typeof VIEWPORTS, path: string, cookie?: string): Promise<Page> {
    return (await openPage(browser, base, size, path, { cookie, clipboard: true })).page;
  }
  async function shoot(page: Page, name: string, options: { omitBackground?: boolean; fullPage?: boolean } = {}): Promise<void> {
    await page.screenshot({ path: join(SHOTS, `${name}.png`), ...options });
  }
  async function fund(userId: string, coins: bigint): Promise<void> {
    await node.storage.ledger.submit([
      { id: `fund:${userId}`, code: 'ADJUSTMENT', kind: 'single', debitAccountId: SystemAccounts.coinIssuance.id, creditAccountId: userAccounts(userId).coins.id, amount: coins },
    ]);
  }

  it('goes LIVE, shows gifts at once, thanks a gifter, coaches baiting, and ends on the summary', async () => {
    // The server's clock reads the browser's time, so "on air for" and the summary's duration are real.
    node.clock.ms = Date.now();
    const creator = await signUpAs(node, { handle: 'mira_studio', displayName: 'Mira Sol' });
    const ana = await signUpAs(node, { handle: 'ana_fan', displayName: 'Ana Reyes' });
    const ben = await signUpAs(node, { handle: 'ben_fan', displayName: 'Ben Okafor' });
    await fund(ana.userId, 100_000n);
    await fund(ben.userId, 100_000n);

    // Before the LIVE: the toggle is off and says what that means.
    const studio = await open('desktop', '/studio', creator.cookie);
    const toggle = studio.getByRole('switch', { name: 'LIVE Gifts' });
    await toggle.waitFor();
    expect(await toggle.getAttribute('aria-checked')).toBe('false');
    await studio.getByText('LIVE Gifts are off').waitFor();
    await studio.getByText('No past LIVEs yet.').waitFor();
    const golivePhone = await open('phone', '/studio', creator.cookie);
    await golivePhone.getByRole('button', { name: 'Go LIVE' }).waitFor();
    await shoot(golivePhone, 'studio-go-live-phone');
    await golivePhone.context().close();

    await toggle.click();
    await studio.locator('[role="switch"][aria-checked="true"]').waitFor();
    expect(await studio.getByText('LIVE Gifts are off').count()).toBe(0);

    // A title that promises a reward for gifts: the studio is coached at once, in amber.
    const title = "Send gifts and I'll give you a shoutout";
    await studio.getByLabel('Title').fill(title);
    await studio.getByRole('button', { name: 'Go LIVE' }).click();
    const titleCoach = studio.locator('.coach').filter({ hasText: 'Your LIVE title' });
    await titleCoach.waitFor({ timeout: 5_000 });
    expect(await titleCoach.textContent()).toContain('Only you can see this');
    expect(await titleCoach.textContent()).toContain('not allowed');
    expect(await titleCoach.evaluate((el) => (globalThis as unknown as BrowserWindow).getComputedStyle(el).borderLeftColor)).toBe('rgb(255, 200, 61)');
    const lives = await node.call<{ lives: { id: string; title: string }[] }>({ method: 'GET', url: '/v1/lives' });
    const liveId = lives.body.lives.find((l) => l.title === title)?.id ?? '';
    expect(liveId).not.toBe('');
    await studio.getByText('No gifts yet.').waitFor();

    // A viewer watches; gifts sent over HTTP reach the studio's feed at once.
    const viewer = await open('phone', `/live/${liveId}`, ben.cookie);
    await viewer.getByRole('region', { name: `${title}, LIVE by Mira Sol` }).waitFor();
    const gift = (who: { cookie: string }, giftId: string) =>
      node.call({ method: 'POST', url: '/v1/gifts', headers: { cookie: who.cookie }, payload: { id: randomUUID(), liveId, giftId, count: 1 } });
    const sentAt = Date.now();
    expect((await gift(ana, 'galaxy')).status).toBe(201);
    const galaxyRow = studio.locator('.feed-row').filter({ hasText: 'Ana Reyes' }).filter({ hasText: 'sent Galaxy' });
    await galaxyRow.waitFor({ timeout: 2_000 });
    expect(Date.now() - sentAt).toBeLessThan(2_000);
    // The time a gift takes is measured on the studio's feed above; the viewer's banner is only
    // checked to arrive (the phone-size page, painting its animation, is slow on a loaded CI box).
    await viewer.getByRole('status', { name: 'Ana Reyes sent Galaxy' }).waitFor({ timeout: 10_000 });
    for (let i = 0; i < 3; i++) expect((await gift(ben, 'rose')).status).toBe(201);
    await studio.locator('.feed-row').filter({ hasText: 'Ben Okafor' }).filter({ hasText: 'sent Rose ×3' }).waitFor({ timeout: 3_000 });
    const gifters = studio.locator('.live-stats div').filter({ hasText: 'Gifters' }).locator('dd');
    await expect.poll(() => gifters.textContent()).toBe('2');

    // One tap thanks Ana with the chosen phrase; the viewer sees it highlighted in the chat.
    await studio.getByRole('radio', { name: 'Great job' }).check();
    await studio.getByRole('button', { name: 'Thank Ana Reyes' }).click();
    await studio.getByLabel('Ana Reyes thanked').first().waitFor();
    const thanks = viewer.locator('.chat-line').filter({ hasText: 'Great job' });
    await thanks.waitFor({ timeout: 3_000 });
    expect(await thanks.textContent()).toContain('Ana Reyes');
    expect(await thanks.getAttribute('class')).toContain('thanks');
    await shoot(viewer, 'studio-thanks-viewer-phone');

    // A chat line that trades follows is coached too.
    await studio.getByLabel('Say something to your viewers').fill('follow for follow, everyone!');
    await studio.getByLabel('Say something to your viewers').press('Enter');
    await studio.locator('.coach').filter({ hasText: 'Your message' }).waitFor({ timeout: 3_000 });

    // The OBS overlay: the studio makes a read-only token and shows the address to copy.
    await studio.getByRole('button', { name: 'Make overlay link' }).click();
    const address = studio.getByLabel('Overlay address');
    await address.waitFor();
    const overlayUrl = await address.inputValue();
    expect(overlayUrl).toMatch(new RegExp(`^${base}/overlay/${liveId}\\?token=lgp_`));
    await studio.getByRole('button', { name: 'Copy' }).click();
    await studio.getByRole('button', { name: 'Copied ✓' }).waitFor();
    expect(await studio.evaluate<string>('navigator.clipboard.readText()')).toBe(overlayUrl);
    await studio.evaluate('window.scrollTo(0, 0)');
    await shoot(studio, 'studio-desktop');
    await shoot(studio, 'studio-desktop-full', { fullPage: true });
    const studioPhone = await open('phone', '/studio', creator.cookie);
    await studioPhone.locator('.feed-row').filter({ hasText: 'Ana Reyes' }).first().waitFor();
    // A second studio (another device) knows Ana was thanked: from the server's record, not this page's acks.
    await studioPhone.getByLabel('Ana Reyes thanked').first().waitFor({ timeout: 10_000 });
    await shoot(studioPhone, 'studio-phone');
    await shoot(studioPhone, 'studio-phone-full', { fullPage: true });

    const overlay = await open('desktop', new URL(overlayUrl).pathname + new URL(overlayUrl).search);
    await overlay.locator('.overlay[data-room="open"]').waitFor({ timeout: 5_000 });
    const backgrounds = await overlay.evaluate<string[]>('[getComputedStyle(document.documentElement).backgroundColor, getComputedStyle(document.body).backgroundColor]');
    expect(backgrounds).toEqual(['rgba(0, 0, 0, 0)', 'rgba(0, 0, 0, 0)']);
    expect(await overlay.locator('.topbar').count()).toBe(0);
    expect((await gift(ana, 'galaxy')).status).toBe(201);
    const playing = overlay.getByRole('status', { name: 'Ana Reyes sent Galaxy' });
    await playing.waitFor({ timeout: 3_000 });
    // Reduced motion swaps the flying entrance for a fade.
    expect(await playing.evaluate((el) => (globalThis as unknown as BrowserWindow).getComputedStyle(el).animationName)).toBe('big-in');
    await overlay.emulateMedia({ reducedMotion: 'reduce' });
    expect(await playing.evaluate((el) => (globalThis as unknown as BrowserWindow).getComputedStyle(el).animationName)).toBe('fade-in-plain');
    await overlay.emulateMedia({ reducedMotion: 'no-preference' });
    await overlay.waitForTimeout(600); // let the entrance animation settle for the picture
    await shoot(overlay, 'overlay-desktop', { omitBackground: true });
    expect(await overlay.getByRole('textbox').count()).toBe(0);
    expect(await overlay.getByRole('button').count()).toBe(0);

    const badOverlay = await open('desktop', `/overlay/${liveId}?token=lgp_not-a-real-token`);
    await badOverlay.getByRole('heading', { name: 'This overlay link does not work' }).waitFor({ timeout: 5_000 });
    await shoot(badOverlay, 'overlay-bad-token-desktop', { omitBackground: true });
    // A new link revokes the old one: opened again, the old address says it no longer works.
    await studio.getByRole('button', { name: /Make a new link/ }).click();
    await expect.poll(() => address.inputValue()).not.toBe(overlayUrl);
    await badOverlay.goto(overlayUrl);
    await badOverlay.getByRole('heading', { name: 'This overlay link does not work' }).waitFor({ timeout: 5_000 });

    // End LIVE → the summary, with both gifters counted; the phone studio follows on its own.
    node.clock.advance(47 * 60_000); // a LIVE of about three quarters of an hour
    await studio.getByRole('button', { name: 'End LIVE' }).click();
    await studio.getByText('1 gifter has not been thanked yet.', { exact: false }).waitFor();
    await studio.getByRole('button', { name: 'End LIVE now' }).click();
    await studio.getByText('LIVE summary').waitFor();
    expect(new URL(studio.url()).pathname).toBe(`/studio/lives/${liveId}`);
    await studio.getByRole('heading', { name: title }).waitFor();
    const summaryCard = (name: string) => studio.locator('.summary-stats > div').filter({ has: studio.locator('dt', { hasText: name }) }).locator('dd').first();
    expect(await summaryCard('Gifters').textContent()).toBe('2');
    expect(await summaryCard('Gifts').textContent()).toBe('5');
    expect(await summaryCard('Diamonds').textContent()).toContain('2,003');
    // Ana was thanked in the room: the server kept it, and the summary marks her from its record.
    await studio.locator('.ranking li').filter({ hasText: 'Ana Reyes' }).getByLabel('Ana Reyes thanked in the LIVE').waitFor();
    await studio.getByRole('button', { name: 'Thank all (1)' }).waitFor();
    await studio.getByRole('button', { name: 'Thank Ben Okafor' }).waitFor();
    expect(await studio.evaluate<number>('Object.keys(localStorage).filter((k) => k.startsWith("livegift.studio.thanked.")).length')).toBe(0);
    await shoot(studio, 'summary-desktop');
    await studioPhone.waitForURL(`${base}/studio/lives/${liveId}`, { timeout: 5_000 });
    await studioPhone.getByRole('heading', { name: title }).waitFor();
    await shoot(studioPhone, 'summary-phone');
    await overlay.getByRole('heading', { name: 'This LIVE has ended' }).waitFor({ timeout: 5_000 });

    // Back in the studio: ready to go LIVE again, and the past LIVEs list this one.
    await studio.getByRole('link', { name: 'Back to your studio' }).click();
    const past = studio.locator('a.past-row').filter({ hasText: title });
    await past.waitFor();
    expect(await past.textContent()).toContain('2 gifters');
    await studio.getByRole('button', { name: 'Go LIVE' }).waitFor();
    await shoot(studio, 'studio-past-desktop');
    await past.click();
    await studio.getByText('LIVE summary').waitFor();
    expect(new URL(studio.url()).pathname).toBe(`/studio/lives/${liveId}`);
  });

  it('tells visitors to log in, under-18 users why they cannot go LIVE, and a suspended creator until when', async () => {
    const visitor = await open('phone', '/studio');
    await visitor.getByRole('heading', { name: 'Your creator studio' }).waitFor();
    await visitor.getByRole('link', { name: 'Log in' }).last().waitFor();
    expect(await visitor.getByRole('button', { name: 'Go LIVE' }).count()).toBe(0);

    const teen = await signUpAs(node, { handle: 'teen_studio', birthDate: '2011-03-02' });
    const minor = await open('phone', '/studio', teen.cookie);
    await minor.getByText('Going LIVE and collecting diamonds are for people 18 and older').waitFor();
    expect(await minor.getByRole('button', { name: 'Go LIVE' }).count()).toBe(0);
    await shoot(minor, 'studio-under-18-phone');

    const suspended = await signUpAs(node, { handle: 'sus_studio', displayName: 'Sam Suspended' });
    const untilMs = Date.parse('2027-01-15T18:00:00Z');
    await node.storage.db
      .updateTable('users')
      .set({ live_suspended_until_ms: untilMs, live_suspension_reason: 'gift-baiting after three warnings' })
      .where('id', '=', suspended.userId)
      .execute();
    const page = await open('desktop', '/studio', suspended.cookie);
    const why = page.getByText(/Going LIVE is suspended until Jan 15, 2027/);
    await why.waitFor();
    expect(await why.textContent()).toContain('gift-baiting after three warnings');
    expect(await page.getByRole('button', { name: 'Go LIVE' }).count()).toBe(0); // the suspension notice stands in its place
    await page.getByRole('switch', { name: 'LIVE Gifts' }).click();
    const refused = page.getByRole('alert').filter({ hasText: 'Cannot turn LIVE Gifts on' });
    await refused.waitFor();
    expect(await refused.textContent()).toContain('going LIVE is suspended until Jan 15, 2027');
    await shoot(page, 'studio-suspended-desktop');
  });
});
