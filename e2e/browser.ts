// Debian's Chromium under playwright-core, as every browser test here launches it; a node on a
// fresh SQLite database listening for it (useBrowserNode); and a page opened at a size, signed in
// by a session cookie or not.
import { existsSync } from 'node:fs';
import axe, { type AxeResults } from 'axe-core';
import { createServer } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { DIALECTS } from '../test/support/databases.js';
import { openTestNode, type TestNode } from '../test/support/livegift.js';

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

/** Whether a SQLite node can be opened here (the browser suites skip without one). */
export const SQLITE_AVAILABLE = DIALECTS.some((d) => d.name === 'sqlite' && d.available);

export interface BrowserNode {
  readonly node: TestNode;
  /** http://127.0.0.1:<port> */
  readonly base: string;
  readonly browser: Browser;
}

/**
 * Before the file's tests: a node on a fresh SQLite database with `env`, listening on 127.0.0.1, and
 * Chromium; both closed after. With `publicUrl` the port is chosen first and the node's PUBLIC_URL
 * names it (the sandbox checkout returns there). `ready` receives them, for the file's variables.
 */
export function useBrowserNode(ready: (suite: BrowserNode) => void, options: { env?: Record<string, string>; publicUrl?: boolean } = {}): void {
  let suite: BrowserNode | null = null;
  beforeAll(async () => {
    const sqlite = DIALECTS.find((d) => d.name === 'sqlite');
    if (!sqlite) throw new Error('no SQLite dialect');
    let node: TestNode;
    let base: string;
    if (options.publicUrl === true) {
      const port = await freePort();
      base = `http://127.0.0.1:${String(port)}`;
      node = await openTestNode(sqlite, { PORT: String(port), PUBLIC_URL: base, ...options.env });
      await node.app.listen({ port, host: '127.0.0.1' });
    } else {
      node = await openTestNode(sqlite, options.env);
      base = await node.app.listen({ port: 0, host: '127.0.0.1' });
    }
    suite = { node, base, browser: await launchChromium() };
    ready(suite);
  });
  afterAll(async () => {
    await suite?.browser.close();
    await suite?.node.drop();
  });
}

/** A port free right now, so a node's public URL can name it before it listens. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/**
 * Serious and critical axe-core findings on what the page shows now, as "rule at element" lines.
 * axe is evaluated through the DevTools protocol: the pages' Content-Security-Policy refuses inline
 * script tags (page.addScriptTag), as it should.
 */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.evaluate(axe.source);
  const { violations } = await page.evaluate<AxeResults>('axe.run(document, { resultTypes: ["violations"] })');
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').flatMap((v) => v.nodes.map((n) => `${v.id} at ${n.target.join(' ')}`));
}
