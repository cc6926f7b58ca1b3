// Proves the main pages have no serious or critical accessibility violations as axe-core sees them,
// in a real Chromium at phone and desktop size, against a real node on a fresh SQLite database with
// a LIVE on air that has had gifts, chat and coaching: home, log in, sign up, the LIVE page (and its
// gift panel), the creator's studio on air, a LIVE summary, the balance, and every admin tab.
// Motion is reduced so that nothing is caught half-faded (colours at rest are the same).
import { randomUUID } from 'node:crypto';
import axe, { type AxeResults, type ImpactValue, type Result } from 'axe-core';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SystemAccounts, userAccounts } from '../src/domain/accounts.js';
import { signUpAs, type TestNode } from '../test/support/livegift.js';
import { CHROMIUM_AVAILABLE, SQLITE_AVAILABLE, useBrowserNode, VIEWPORTS } from './browser.js';


/** What fails the test; "minor" and "moderate" findings are left to judgement. */
const FAILING: readonly ImpactValue[] = ['serious', 'critical'];

type Who = 'visitor' | 'viewer' | 'creator' | 'admin';

interface Scene {
  readonly name: string;
  readonly who: Who;
  /** The address, once the fixtures exist. */
  readonly path: () => string;
  /** Waits until the page shows what it is about (and opens what should be open). */
  readonly ready: (page: Page) => Promise<void>;
}

