// Proves the first pages in a real Chromium against a real node on a fresh database: the home page
// lists the LIVEs on air (and says so when there are none), and to a signed-in viewer the creators
// they watched (LIVE now, then their last LIVE once it ended); a new adult signs up and sees their coin
// balance; a 16-year-old signs up and is told at once why gifting and going LIVE are not available;
// a wrong password is explained in words; log out and log in again. Screenshots of each page at
// phone and desktop sizes go to docs/screenshots/.
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { signUpAs, type TestNode } from '../test/support/livegift.js';
import { CHROMIUM_AVAILABLE, openPage, SQLITE_AVAILABLE, useBrowserNode, VIEWPORTS } from './browser.js';

const SHOTS = join(import.meta.dirname, '..', 'docs', 'screenshots');

describe.skipIf(!SQLITE_AVAILABLE || !CHROMIUM_AVAILABLE)('accounts and home in Chromium', () => {
  let node: TestNode;
  let base: string;
  let browser: Browser;
  useBrowserNode((suite) => {
    ({ node, base, browser } = suite);
  });

  async function page(size: keyof typeof VIEWPORTS): Promise<Page> {
    const context = await browser.newContext({ viewport: VIEWPORTS[size] });
    return context.newPage();
  }
  async function shoot(p: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
    await p.screenshot({ path: join(SHOTS, `${name}.png`), ...options });
  }

  it('shows the LIVEs on air, or says nobody is LIVE', async () => {
    const phone = await page('phone');
    await phone.goto(`${base}/`);
    await phone.getByText('Nobody is LIVE right now.').waitFor();
    await shoot(phone, 'home-empty-phone');

    const creator = await signUpAs(node, { handle: 'mira_live' });
    const started = await node.call({ method: 'POST', url: '/v1/lives', headers: { cookie: creator.cookie }, payload: { title: 'Sunday sketching' } });
    expect(started.status).toBe(201);
    await phone.reload();
    const card = phone.getByRole('link', { name: /Sunday sketching by/ });
    await card.waitFor();
    expect(await card.textContent()).toContain('LIVE');
    // Signed out, there is nobody's watch history to show.
    expect(await phone.getByRole('heading', { name: 'Creators you watched' }).count()).toBe(0);
  });

  it('signs up an adult, who sees their coins; log out and in again; a wrong password is explained', async () => {
    const phone = await page('phone');
    await phone.goto(`${base}/`);
    await phone.getByRole('link', { name: 'Sign up' }).click();
    await phone.getByRole('heading', { name: 'Create your account' }).waitFor();
    await shoot(phone, 'signup-phone');
    await phone.getByLabel('Email').fill('ana@example.test');
    await phone.getByLabel('Handle').fill('ana_web');
    await phone.getByLabel('Display name').fill('Ana Reyes');
    await phone.getByLabel('Password').fill('ana password 1');
    await phone.getByLabel('Date of birth').fill('2000-08-09');
    await phone.getByRole('button', { name: 'Sign up' }).click();
    await phone.getByRole('heading', { name: 'Hi Ana Reyes' }).waitFor();
    expect(await phone.getByLabel('0 coins').textContent()).toContain('0');

    await phone.getByRole('button', { name: /Account menu/ }).click();
    await phone.getByRole('button', { name: 'Log out', exact: true }).click();
    await phone.getByRole('link', { name: 'Log in' }).click();
    await phone.getByLabel('Handle or email').fill('ana_web');
    await phone.getByLabel('Password').fill('not the password');
    await phone.getByRole('button', { name: 'Log in' }).click();
    expect(await phone.getByRole('alert').textContent()).toBe('That handle or email and password do not match.');
    await shoot(phone, 'login-error-phone');
    await phone.getByLabel('Password').fill('ana password 1');
    await phone.getByRole('button', { name: 'Log in' }).click();
    await phone.getByRole('heading', { name: 'Hi Ana Reyes' }).waitFor();
  });

  it('tells a 16-year-old at once what they can do and why gifting is not available', async () => {
    const phone = await page('phone');
    await phone.goto(`${base}/signup`);
    const sixteen = new Date();
    sixteen.setFullYear(sixteen.getFullYear() - 16);
    await phone.getByLabel('Email').fill('kit@example.test');
    await phone.getByLabel('Handle').fill('kit_web');
    await phone.getByLabel('Display name').fill('Kit Lane');
    await phone.getByLabel('Password').fill('kit password 1');
    await phone.getByLabel('Date of birth').fill(sixteen.toISOString().slice(0, 10));
    await phone.getByRole('button', { name: 'Sign up' }).click();
    await phone.getByRole('heading', { name: 'Welcome, Kit Lane' }).waitFor();
    expect(await phone.locator('.notice').textContent()).toContain('Because you are under 18, buying coins, sending gifts, going LIVE and collecting diamonds are not available');
    // No coin balance for an account that cannot buy or spend coins.
    expect(await phone.locator('.coins').count()).toBe(0);
    await shoot(phone, 'under-18-phone');
  });

  it('shows a signed-in viewer the creator they watched: LIVE now, then their last LIVE once it ended', async () => {
    // The browser words "Last LIVE 4 hours ago" from its own clock: run the node's clock four hours behind it.
    node.clock.ms = Date.now() - 4 * 3_600_000;
    const creator = await signUpAs(node, { handle: 'theo_live', displayName: 'Theo Park' });
    const viewer = await signUpAs(node, { handle: 'wren_web', displayName: 'Wren Hale' });
    const started = await node.call<{ id: string }>({ method: 'POST', url: '/v1/lives', headers: { cookie: creator.cookie }, payload: { title: 'Night beats' } });
    expect(started.status).toBe(201);

    const { page: phone } = await openPage(browser, base, 'phone', `/live/${started.body.id}`, { cookie: viewer.cookie });
    const home = phone.getByRole('region', { name: 'Creators you watched' });
    // The LIVE page joins over its socket: wait until the viewer is counted, then go home.
    for (let i = 0; i < 50; i++) {
      const mine = await node.call<{ creators: unknown[] }>({ method: 'GET', url: '/v1/me/creators', headers: { cookie: viewer.cookie } });
      if (mine.body.creators.length > 0) break;
      await phone.waitForTimeout(100);
    }
    await phone.goto(`${base}/`);
    const onAir = home.getByRole('link', { name: /Theo Park LIVE now · Night beats · \d+ watching/ });
    await onAir.waitFor();
    expect(await onAir.getAttribute('href')).toBe(`/live/${started.body.id}`);
    // The whole page: on a phone, the creators you watched sit under the on-air cards.
    await shoot(phone, 'home-phone', { fullPage: true });
    const { page: desktop } = await openPage(browser, base, 'desktop', '/', { cookie: viewer.cookie });
    await desktop.getByRole('link', { name: /Theo Park LIVE now/ }).waitFor();
    await shoot(desktop, 'home-desktop');

    expect((await node.call({ method: 'POST', url: `/v1/lives/${started.body.id}/end`, headers: { cookie: creator.cookie } })).status).toBe(200);
    await phone.reload();
    await home.getByText('Last LIVE 4 hours ago').waitFor();
    expect(await home.getByRole('listitem').filter({ hasText: 'Theo Park' }).count()).toBe(1);
    expect(await home.getByRole('link', { name: /Theo Park/ }).count()).toBe(0);
  });
});
