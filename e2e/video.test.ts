// Proves LIVE video in a real Chromium against a real node with video on: the studio shows OBS's
// server and a masked stream key (Reveal, Copy, and Rotate after a confirm, which changes the key);
// a stream published with ffmpeg over RTMP plays on the viewer's LIVE page — the picture moves —
// with a gift animation over it, the studio says the stream arrives and previews it, and a dropped
// stream shows "Reconnecting…" with the time the LIVE would end; the studio's camera (Chromium's fake
// camera) goes LIVE from the browser and a viewer plays it; a browser that refuses the camera says
// how to allow it. Screenshots at phone and desktop size go to docs/screenshots/.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { SystemAccounts, userAccounts } from '../src/domain/accounts.js';
import type { StreamSettings } from '../src/protocol/video.js';
import { signUpAs, type TestNode } from '../test/support/livegift.js';
import { FFMPEG, publishRtmp, type Publisher } from '../test/support/video.js';
import { accessibilityProblems, CHROMIUM, CHROMIUM_AVAILABLE, openPage, SQLITE_AVAILABLE, useBrowserNode, VIEWPORTS } from './browser.js';

/** The bits of the browser's video element the checks read (this file is compiled without the DOM types). */
interface VideoElement {
  readonly currentTime: number;
  readonly paused: boolean;
  readonly readyState: number;
  readonly videoWidth: number;
}

const SHOTS = join(import.meta.dirname, '..', 'docs', 'screenshots');
const VIDEO_DIR = mkdtempSync(join(tmpdir(), 'livegift-video-e2e-'));

