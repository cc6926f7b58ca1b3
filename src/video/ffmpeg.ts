// Finds the ffmpeg this node runs for video (issue: "found on PATH, or from a binary shipped inside an
// npm package"): FFMPEG_PATH when the operator names one, else `ffmpeg` on PATH (Debian's, current),
// else the static build of @ffmpeg-installer/ffmpeg (its per-platform binary is an optional package,
// so `npm ci` on a fresh machine still gives video). Each candidate must answer `-version`; none
// answering means video is unavailable, which the studio says, and everything else works.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

export interface Ffmpeg {
  /** The executable to spawn. */
  readonly path: string;
  /** The first line of `ffmpeg -version`, e.g. "ffmpeg version 7.1.1-1+b1". */
  readonly version: string;
  /** Where it was found. */
  readonly source: 'config' | 'path' | 'npm';
}

export type FfmpegLookup = { readonly found: Ffmpeg } | { readonly found: null; readonly reason: string };

/** How long `-version` may take before a candidate counts as broken. */
const PROBE_TIMEOUT_MS = 10_000;

/** Answers the first line of `<path> -version`, or null when it does not run. */
export function probeFfmpeg(path: string): Promise<string | null> {
  return new Promise((resolve) => {
    let out = '';
    let settled = false;
    const done = (value: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(value);
    };
    const child = spawn(path, ['-hide_banner', '-version'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done(null);
    }, PROBE_TIMEOUT_MS);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (out.length < 4_096) out += chunk;
    });
    child.on('error', () => { done(null); });
    child.on('close', (code) => { done(code === 0 && out.startsWith('ffmpeg version') ? (out.split('\n')[0] ?? '').trim() : null); });
  });
}

/** The npm package's binary for this platform, or null when the optional dependency is absent. */
function npmFfmpegPath(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const installer = require('@ffmpeg-installer/ffmpeg') as { path?: unknown };
    return typeof installer.path === 'string' ? installer.path : null;
  } catch {
    return null;
  }
}

export async function locateFfmpeg(options: { readonly configured?: string | undefined } = {}): Promise<FfmpegLookup> {
  const candidates: { path: string; source: Ffmpeg['source'] }[] = [];
  if (options.configured !== undefined && options.configured !== '') candidates.push({ path: options.configured, source: 'config' });
  else {
    candidates.push({ path: 'ffmpeg', source: 'path' });
    const bundled = npmFfmpegPath();
    if (bundled !== null) candidates.push({ path: bundled, source: 'npm' });
  }
  for (const candidate of candidates) {
    const version = await probeFfmpeg(candidate.path);
    if (version !== null) return { found: { ...candidate, version } };
  }
  return {
    found: null,
    reason:
      options.configured !== undefined && options.configured !== ''
        ? `FFMPEG_PATH (${options.configured}) does not run.`
        : 'No ffmpeg was found: install ffmpeg (apt-get install ffmpeg), or reinstall with optional dependencies (npm ci) for the bundled one.',
  };
}
