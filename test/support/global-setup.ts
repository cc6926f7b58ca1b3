// Runs once before every test file: builds the web app if it is missing or stale, so the suites
// that start servers (and the browser tests) never race to build it.
import { ensureWebBuilt } from '../../src/platform/web-build.js';

export default async function setup(): Promise<void> {
  await ensureWebBuilt({ info: () => undefined, warn: (m) => { console.warn(m); } });
}