describe.skipIf(!SQLITE_AVAILABLE || !CHROMIUM_AVAILABLE)('accessibility of the main pages (axe-core in Chromium)', () => {
  let node: TestNode;
  let base: string;
  let browser: Browser;
  const cookies = new Map<Who, string>();
  let liveId = '';
  let endedLiveId = '';
  let fanCookie = '';

  useBrowserNode((suite) => {
    ({ node, base, browser } = suite);
  }, { env: { SPEND_DAILY_MAX_CENTS: '100000000', SPEND_WEEKLY_MAX_CENTS: '100000000' } });
  beforeAll(async () => {
    node.clock.ms = Date.now();
    const creator = await signUpAs(node, { handle: 'mira_a11y', displayName: 'Mira Sol' });
    const viewer = await signUpAs(node, { handle: 'ben_a11y', displayName: 'Ben Okafor' });
    const fan = await signUpAs(node, { handle: 'ana_a11y', displayName: 'Ana Reyes' });
    const admin = await signUpAs(node, { handle: 'rae_a11y', displayName: 'Rae Admin' });
    await node.storage.db.updateTable('users').set({ role: 'admin' }).where('id', '=', admin.userId).execute();
    cookies.set('viewer', viewer.cookie).set('creator', creator.cookie).set('admin', admin.cookie);
    fanCookie = fan.cookie;
    for (const who of [viewer, fan]) {
      await node.storage.ledger.submit([
        { id: `fund:${who.userId}`, code: 'ADJUSTMENT', kind: 'single', debitAccountId: SystemAccounts.coinIssuance.id, creditAccountId: userAccounts(who.userId).coins.id, amount: 100_000n },
      ]);
    }
    await node.call({ method: 'PUT', url: '/v1/me/gifts', headers: { cookie: creator.cookie }, payload: { enabled: true } });
    // A LIVE that has ended (for its summary), then the one on air, with a title the studio coaches.
    endedLiveId = await startLive(creator.cookie, 'Sunday sketches');
    await gift(fan.cookie, endedLiveId, 'galaxy');
    await gift(fan.cookie, endedLiveId, 'rose');
    node.clock.advance(25 * 60_000);
    expect((await node.call({ method: 'POST', url: `/v1/lives/${endedLiveId}/end`, headers: { cookie: creator.cookie }, payload: {} })).status).toBe(200);
    liveId = await startLive(creator.cookie, "Send gifts and I'll give you a shoutout");
    await gift(fan.cookie, liveId, 'galaxy');
    for (let i = 0; i < 3; i++) await gift(fan.cookie, liveId, 'rose');
  });

  async function startLive(cookie: string, title: string): Promise<string> {
    const live = await node.call<{ id: string }>({ method: 'POST', url: '/v1/lives', headers: { cookie }, payload: { title } });
    expect(live.status).toBe(201);
    return live.body.id;
  }
  async function gift(cookie: string, live: string, giftId: string): Promise<void> {
    const sent = await node.call({ method: 'POST', url: '/v1/gifts', headers: { cookie }, payload: { id: randomUUID(), liveId: live, giftId, count: 1 } });
    expect(sent.status).toBe(201);
  }

  /** Nothing on the page is loading any more. */
  async function settled(page: Page): Promise<void> {
    // A function, not a string: the page's CSP refuses eval, which a string predicate needs.
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelectorAll(selector: string): { length: number } } }).document.querySelectorAll('[aria-busy=true]').length === 0);
  }

  const liveScene = (withPanel: boolean): Scene => ({
    name: withPanel ? 'LIVE page, gift panel open' : 'LIVE page',
    who: 'viewer',
    path: () => `/live/${liveId}`,
    ready: async (page) => {
      await page.getByRole('region', { name: /LIVE by Mira Sol/ }).waitFor();
      await page.getByLabel('Add comment').waitFor();
      // Something on the stage: a chat line and a banner of roses.
      await page.getByLabel('Add comment').fill('hello from the a11y test');
      await page.getByLabel('Add comment').press('Enter');
      await page.locator('.chat-line').filter({ hasText: 'hello from the a11y test' }).waitFor();
      await gift(fanCookie, liveId, 'rose');
      await page.locator('.banner').first().waitFor();
      if (withPanel) {
        await page.getByRole('button', { name: 'Send a gift' }).click();
        await page.getByRole('dialog', { name: 'Gifts' }).waitFor();
      }
      await settled(page);
    },
  });

  const SCENES: readonly Scene[] = [
    {
      name: 'home',
      who: 'viewer',
      path: () => '/',
      ready: async (page) => {
        await page.locator('.live-card').first().waitFor();
        await page.getByRole('link', { name: 'Balance' }).or(page.getByRole('button', { name: /Account menu/ })).first().waitFor();
      },
    },
    { name: 'log in', who: 'visitor', path: () => '/login', ready: async (page) => { await page.getByRole('heading', { name: 'Log in' }).waitFor(); } },
    { name: 'sign up', who: 'visitor', path: () => '/signup', ready: async (page) => { await page.getByRole('heading', { name: 'Create your account' }).waitFor(); } },
    liveScene(false),
    liveScene(true),
    {
      name: 'studio on air',
      who: 'creator',
      path: () => '/studio',
      ready: async (page) => {
        await page.locator('.coach').first().waitFor();
        await gift(fanCookie, liveId, 'galaxy');
        await page.locator('.feed-row').filter({ hasText: 'sent Galaxy' }).first().waitFor();
        await page.locator('.stage.preview .big-gift').waitFor();
        await settled(page);
      },
    },
    {
      name: 'LIVE summary',
      who: 'creator',
      path: () => `/studio/lives/${endedLiveId}`,
      ready: async (page) => {
        await page.locator('.summary-stats').waitFor();
        await page.locator('.ranking li').first().waitFor();
      },
    },
    {
      name: 'balance',
      who: 'creator',
      path: () => '/balance',
      ready: async (page) => {
        await page.getByRole('heading', { name: 'Balance' }).waitFor();
        await page.getByRole('heading', { name: 'Diamonds' }).waitFor();
        await settled(page);
      },
    },
    ...(['catalog', 'users', 'payouts', 'ledger', 'audit'] as const).map(
      (tab): Scene => ({
        name: `admin, ${tab}`,
        who: 'admin',
        path: () => (tab === 'catalog' ? '/admin' : `/admin?tab=${tab}`),
        ready: async (page) => {
          await page.getByRole('tabpanel').waitFor();
          await settled(page);
        },
      }),
    ),
  ];

  async function open(size: keyof typeof VIEWPORTS, scene: Scene): Promise<Page> {
    const context = await browser.newContext({ viewport: VIEWPORTS[size], reducedMotion: 'reduce' });
    const cookie = cookies.get(scene.who);
    if (cookie !== undefined) {
      const [name, value] = cookie.split('=');
      await context.addCookies([{ name: name ?? '', value: value ?? '', url: base }]);
    }
    const page = await context.newPage();
    page.on('pageerror', (e) => { console.error(`${scene.name}: ${e.message}`); });
    await page.goto(`${base}${scene.path()}`);
    return page;
  }

  for (const size of Object.keys(VIEWPORTS) as (keyof typeof VIEWPORTS)[]) {
    for (const scene of SCENES) {
      it(`${scene.name} at ${size} size has no serious or critical violations`, async () => {
        const page = await open(size, scene);
        try {
          await scene.ready(page);
          await page.evaluate(axe.source); // the page's CSP refuses injected script tags, as it should
          const scan = async () => (await page.evaluate<AxeResults>('axe.run(document, { resultTypes: ["violations"] })')).violations.filter((v) => v.impact != null && FAILING.includes(v.impact));
          let failing = await scan();
          // A page still settling (a room event re-rendering part of it during the scan) is looked at
          // once more when it is quiet; what is still there then is what the page shows.
          if (failing.length > 0) {
            await page.waitForLoadState('networkidle');
            await page.waitForTimeout(500);
            failing = await scan();
          }
          expect(report(failing), `${scene.name} at ${size} size (${scene.path()})`).toBe('');
        } finally {
          await page.context().close();
        }
      });
    }
  }
});

/** Violations as a person reads them: the rule, why, and each element with what to fix. */
function report(violations: readonly Result[]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes.map((n) => `    at ${n.target.join(' ')}\n      ${n.html.slice(0, 160)}\n      ${(n.failureSummary ?? '').replace(/\n\s*/g, ' ')}`);
      return `${v.impact ?? ''} ${v.id}: ${v.help} (${v.helpUrl})\n${nodes.join('\n')}`;
    })
    .join('\n');
}
