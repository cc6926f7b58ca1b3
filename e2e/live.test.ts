// Proves the viewer's LIVE page in a real Chromium: it opens on the stage with the creator and the
// viewer count; a big gift sent over HTTP plays full screen at once, roses fold into one banner whose
// combo count grows; a signed-in viewer's chat line shows for everyone; when the creator ends the
// LIVE the page turns into the goodbye card with the numbers. Screenshots at phone and desktop size.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SystemAccounts, userAccounts } from '../src/domain/accounts.js';
import { signUpAs, type TestNode } from '../test/support/livegift.js';
import { CHROMIUM_AVAILABLE, openPage, SQLITE_AVAILABLE, useBrowserNode, VIEWPORTS } from './browser.js';

const SHOTS = join(import.meta.dirname, '..', 'docs', 'screenshots');

describe.skipIf(!SQLITE_AVAILABLE || !CHROMIUM_AVAILABLE)('the LIVE page in Chromium', () => {
  let node: TestNode;
  let base: string;
  let browser: Browser;
  useBrowserNode((suite) => {
    ({ node, base, browser } = suite);
  }, { env: { SPEND_DAILY_MAX_CENTS: '100000000', SPEND_WEEKLY_MAX_CENTS: '100000000' } });

  async function open(size: keyof typeof VIEWPORTS, path: string, cookie?: string): Promise<Page> {
    return (await openPage(browser, base, size, path, { cookie })).page;
  }

  it('shows gifts on the stage at once, chat for everyone, and the goodbye card at the end', async () => {
    const creator = await signUpAs(node, { handle: 'mira_stage', displayName: 'Mira Sol' });
    await node.call({ method: 'PUT', url: '/v1/me/gifts', headers: { cookie: creator.cookie }, payload: { enabled: true } });
    const live = await node.call<{ id: string }>({ method: 'POST', url: '/v1/lives', headers: { cookie: creator.cookie }, payload: { title: 'Late night lo-fi' } });
    const liveId = live.body.id;
    const fan = await signUpAs(node, { handle: 'ana_stage', displayName: 'Ana Reyes' });
    await node.storage.ledger.submit([
      { id: `fund:${fan.userId}`, code: 'ADJUSTMENT', kind: 'single', debitAccountId: SystemAccounts.coinIssuance.id, creditAccountId: userAccounts(fan.userId).coins.id, amount: 100_000n },
    ]);
    const gift = (giftId: string) => node.call({ method: 'POST', url: '/v1/gifts', headers: { cookie: fan.cookie }, payload: { id: randomUUID(), liveId, giftId, count: 1 } });

    const viewer = await open('phone', `/live/${liveId}`);
    await viewer.getByRole('region', { name: 'Late night lo-fi, LIVE by Mira Sol' }).waitFor();
    await viewer.getByLabel(/watching/).waitFor();
    const chatter = await open('desktop', `/live/${liveId}`, fan.cookie);
    await chatter.getByLabel('Add comment').waitFor();

    expect((await gift('galaxy')).status).toBe(201);
    const big = viewer.getByRole('status', { name: 'Ana Reyes sent Galaxy' });
    await big.waitFor({ timeout: 3_000 });
    await viewer.screenshot({ path: join(SHOTS, 'live-big-gift-phone.png') });

    for (let i = 0; i < 4; i++) expect((await gift('rose')).status).toBe(201);
    await viewer.locator('.banner').filter({ hasText: 'sent Rose' }).filter({ hasText: '×4' }).waitFor();
    expect(await viewer.locator('.banner').count()).toBe(1);

    await chatter.getByLabel('Add comment').fill('what a set!');
    await chatter.getByLabel('Add comment').press('Enter');
    await viewer.locator('.chat-line').filter({ hasText: 'what a set!' }).waitFor();
    expect(await viewer.locator('.chat-line').filter({ hasText: 'what a set!' }).textContent()).toContain('Ana Reyes');
    await viewer.screenshot({ path: join(SHOTS, 'live-phone.png') });
    await chatter.screenshot({ path: join(SHOTS, 'live-desktop.png') });

    expect((await node.call({ method: 'POST', url: `/v1/lives/${liveId}/end`, headers: { cookie: creator.cookie }, payload: {} })).status).toBe(200);
    await viewer.getByRole('heading', { name: 'The LIVE has ended' }).waitFor();
    const gifters = viewer.locator('.stats div').filter({ hasText: 'Gifters' });
    expect(await gifters.locator('dd').textContent()).toBe('1');
    await viewer.screenshot({ path: join(SHOTS, 'live-ended-phone.png') });
  });
});
