// Measures how smoothly the LIVE page plays gifts on a slow phone: Chromium at phone size with its
// CPU slowed 4× (DevTools' "mid-tier mobile" preset), counting the frames the page paints (one
// requestAnimationFrame per frame) while a big gift plays full screen and a combo banner grows.
// The numbers are printed and recorded in docs/BENCHMARKS.md ("The LIVE page's frame rate"), with
// the same page idle, measured just before in the same run, as the baseline. In the whole suite it
// fails only if the page freezes (a frame over 1 s); with MOTION_STRICT=1 (run alone) also if gifts
// bring the frame rate under 60 % of the idle page's.
import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SystemAccounts, userAccounts } from '../src/domain/accounts.js';
import { signUpAs, type TestNode } from '../test/support/livegift.js';
import { CHROMIUM_AVAILABLE, openPage, SQLITE_AVAILABLE, useBrowserNode } from './browser.js';

const CPU_SLOWDOWN = Number(process.env.MOTION_SLOWDOWN ?? 4);
const MEASURE_MS = 2_500;
const BASELINE_MS = 1_500;

function stats(intervals: readonly number[]): { fps: number; p95: number; longest: number } {
  const total = intervals.reduce((a, b) => a + b, 0);
  const sorted = [...intervals].sort((a, b) => a - b);
  return { fps: (intervals.length / total) * 1000, p95: sorted[Math.floor(sorted.length * 0.95)] ?? Number.NaN, longest: sorted.at(-1) ?? Number.NaN };
}

describe.skipIf(!SQLITE_AVAILABLE || !CHROMIUM_AVAILABLE)('the LIVE page frame rate in Chromium', () => {
  let node: TestNode;
  let base: string;
  let browser: Browser;
  useBrowserNode((suite) => {
    ({ node, base, browser } = suite);
  }, { env: { SPEND_DAILY_MAX_CENTS: '100000000', SPEND_WEEKLY_MAX_CENTS: '100000000' } });

  it('paints big gifts and combos smoothly with the CPU slowed 4×', async () => {
    const creator = await signUpAs(node, { handle: 'mira_motion', displayName: 'Mira Sol' });
    await node.call({ method: 'PUT', url: '/v1/me/gifts', headers: { cookie: creator.cookie }, payload: { enabled: true } });
    const live = await node.call<{ id: string }>({ method: 'POST', url: '/v1/lives', headers: { cookie: creator.cookie }, payload: { title: 'Smooth' } });
    const fan = await signUpAs(node, { handle: 'ana_motion', displayName: 'Ana Reyes' });
    await node.storage.ledger.submit([
      { id: `fund:${fan.userId}`, code: 'ADJUSTMENT', kind: 'single', debitAccountId: SystemAccounts.coinIssuance.id, creditAccountId: userAccounts(fan.userId).coins.id, amount: 100_000n },
    ]);
    const gift = (giftId: string) => node.call({ method: 'POST', url: '/v1/gifts', headers: { cookie: fan.cookie }, payload: { id: randomUUID(), liveId: live.body.id, giftId, count: 1 } });

    const { page, context } = await openPage(browser, base, 'phone', `/live/${live.body.id}`);
    try {
      await page.getByLabel(/watching/).waitFor();
      // A viewer has been watching a moment before gifts come: the page has loaded what it needs.
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(1_000);
      const cdp = await context.newCDPSession(page);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
      // Frame intervals from requestAnimationFrame over `ms`: first with nothing happening (the
      // baseline this machine gives an idle page right now), then while gifts play.
      const frames = (ms: number) =>
        page.evaluate<number[]>(
          `new Promise((resolve) => {
            const intervals = [];
            let last = performance.now();
            const start = last;
            const frame = (now) => {
              intervals.push(now - last);
              last = now;
              if (now - start < ${String(ms)}) requestAnimationFrame(frame);
              else resolve(intervals);
            };
            requestAnimationFrame(frame);
          })`,
        );
      const idle = stats(await frames(BASELINE_MS));
      const measured = frames(MEASURE_MS);
      expect((await gift('galaxy')).status).toBe(201);
      for (let i = 0; i < 6; i++) expect((await gift('rose')).status).toBe(201);
      await page.getByRole('status', { name: 'Ana Reyes sent Galaxy' }).waitFor();
      const playing = stats(await measured);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });

      console.log(
        `LIVE page with the CPU slowed ${String(CPU_SLOWDOWN)}×: ${playing.fps.toFixed(1)} frames/s while gifts play (idle page: ${idle.fps.toFixed(1)}), ` +
          `frame interval p95 ${playing.p95.toFixed(1)} ms, longest ${playing.longest.toFixed(1)} ms, ratio to idle ${(playing.fps / idle.fps).toFixed(2)}`,
      );
      // The page never freezes while gifts play, however busy the machine.
      expect(playing.longest).toBeLessThan(1_000);
      // Measured alone (MOTION_STRICT=1, as docs/BENCHMARKS.md does), gifts keep at least 60 % of the
      // idle page's frame rate. In the whole suite the other browser tests share the two cores and
      // take their CPU from the playing page far more than from the idle one, so it is not gated there.
      if (process.env.MOTION_STRICT === '1') expect(playing.fps / idle.fps).toBeGreaterThanOrEqual(0.6);
    } finally {
      await context.close();
    }
  });
});