describe.skipIf(!SQLITE_AVAILABLE || !CHROMIUM_AVAILABLE || FFMPEG === null)('LIVE video in Chromium', () => {
  let node: TestNode;
  let base: string;
  let browser: Browser;
  useBrowserNode(
    (suite) => {
      ({ node, base, browser } = suite);
    },
    {
      env: {
        VIDEO: 'on',
        RTMP_PORT: '0',
        VIDEO_DIR,
        VIDEO_RECONNECT_GRACE_SECONDS: '300',
        SPEND_DAILY_MAX_CENTS: '100000000',
        SPEND_WEEKLY_MAX_CENTS: '100000000',
      },
      // The RTMP URL's host is the public URL's: 127.0.0.1, since the bundled static ffmpeg cannot
      // resolve names (a static glibc build has no NSS: it dies on "localhost").
      publicUrl: true,
    },
  );
  const publishers: Publisher[] = [];
  const browsers: Browser[] = [];
  afterAll(async () => {
    for (const publisher of publishers) await publisher.stop();
    for (const b of browsers) await b.close();
    rmSync(VIDEO_DIR, { recursive: true, force: true });
  });

  async function open(size: keyof typeof VIEWPORTS, path: string, cookie?: string): Promise<Page> {
    return (await openPage(browser, base, size, path, { cookie, clipboard: true })).page;
  }
  async function shoot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(SHOTS, `${name}.png`) });
  }
  async function creator(handle: string, displayName: string): Promise<{ cookie: string; userId: string }> {
    const who = await signUpAs(node, { handle, displayName });
    await node.call({ method: 'PUT', url: '/v1/me/gifts', headers: { cookie: who.cookie }, payload: { enabled: true } });
    return who;
  }
  async function fan(handle: string, displayName: string): Promise<{ cookie: string; userId: string }> {
    const who = await signUpAs(node, { handle, displayName });
    await node.storage.ledger.submit([
      { id: `fund:${who.userId}`, code: 'ADJUSTMENT', kind: 'single', debitAccountId: SystemAccounts.coinIssuance.id, creditAccountId: userAccounts(who.userId).coins.id, amount: 100_000n },
    ]);
    return who;
  }
  async function streamSettings(cookie: string): Promise<StreamSettings> {
    const res = await node.call<StreamSettings>({ method: 'GET', url: '/v1/me/stream', headers: { cookie } });
    expect(res.status).toBe(200);
    return res.body;
  }
  /** A test pattern with a tone, in real time, to `<rtmpUrl>/<key>` (as OBS would send it). */
  function publish(settings: StreamSettings): Publisher {
    if (settings.ingest.rtmpUrl === null) throw new Error('no RTMP ingest');
    const publisher = publishRtmp(`${settings.ingest.rtmpUrl}/${settings.ingest.streamKey}`);
    publishers.push(publisher);
    return publisher;
  }
  /** The LIVE video's currentTime, read twice a while apart: it must move (a picture that plays). */
  async function expectPlaying(page: Page): Promise<void> {
    const video = page.getByTestId('live-video');
    await video.waitFor({ timeout: 30_000 });
    const read = () => video.evaluate((el) => {
      const v = el as unknown as VideoElement;
      return { t: v.currentTime, paused: v.paused, ready: v.readyState, width: v.videoWidth };
    });
    await expect.poll(async () => (await read()).t, { timeout: 30_000 }).toBeGreaterThan(0.5);
    const first = await read();
    await page.waitForTimeout(1_500);
    const second = await read();
    expect(second.paused).toBe(false);
    expect(second.width).toBeGreaterThan(0);
    expect(second.t - first.t).toBeGreaterThan(0.7);
  }

  it('shows OBS settings with a masked key to reveal, copy and rotate', async () => {
    const mira = await creator('mira_obs', 'Mira Sol');
    const studio = await open('desktop', '/studio', mira.cookie);
    await studio.getByRole('radio', { name: /OBS or another encoder/ }).check();
    const server = studio.getByLabel('Server', { exact: true });
    await server.waitFor();
    expect(await server.inputValue()).toMatch(/^rtmp:\/\/[^/]+:\d+\/live$/);
    const key = studio.getByLabel('Stream key', { exact: true });
    const before = await key.inputValue();
    expect(before).toBe((await streamSettings(mira.cookie)).ingest.streamKey);
    expect(await key.getAttribute('type')).toBe('password');

    await studio.getByRole('button', { name: 'Reveal' }).click();
    expect(await key.getAttribute('type')).toBe('text');
    await studio.getByRole('button', { name: 'Hide', pressed: true }).click();
    expect(await key.getAttribute('type')).toBe('password');

    await studio.getByRole('button', { name: 'Copy key' }).click();
    await studio.getByRole('button', { name: 'Copy key: copied' }).waitFor();
    expect(await studio.evaluate<string>('navigator.clipboard.readText()')).toBe(before);
    await studio.getByRole('button', { name: 'Copy server' }).click();
    expect(await studio.evaluate<string>('navigator.clipboard.readText()')).toBe(await server.inputValue());
    await studio.getByText('Keyframe interval').waitFor();
    expect(await accessibilityProblems(studio)).toEqual([]);
    const phone = await open('phone', '/studio', mira.cookie);
    await phone.getByRole('radio', { name: /OBS or another encoder/ }).check();
    await phone.getByText('How will you stream?').evaluate((el) => { (el as unknown as { scrollIntoView(): void }).scrollIntoView(); });
    await phone.evaluate('window.scrollBy(0, -70)'); // below the sticky top bar
    await shoot(phone, 'studio-obs-go-live-phone');

    // Rotating asks first (and warns that OBS must be updated); keeping the key changes nothing.
    await studio.getByRole('button', { name: 'Rotate key' }).click();
    const dialog = studio.getByRole('dialog', { name: 'Rotate your stream key?' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('Paste the new key into OBS');
    await dialog.getByRole('button', { name: 'Keep this key' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await key.inputValue()).toBe(before);

    await studio.getByRole('button', { name: 'Rotate key' }).click();
    await dialog.getByRole('button', { name: 'Rotate key' }).click();
    await studio.getByText('New key made').waitFor();
    const after = await key.inputValue();
    expect(after).not.toBe(before);
    expect(after).toBe((await streamSettings(mira.cookie)).ingest.streamKey);
  });

  it('plays a stream from OBS (ffmpeg over RTMP) on the LIVE page, with gifts over it', async () => {
    node.clock.ms = Date.now();
    const mira = await creator('mira_rtmp', 'Mira Sol');
    const ana = await fan('ana_rtmp', 'Ana Reyes');
    const live = await node.call<{ id: string }>({ method: 'POST', url: '/v1/lives', headers: { cookie: mira.cookie }, payload: { title: 'Sunset synths' } });
    expect(live.status).toBe(201);
    const liveId = live.body.id;

    // The studio, OBS chosen, before the stream: not arriving yet.
    const studio = await open('desktop', '/studio', mira.cookie);
    await studio.getByRole('radio', { name: /OBS or another encoder/ }).check();
    await studio.getByText('Not receiving your stream yet').waitFor();

    const viewer = await open('phone', `/live/${liveId}`, ana.cookie);
    await viewer.getByRole('region', { name: 'Sunset synths, LIVE by Mira Sol' }).waitFor();
    await viewer.getByText('The creator is getting ready…').waitFor();
    await shoot(viewer, 'video-waiting-phone');

    publish(await streamSettings(mira.cookie));
    await expectPlaying(viewer);
    expect(await viewer.getByTestId('live-video').getAttribute('aria-label')).toBe('Mira Sol’s LIVE video');
    // Muted at first (browsers autoplay muted only), with the way to sound in plain sight.
    const unmute = viewer.getByRole('button', { name: 'Tap to unmute' });
    await unmute.waitFor();
    await unmute.click();
    await viewer.getByRole('button', { name: 'Mute the LIVE' }).waitFor();
    expect(await viewer.getByTestId('live-video').evaluate((el) => (el as unknown as { muted: boolean }).muted)).toBe(false);

    // The studio: the stream arrives, and the preview plays the LIVE's own video.
    await studio.getByText('Receiving your stream from OBS').waitFor({ timeout: 10_000 });
    await expectPlaying(studio);

    // A gift plays over the picture.
    expect((await node.call({ method: 'POST', url: '/v1/gifts', headers: { cookie: ana.cookie }, payload: { id: randomUUID(), liveId, giftId: 'galaxy', count: 1 } })).status).toBe(201);
    const galaxy = viewer.getByRole('status', { name: 'Ana Reyes sent Galaxy' });
    await galaxy.waitFor({ timeout: 5_000 });
    await galaxy.waitFor({ state: 'detached', timeout: 10_000 });
    const desktop = await open('desktop', `/live/${liveId}`, ana.cookie);
    await expectPlaying(desktop);
    for (let i = 0; i < 3; i++) {
      expect((await node.call({ method: 'POST', url: '/v1/gifts', headers: { cookie: ana.cookie }, payload: { id: randomUUID(), liveId, giftId: 'rose', count: 1 } })).status).toBe(201);
    }
    // The roses' banner over the moving picture (once its entrance has played).
    await viewer.locator('.banner').filter({ hasText: '×3' }).waitFor({ timeout: 5_000 });
    await desktop.locator('.banner').filter({ hasText: '×3' }).waitFor({ timeout: 5_000 });
    await viewer.waitForTimeout(400);
    await shoot(viewer, 'video-live-phone');
    expect(await accessibilityProblems(viewer)).toEqual([]);
    await shoot(desktop, 'video-live-desktop');

    await studio.evaluate('window.scrollTo(0, 0)');
    await shoot(studio, 'studio-obs-desktop');
    const studioPhone = await open('phone', '/studio', mira.cookie);
    await studioPhone.getByText('Receiving your stream from OBS').waitFor({ timeout: 10_000 });
    await studioPhone.getByRole('heading', { name: 'Your video' }).evaluate((el) => { (el as unknown as { scrollIntoView(): void }).scrollIntoView(); });
    await studioPhone.evaluate('window.scrollBy(0, -70)'); // below the sticky top bar
    await shoot(studioPhone, 'studio-obs-phone');

    // The stream drops: the last frame stays under "Reconnecting…" with the time the LIVE would end.
    for (const publisher of publishers.splice(0)) await publisher.stop();
    const reconnecting = viewer.locator('.video-reconnecting');
    await reconnecting.waitFor({ timeout: 20_000 });
    expect(await reconnecting.textContent()).toMatch(/Reconnecting… the LIVE ends at \d{1,2}:\d{2}( [AP]M)? if the stream doesn’t come back/);
    await shoot(viewer, 'video-reconnecting-phone');

    expect((await node.call({ method: 'POST', url: `/v1/lives/${liveId}/end`, headers: { cookie: mira.cookie }, payload: {} })).status).toBe(200);
    await viewer.getByRole('heading', { name: 'The LIVE has ended' }).waitFor({ timeout: 10_000 });
  });

  it('goes LIVE with the browser camera, and says how to allow a camera the browser refused', async () => {
    node.clock.ms = Date.now();
    const camBrowser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
    });
    browsers.push(camBrowser);
    const noa = await creator('noa_cam', 'Noa Park');
    /** The studio in the camera browser (its fake UI allows every request). */
    const openCam = async (size: keyof typeof VIEWPORTS, cookie: string): Promise<Page> => {
      const context = await camBrowser.newContext({ viewport: VIEWPORTS[size] });
      await context.addCookies([{ name: cookie.split('=')[0] ?? '', value: cookie.split('=')[1] ?? '', url: base }]);
      const page = await context.newPage();
      page.on('pageerror', (e) => { console.error(`studio (camera): ${e.message}`); });
      await page.goto(`${base}/studio`);
      return page;
    };

    const studio = await openCam('desktop', noa.cookie);
    await studio.getByRole('radio', { name: /Camera \(this browser\)/ }).check();
    // A browser that already allowed the camera here shows it at once; otherwise one tap asks.
    const preview = studio.getByLabel('Your camera preview');
    const turnOn = studio.getByRole('button', { name: 'Turn on camera and microphone' });
    await preview.or(turnOn).first().waitFor();
    if (await turnOn.isVisible()) await turnOn.click({ timeout: 2_000 }).catch(() => undefined);
    await preview.waitFor();
    await expect.poll(() => preview.evaluate((el) => (el as unknown as VideoElement).videoWidth)).toBeGreaterThan(0);
    expect(await studio.getByLabel('Camera', { exact: true }).locator('option').count()).toBeGreaterThan(0);
    await studio.getByLabel('Title').fill('Morning pottery');
    await shoot(studio, 'studio-camera-desktop');

    await studio.getByRole('button', { name: 'Go LIVE' }).click();
    await studio.getByText('Sending video').waitFor({ timeout: 20_000 });
    const lives = await node.call<{ lives: { id: string; title: string }[] }>({ method: 'GET', url: '/v1/lives' });
    const liveId = lives.body.lives.find((l) => l.title === 'Morning pottery')?.id ?? '';
    expect(liveId).not.toBe('');

    const viewer = await open('phone', `/live/${liveId}`);
    await expectPlaying(viewer);
    await shoot(viewer, 'video-camera-viewer-phone');
    await studio.evaluate('window.scrollTo(0, 0)');
    await shoot(studio, 'studio-camera-on-air-desktop');

    // End LIVE: the camera stops with it.
    await studio.getByRole('button', { name: 'End LIVE' }).click();
    await studio.getByRole('button', { name: 'End LIVE now' }).click();
    await studio.getByText('LIVE summary').waitFor();
    await viewer.getByRole('heading', { name: 'The LIVE has ended' }).waitFor({ timeout: 10_000 });

    // A browser where the person refused the camera (a camera, but no fake UI allowing everything;
    // the refusal set as the browser's settings would keep it): the studio says how to allow it.
    const askingBrowser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--use-fake-device-for-media-stream'] });
    browsers.push(askingBrowser);
    const { page: refused, context } = await openPage(askingBrowser, base, 'phone', '/studio', { cookie: noa.cookie });
    const cdp = await context.newCDPSession(refused);
    const { targetInfo } = await cdp.send('Target.getTargetInfo');
    for (const name of ['camera', 'microphone']) {
      await cdp.send('Browser.setPermission', { permission: { name }, setting: 'denied', origin: base, browserContextId: targetInfo.browserContextId });
    }
    await refused.getByRole('radio', { name: /Camera \(this browser\)/ }).check();
    await refused.getByRole('button', { name: 'Turn on camera and microphone' }).click();
    const denied = refused.getByRole('alert').filter({ hasText: 'blocked the camera and microphone' });
    await denied.waitFor();
    expect(await denied.textContent()).toContain('Allow');
    await denied.getByRole('button', { name: 'Try again' }).waitFor();
    await denied.scrollIntoViewIfNeeded();
    await shoot(refused, 'studio-camera-denied-phone');
  });
});
