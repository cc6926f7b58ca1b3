// Proves moderation end to end in a real Chromium against a real node on a fresh SQLite database: a
// viewer reports a creator's chat line from the LIVE page (a visitor is asked to log in first); a
// moderator — not an admin — reaches the queue from the account menu, sees the report with its context
// (the line, the reporter's note, the LIVE and its gifts, the creator's standing) and suspends the
// creator from going LIVE for 24 hours after confirming; the creator's LIVE ends at once, the viewer's
// goodbye card says a moderator ended it and why, and the creator's studio shows the suspension with its
// end date instead of Go LIVE (the server refuses a start too). axe-core finds nothing serious or
// critical on the report dialog, the queue and the confirm dialog; screenshots at phone and desktop
// size go to docs/screenshots/.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SystemAccounts, userAccounts } from '../src/domain/accounts.js';
import { signUpAs, type TestNode } from '../test/support/livegift.js';
import { accessibilityProblems, CHROMIUM_AVAILABLE, openPage, SQLITE_AVAILABLE, useBrowserNode, VIEWPORTS } from './browser.js';

const SHOTS = join(import.meta.dirname, '..', 'docs', 'screenshots');
const TITLE = 'Late night sketches';
const LINE = "Send me a Galaxy and I'll give you a shoutout";

