// Debian's Chromium under playwright-core, as every browser test here launches it, and a page
// opened at a size, signed in by a session cookie or not.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Whether the browser tests can run; with CI=true a missing Chromium is an error, not a skip. */
export const CHROMIUM_AVAILABLE = existsSync(CHROMIUM);
if (!CHROMIUM_AVAILABLE && process.env.CI === 'true') throw new Error(`Chromium is required with CI=true but is not at ${CHROMIUM}`);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

/** The two sizes every page is looked at: a phone and a desktop. */
export const VIEWPORTS = { phone: { width: 390, height: 844 }, desktop: { width: 1440, height: 900 } } as const;

/** A new context at `size` (with the session `cookie`, "name=value", when given) and a page at `base + path`. */
export async function openPage(
  browser: Browser,
  base: string,
  size: keyof typeof VIEWPORTS,
  path: string,
  options: { cookie?: string; clipboard?: boolean } = {},
): Promise<{ page: Page; context: BrowserContext }> {
  const context = await browser.newContext({ viewport: VIEWPORTS[size] });
  if (options.clipboard === true) await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  if (options.cookie !== undefined) {
    const [name, value] = options.cookie.split('=');
    await context.addCookies([{ name: name ?? '', value: value ?? '', url: base }]);
  }
  const page = await context.newPage();
  page.on('pageerror', (e) => { console.error(`${path}: ${e.message}`); });
  await page.goto(`${base}${path}`);
  return { page, context };
}
