// Builds the web app (web/ → web/dist) when it is missing or older than its sources, so a fresh
// clone's `npm start` serves the pages without a separate step. Several processes may start at once
// (tests, two nodes): one builds under a lock directory while the others wait for it. Vite is a
// development dependency; without it (a production install) an existing build is served as is.
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface WebBuildLog {
  info(message: string): void;
  warn(message: string): void;
}

const LOCK_STALE_MS = 120_000;

/** The project's web folder (web/, beside src/). */
export function webRoot(): string {
  return join(import.meta.dirname, '..', '..', 'web');
}

/** Newest modification time (ms) of the files under `dirs` (recursively), 0 when none. */
function newest(paths: readonly string[]): number {
  let latest = 0;
  for (const path of paths) {
    let stats;
    try {
      stats = statSync(path);
    } catch {
      continue;
    }
    if (stats.isDirectory()) latest = Math.max(latest, newest(readdirSync(path).map((name) => join(path, name))));
    else latest = Math.max(latest, stats.mtimeMs);
  }
  return latest;
}

/** True when web/dist is missing or older than anything the bundle is made from. */
export function webBuildIsStale(root: string = webRoot()): boolean {
  const built = newest([join(root, 'dist', 'index.html')]);
  if (built === 0) return true;
  const src = join(root, '..', 'src');
  return newest([join(root, 'src'), join(root, 'index.html'), join(root, 'vite.config.ts'), join(src, 'sdk'), join(src, 'protocol')]) > built;
}

/** Builds web/dist if it is stale; resolves once a fresh build is there (or none can be made). */
export async function ensureWebBuilt(log: WebBuildLog, root: string = webRoot()): Promise<void> {
  if (!webBuildIsStale(root)) return;
  const lock = join(root, '.build-lock');
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another process builds: wait for it (or take over a lock its crashed owner left behind).
      const age = Date.now() - newest([lock]);
      if (age > LOCK_STALE_MS) rmSync(lock, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 200));
      if (!webBuildIsStale(root)) return;
    }
  }
  try {
    if (!webBuildIsStale(root)) return;
    let vite: typeof import('vite');
    try {
      vite = await import('vite');
    } catch {
      log.warn('the web app is not built and Vite is not installed (npm ci installs it); serving the API only');
      return;
    }
    const started = Date.now();
    // React's production build is chosen by NODE_ENV, which a test runner sets to 'test'.
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await vite.build({ configFile: join(root, 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
    } finally {
      if (nodeEnv === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = nodeEnv;
    }
    log.info(`built the web app in ${Date.now() - started} ms`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
