// Proves the Stripe payout account on the balance page in a real Chromium against a real node that
// pays creators through Stripe Connect (the project's fake Stripe standing in for Stripe's API and its
// hosted onboarding page): the add-account form offers only a Stripe account, with a country; adding
// it goes to Stripe's page; a creator who leaves half-way sees "Finish setup with Stripe" and cannot
// redeem to it; finishing on Stripe's page brings them back to /balance?onboarded=<id>, which
// confirms it, with the account ready. Screenshots go to docs/screenshots/.
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeStripe } from '../test/support/fake-stripe.js';
import { signUpAs, type TestNode } from '../test/support/livegift.js';
import { CHROMIUM_AVAILABLE, openPage, SQLITE_AVAILABLE, useBrowserNode } from './browser.js';

const SHOTS = join(import.meta.dirname, '..', 'docs', 'screenshots');
const RUNS = SQLITE_AVAILABLE && CHROMIUM_AVAILABLE;
const WEBHOOK_SECRET = 'whsec_browser_test_secret';

// Started before the node, whose configuration names its address.
const fake = RUNS ? await FakeStripe.start({ webhookSecret: WEBHOOK_SECRET }) : null;

describe.skipIf(!RUNS)('a Stripe payout account on the balance page, in Chromium', () => {
  let node: TestNode;
  let base: string;
  let browser: Browser;
  useBrowserNode((suite) => {
    ({ node, base, browser } = suite);
  }, {
    env: { STRIPE_SECRET_KEY: 'sk_test_browser', STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, STRIPE_API_URL: fake?.baseUrl ?? 'http://127.0.0.1:9', PAYOUT_PROVIDER: 'stripe' },
    publicUrl: true,
  });
  afterAll(async () => {
    await fake?.close();
  });

  async function shoot(page: Page, name: string): Promise<void> {
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  }

  it('adds a Stripe account, finishes its setup on Stripe’s page, and comes back to it ready', async () => {
    const creator = await signUpAs(node, { handle: 'mira_stripe', displayName: 'Mira Sol' });
    const { page } = await openPage(browser, base, 'phone', '/balance', { cookie: creator.cookie });
    await page.getByText('No payout account yet. Add a Stripe account to get paid.').waitFor();

    // Only Stripe is offered, with the country of the creator's bank (the browser's region first).
    await page.getByRole('button', { name: 'Add account' }).click();
    const form = page.getByRole('form', { name: 'Add a payout account' });
    expect(await form.getByRole('radio').count()).toBe(0);
    const country = form.getByLabel('Country of your bank');
    expect(await country.inputValue()).toBe('US');
    await country.selectOption('GB');
    await form.getByRole('button', { name: 'Continue to Stripe' }).click();
    await page.waitForURL(/\/connect\/onboard\//);
    await page.getByRole('button', { name: 'Complete onboarding' }).waitFor();

    // Left half-way: the account is there, unfinished, and cannot be redeemed to.
    await page.goto(`${base}/balance`);
    const accounts = page.getByRole('list', { name: 'Your payout accounts' });
    const row = accounts.getByRole('listitem').filter({ hasText: 'Stripe account' });
    await row.getByText('Setup unfinished').waitFor();
    await page.getByText('Finish setting up your payout account with Stripe below, then redeem').waitFor();
    await shoot(page, 'payout-stripe-unfinished-phone');

    await row.getByRole('button', { name: 'Finish setup with Stripe' }).click();
    await page.waitForURL(/\/connect\/onboard\//);
    await page.getByRole('button', { name: 'Complete onboarding' }).click();
    await page.waitForURL(/\/balance\?onboarded=/);
    await page.getByRole('status').filter({ hasText: 'Your Stripe account is set up: you can redeem to it now.' }).waitFor();
    await row.getByText('Ready').waitFor();
    expect(await row.getByRole('button', { name: 'Finish setup with Stripe' }).count()).toBe(0);
    await shoot(page, 'payout-stripe-ready-phone');
    await page.getByRole('button', { name: 'Dismiss' }).click();
    expect(page.url()).toBe(`${base}/balance`);
    await page.context().close();
  });
});