describe.skipIf(!SQLITE_AVAILABLE || !CHROMIUM_AVAILABLE)('moderation in Chromium: report, decide, and what everyone sees', () => {
  let node: TestNode;
  let base: string;
  let browser: Browser;
  useBrowserNode((suite) => {
    ({ node, base, browser } = suite);
  }, { env: { SPEND_DAILY_MAX_CENTS: '100000000', SPEND_WEEKLY_MAX_CENTS: '100000000' } });

  async function open(size: keyof typeof VIEWPORTS, path: string, cookie?: string): Promise<Page> {
    return (await openPage(browser, base, size, path, { cookie })).page;
  }
  async function shoot(page: Page, name: string, fullPage = false): Promise<void> {
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
  }

  const focusedLabel = (page: Page) => page.evaluate<string | null>('document.activeElement && document.activeElement.getAttribute("aria-label")');

  it('a reported chat line reaches the queue; a 24 h suspension ends the LIVE, tells the viewers why and closes Go LIVE', { timeout: 180_000 }, async () => {
    // The server's clock reads the browser's time, so the suspension's end is a real date.
    node.clock.ms = Date.now();
    const creator = await signUpAs(node, { handle: 'mira_mod', displayName: 'Mira Sol' });
    const viewer = await signUpAs(node, { handle: 'ben_mod', displayName: 'Ben Okafor' });
    const fan = await signUpAs(node, { handle: 'ana_mod', displayName: 'Ana Reyes' });
    const moderator = await signUpAs(node, { handle: 'rae_mod', displayName: 'Rae Moderator' });
    await node.storage.db.updateTable('users').set({ role: 'moderator' }).where('id', '=', moderator.userId).execute();
    await node.storage.ledger.submit([
      { id: `fund:${fan.userId}`, code: 'ADJUSTMENT', kind: 'single', debitAccountId: SystemAccounts.coinIssuance.id, creditAccountId: userAccounts(fan.userId).coins.id, amount: 10_000n },
    ]);
    await node.call({ method: 'PUT', url: '/v1/me/gifts', headers: { cookie: creator.cookie }, payload: { enabled: true } });

    // Mira goes LIVE from her studio; Ana sends three roses.
    const studio = await open('desktop', '/studio', creator.cookie);
    await studio.getByLabel('Title').fill(TITLE);
    await studio.getByRole('button', { name: 'Go LIVE' }).click();
    const say = studio.getByLabel('Say something to your viewers');
    await say.waitFor();
    const lives = await node.call<{ lives: { id: string; title: string }[] }>({ method: 'GET', url: '/v1/lives' });
    const liveId = lives.body.lives.find((l) => l.title === TITLE)?.id ?? '';
    expect(liveId).not.toBe('');
    for (let i = 0; i < 3; i++) {
      const sent = await node.call({ method: 'POST', url: '/v1/gifts', headers: { cookie: fan.cookie }, payload: { id: randomUUID(), liveId, giftId: 'rose', count: 1 } });
      expect(sent.status).toBe(201);
    }

    // A visitor who reports is asked to log in.
    const visitor = await open('phone', `/live/${liveId}`);
    await visitor.getByRole('button', { name: 'Report this LIVE' }).click();
    const askLogIn = visitor.getByRole('dialog', { name: 'Report this LIVE' });
    await askLogIn.getByText('Log in to report').waitFor();
    expect(await askLogIn.getByRole('link', { name: 'Log in' }).getAttribute('href')).toBe(`/login?next=${encodeURIComponent(`/live/${liveId}`)}`);
    await visitor.context().close();

    // Ben watches on his phone; once he is counted, Mira says a line that baits for gifts.
    const watch = await open('phone', `/live/${liveId}`, viewer.cookie);
    await watch.getByRole('region', { name: `${TITLE}, LIVE by Mira Sol` }).waitFor();
    await watch.getByLabel('Add comment').waitFor();
    await expect.poll(async () => studio.locator('.live-stats div').filter({ hasText: 'Viewers' }).locator('dd').textContent(), { timeout: 10_000 }).toBe('1');
    await say.fill(LINE);
    await say.press('Enter');
    const line = watch.locator('.chat-line').filter({ hasText: LINE });
    await line.waitFor();

    // He reports the line from the flag on it.
    await line.getByRole('button', { name: 'Report Mira Sol’s message' }).click();
    const report = watch.getByRole('dialog', { name: 'Report a message' });
    await report.getByRole('radio', { name: 'Gift-baiting' }).waitFor();
    expect(await report.locator('blockquote').textContent()).toContain(LINE);
    await watch.waitForTimeout(400); // the sheet's slide-up has ended
    await shoot(watch, 'report-dialog-phone');
    expect(await accessibilityProblems(watch)).toEqual([]);
    await report.getByRole('button', { name: 'Send report' }).click();
    await report.getByRole('alert').filter({ hasText: 'Choose what is wrong' }).waitFor();
    await report.getByText('Gift-baiting', { exact: true }).click();
    await report.getByLabel(/Anything a moderator should know/).fill('Promises shoutouts for gifts, twice tonight.');
    await report.getByRole('button', { name: 'Send report' }).click();
    await report.getByRole('status').filter({ hasText: 'Thanks — our moderators will look at it.' }).waitFor();
    await shoot(watch, 'report-sent-phone');
    await report.getByRole('button', { name: 'Done' }).click();
    expect(await report.count()).toBe(0);
    expect(await focusedLabel(watch)).toBe('Report Mira Sol’s message');

    // The report dialog at desktop size, for the LIVE itself: Escape closes it and focus goes back.
    const wide = await open('desktop', `/live/${liveId}`, viewer.cookie);
    await wide.getByRole('button', { name: 'Report this LIVE' }).click();
    const reportLive = wide.getByRole('dialog', { name: 'Report this LIVE' });
    await reportLive.getByRole('radio', { name: 'Gift-baiting' }).waitFor();
    await wide.waitForTimeout(400);
    await shoot(wide, 'report-dialog-desktop');
    await wide.keyboard.press('Escape');
    expect(await reportLive.count()).toBe(0);
    expect(await focusedLabel(wide)).toBe('Report this LIVE');
    await wide.context().close();

    // Rae, a moderator, finds the queue in her account menu and the report with its context.
    const desk = await open('desktop', '/', moderator.cookie);
    await desk.getByRole('button', { name: /Account menu/ }).click();
    await desk.getByRole('link', { name: 'Moderation' }).click();
    await desk.getByRole('heading', { name: 'Moderation', level: 1 }).waitFor();
    const card = desk.getByRole('listitem', { name: 'Chat message by Mira Sol' });
    await card.waitFor();
    const cardText = (await card.textContent()) ?? '';
    for (const expected of [LINE, 'Gift-baiting', 'Ben Okafor', 'Promises shoutouts for gifts, twice tonight.', `“${TITLE}”`, 'on air since', '3 gifts', '@mira_mod']) {
      expect(cardText).toContain(expected);
    }
    expect(await card.locator('.mod-context div').filter({ hasText: 'Open reports' }).locator('dd').textContent()).toBe('1');
    expect(await card.locator('.mod-context div').filter({ hasText: 'Going LIVE' }).locator('dd').textContent()).toBe('Allowed');
    expect(await desk.getByRole('tab').allTextContents()).toEqual(['Moderation']);
    expect(await accessibilityProblems(desk)).toEqual([]);
    await shoot(desk, 'moderation-queue-desktop', true);

    const phoneQueue = await open('phone', '/admin?tab=moderation', moderator.cookie);
    await phoneQueue.getByRole('listitem', { name: 'Chat message by Mira Sol' }).waitFor();
    expect(await accessibilityProblems(phoneQueue)).toEqual([]);
    await shoot(phoneQueue, 'moderation-queue-phone', true);
    await phoneQueue.context().close();

    // Suspend for 24 hours: the dialog says what will happen and asks to confirm.
    await card.getByRole('button', { name: 'Suspend going LIVE' }).click();
    const confirm = desk.getByRole('dialog', { name: 'Suspend Mira Sol from going LIVE?' });
    await confirm.waitFor();
    expect(await confirm.getByRole('radio', { name: '24 h' }).isChecked()).toBe(true);
    expect(await confirm.getByRole('radio', { name: 'Permanent' }).count()).toBe(1);
    expect(await confirm.getByLabel('Community Guidelines reason').inputValue()).toBe('gift_baiting');
    expect(await confirm.textContent()).toContain('A LIVE they have on air ends at once');
    await confirm.getByLabel(/Note Mira Sol reads/).fill('Shoutouts in return for gifts are gift-baiting.');
    await desk.waitForTimeout(300);
    expect(await accessibilityProblems(desk)).toEqual([]);
    await shoot(desk, 'moderation-suspend-desktop');
    await confirm.getByRole('button', { name: 'Suspend for 24 hours' }).click();
    const result = card.getByRole('status');
    await result.filter({ hasText: 'Mira Sol cannot go LIVE until' }).waitFor();
    expect(await result.textContent()).toContain('Their LIVE on air was ended.');
    expect(await card.locator('.mod-context div').filter({ hasText: 'Going LIVE' }).locator('dd').textContent()).toContain('Suspended until');

    const me = await node.call<{ liveSuspension: { untilMs: number | null; reason: string } | null }>({ method: 'GET', url: '/v1/me', headers: { cookie: creator.cookie } });
    const untilMs = me.body.liveSuspension?.untilMs ?? 0;
    expect(untilMs).toBe(node.clock.ms + 24 * 3_600_000);

    // Ben's LIVE page turns into the goodbye card, saying a moderator ended it and why.
    await watch.getByRole('heading', { name: 'The LIVE has ended' }).waitFor();
    await watch.getByText(/This LIVE was ended by a moderator/).waitFor();
    await shoot(watch, 'live-ended-by-moderator-phone');
    // The viewer reads the guideline (live.ended carries it), and so does anyone opening the LIVE
    // later (GET /v1/lives/:id makes a moderator's reason public); the moderator's note never shows.
    expect(await watch.getByText(/This LIVE was ended by a moderator/).textContent()).toBe('This LIVE was ended by a moderator for a Community Guidelines violation: Gift-baiting.');
    await desk.goto(`${base}/live/${liveId}`);
    const why = desk.getByText(/This LIVE was ended by a moderator/);
    await why.waitFor();
    expect(await why.textContent()).toBe('This LIVE was ended by a moderator for a Community Guidelines violation: Gift-baiting.');

    // Mira's studio moved to the LIVE's summary; the studio now says until when she cannot go LIVE.
    await studio.waitForURL(/\/studio\/lives\//);
    await studio.getByText('ended by a moderator').first().waitFor();
    await studio.goto(`${base}/studio`);
    const until = await studio.evaluate((ms) => new Date(ms).toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short' }), untilMs);
    const notice = studio.getByText(/Going LIVE is suspended until/);
    await notice.waitFor();
    expect(await notice.textContent()).toContain(until);
    expect(await notice.textContent()).toContain('Gift-baiting: Shoutouts in return for gifts are gift-baiting.');
    expect(await studio.getByRole('button', { name: 'Go LIVE' }).count()).toBe(0);
    await studio.locator('.ladder li[aria-current="step"]').filter({ hasText: 'LIVE ended and a timed suspension' }).waitFor();
    await studio.getByRole('list', { name: 'Your strikes' }).waitFor();
    await shoot(studio, 'studio-suspended-by-moderator-desktop', true);
    const refused = await node.call<{ error: { code: string } }>({ method: 'POST', url: '/v1/lives', headers: { cookie: creator.cookie }, payload: { title: 'Trying again' } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('live_suspended');

    const phoneStudio = await open('phone', '/studio', creator.cookie);
    await phoneStudio.getByText(/Going LIVE is suspended until/).waitFor();
    await phoneStudio.getByRole('list', { name: 'Your strikes' }).waitFor();
    expect(await accessibilityProblems(phoneStudio)).toEqual([]);
    await shoot(phoneStudio, 'studio-suspended-by-moderator-phone', true);

    for (const page of [studio, watch, desk, phoneStudio]) await page.context().close();
  });
});
